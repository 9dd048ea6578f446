// Internal: the visitor that assigns every field of a state (fields.cpp).
#pragma once

#include <cstddef>
#include <cstdint>

#include <rapidcheck.h>

#include "migcheck/virtio/device.h"
#include "migcheck/vmstate/visitor.h"

namespace migcheck::gen {

// Draws a value for every scalar and buffer a schema visit reaches (inside
// rc::gen::exec). Elements of the per-queue 1024-slot arrays beyond
// `queues` are skipped; the VARRAY count fields get small values so the
// arrays they size stay small.
class AssignFields : public vmstate::Visitor {
 public:
  AssignFields(const virtio::VirtioDevice& device, std::size_t queues);
  void scalar(std::string_view name, int index, vmstate::ScalarKind kind, std::uint64_t& value) override;
  void bytes(std::string_view name, int index, std::span<std::uint8_t> value) override;
  void vbytes(std::string_view name, int index, std::vector<std::uint8_t>& value, std::size_t max) override;
  bool enter(std::string_view vmsd, int index) override;
  std::size_t fields = 0;  // how many were assigned

 private:
  const virtio::VirtioDevice& device_;
  std::size_t queues_;
};

}  // namespace migcheck::gen
