// The conformance vectors (conformance/vectors/*_test.json) as C++ values.
//
// The file format is conformance/schema/vectors.schema.json (Wycheproof
// layout: notes, testGroups with the destination, tests with tcId, flags,
// input, result and the expectation). load_vectors() checks every file
// against that shape here too, so a malformed vector is an error with its
// path, never a crash or a silently skipped test.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

namespace migcheck::conformance {

enum class ResultClass : std::uint8_t { Valid, Invalid, Acceptable };
std::string_view to_string(ResultClass);

// One byte-level edit; applied in order (patch.h).
struct Edit {
  enum class Kind : std::uint8_t { Put, Insert, Delete, Truncate } kind = Kind::Put;
  std::uint64_t at = 0;
  std::vector<std::uint8_t> bytes;  // put / insert
  std::uint32_t repeat = 1;         // insert
  std::uint64_t count = 0;          // delete
};

struct Input {
  std::string file;  // "streams/y_...": the input as is
  std::string base;  // "streams/y_...": with `patch` applied
  std::vector<Edit> patch;
  std::optional<std::vector<std::uint8_t>> hex;  // literal bytes
  std::string sha256;                            // of the bytes loaded
};

struct Expected {
  bool accepted = false;
  std::string rule;     // rejected: the rejecting rule; accepted: a rule that must apply
  std::string message;  // QEMU's first line
  std::optional<std::vector<std::string>> messages;  // QEMU's every line, when observed
  std::vector<std::pair<std::string, nlohmann::json>> state;  // JSON pointer -> value
};

struct QemuObservation {
  int exit = 0;  // 0 loaded, 1 failed, -9 hung and killed, -N signal N
  std::vector<std::string> stderr_lines;
};

struct Group {
  std::string comment;
  std::string machine;
  std::vector<std::string> devices;
  std::string profile;  // reader
  std::string writer_profile, writer_machine;
};

struct Vector {
  std::size_t suite = 0, group = 0;  // indices into Corpus::suites / Suite::groups
  int tc_id = 0;
  std::string name, comment;
  std::vector<std::string> flags;
  Input input;
  ResultClass result = ResultClass::Invalid;
  Expected expected;
  nlohmann::json source = nlohmann::json::array();
  std::optional<QemuObservation> qemu;

  bool has_flag(std::string_view f) const;
};

struct Suite {
  std::string file;  // "virtio_net_pci_test.json"
  std::string name, description;
  nlohmann::json notes = nlohmann::json::object();
  std::vector<Group> groups;
};

struct Corpus {
  std::string root;  // conformance/ (the directory holding vectors/ and streams/)
  std::vector<Suite> suites;
  std::vector<Vector> vectors;  // every test of every file, in file order
  nlohmann::json notes = nlohmann::json::object();  // every flag of every file

  const Group& group_of(const Vector& v) const { return suites[v.suite].groups[v.group]; }
  std::string id(const Vector& v) const;  // "virtio_net_pci_test.json#3"
};

// Checks one parsed vector file against the schema's shape; each problem as
// "path: what". Empty when the file is well formed.
std::vector<std::string> validate_file(const nlohmann::json& doc);

// Loads every *_test.json of `vectors_dir` (sorted by name). Files must be
// well formed, numberOfTests must match, names must be unique across files
// and carry the y_/n_/i_ prefix of their result. nullopt with *errors set
// otherwise.
std::optional<Corpus> load_vectors(const std::string& vectors_dir, std::vector<std::string>* errors);

}  // namespace migcheck::conformance
