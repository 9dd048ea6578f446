// Scalars known by kind and address: QEMU's VMStateInfo for each
// VMSTATE_<type> (vmstate_info_uint8 ... vmstate_info_int64, _bool) over
// storage of the matching C++ type (std::uint8_t ... std::int64_t, bool),
// for fields that hold an offset rather than a typed accessor (ScalarField
// in fields.h). One instance per kind: every scalar field of every table
// shares its code.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>

#include "migcheck/vmstate/visitor.h"
#include "migcheck/wire/reader.h"
#include "migcheck/wire/writer.h"

namespace migcheck::vmstate {

struct ScalarInfo {
  ScalarKind kind;
  std::size_t size;  // of the storage
  void (*get)(wire::Reader& in, void* at);
  void (*put)(wire::Writer& out, const void* at);
  // Widened to 64 bits for the visitor and narrowed back, as visit_scalar
  // does for a typed value.
  void (*visit)(Visitor& v, std::string_view name, int index, void* at);
  std::string (*describe)(const void* at);
};

const ScalarInfo& scalar_info(ScalarKind kind);

}  // namespace migcheck::vmstate
