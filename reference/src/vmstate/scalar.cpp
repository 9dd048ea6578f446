#include "migcheck/vmstate/scalar.h"

#include "migcheck/vmstate/fields.h"

namespace migcheck::vmstate {
namespace {

template <class V>
constexpr ScalarInfo info_of() {
  return {.kind = kind_of<V>(),
          .size = sizeof(V),
          .get = [](wire::Reader& in, void* at) { *static_cast<V*>(at) = read_scalar<V>(in); },
          .put = [](wire::Writer& out, const void* at) { write_scalar(out, *static_cast<const V*>(at)); },
          .visit = [](Visitor& v, std::string_view name, int index,
                      void* at) { visit_scalar(v, name, index, *static_cast<V*>(at)); },
          .describe = [](const void* at) { return describe_scalar(*static_cast<const V*>(at)); }};
}

constexpr ScalarInfo kInfo[] = {info_of<std::uint8_t>(), info_of<std::uint16_t>(), info_of<std::uint32_t>(),
                                info_of<std::uint64_t>(), info_of<std::int32_t>(),  info_of<std::int64_t>(),
                                info_of<bool>()};

}  // namespace

const ScalarInfo& scalar_info(ScalarKind kind) {
  for (const ScalarInfo& info : kInfo)
    if (info.kind == kind) return info;
  return kInfo[0];  // unreachable: every kind has its entry
}

}  // namespace migcheck::vmstate
