// A vector's input bytes: its file, or its base file with the declarative
// edits applied, or its literal hex; checked against the recorded sha256.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "vectors.h"

namespace migcheck::conformance {

// Applies `edits` in order (conformance/schema/vectors.schema.json "edit").
// An edit that reaches past the current end is an error, not a clamp.
// Bounded: the result never exceeds 1 GiB.
std::optional<std::vector<std::uint8_t>> apply_patch(std::span<const std::uint8_t> base, const std::vector<Edit>& edits,
                                                     std::string* error);

// Builds inputs, reading each base file under the corpus root once.
class InputBuilder {
 public:
  explicit InputBuilder(const Corpus& corpus) : corpus_(corpus) {}
  // The bytes of `v`, or nullopt with *error (missing file, bad edit, sha256 mismatch).
  std::optional<std::vector<std::uint8_t>> build(const Vector& v, std::string* error);

 private:
  const std::vector<std::uint8_t>* file(const std::string& rel, std::string* error);
  const Corpus& corpus_;
  std::map<std::string, std::vector<std::uint8_t>> files_;
};

}  // namespace migcheck::conformance
