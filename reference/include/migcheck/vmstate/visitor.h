// Generic traversal of a state through its schema.
//
// The same tables that load and save a state let a visitor see (and change)
// every field by name: JSON export, RapidCheck generators and field-level
// mutators are visitors, so none of them restates the wire layout.
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>
#include <string_view>
#include <vector>

namespace migcheck::vmstate {

enum class ScalarKind : std::uint8_t { U8, U16, U32, U64, I32, I64, Bool };

constexpr unsigned width_of(ScalarKind k) {
  switch (k) {
    case ScalarKind::U8:
    case ScalarKind::Bool: return 1;
    case ScalarKind::U16: return 2;
    case ScalarKind::U32:
    case ScalarKind::I32: return 4;
    case ScalarKind::U64:
    case ScalarKind::I64: return 8;
  }
  return 0;
}

class Visitor {
 public:
  virtual ~Visitor() = default;
  // A scalar, widened to 64 bits; the visitor may change `value` and the
  // new value is narrowed back into the state.
  virtual void scalar(std::string_view /*name*/, int /*index*/, ScalarKind /*kind*/,
                      std::uint64_t& /*value*/) {}
  // A fixed-size buffer (PCI config, MAC, VLAN bitmap...).
  virtual void bytes(std::string_view /*name*/, int /*index*/, std::span<std::uint8_t> /*value*/) {}
  // A variable-size buffer with an upper bound the state can hold.
  virtual void vbytes(std::string_view /*name*/, int /*index*/, std::vector<std::uint8_t>& /*value*/,
                      std::size_t /*max*/) {}
  // Nested vmsd (struct element or subsection). Return false to skip it.
  virtual bool enter(std::string_view /*vmsd*/, int /*index*/) { return true; }
  virtual void leave() {}
};

}  // namespace migcheck::vmstate
