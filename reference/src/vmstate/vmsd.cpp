// The type-independent steps of the schema engine's load loop
// (migration/vmstate.c: vmstate_load_state, vmstate_subsection_load).
#include "migcheck/vmstate/vmsd.h"

namespace migcheck::vmstate::engine {

int version_refused(LoadContext& ctx, std::string_view vmsd, int version_id, int local, int local_min) {
  if (version_id > local) {
    std::string text = format_too_new(vmsd, version_id, local);
    return ctx.reject(rules::kVersionTooNew, -EINVAL, ctx.vmstate_messages ? text : "", text);
  }
  std::string text = format_too_old(vmsd, version_id, local_min);
  return ctx.reject(rules::kVersionTooOld, -EINVAL, ctx.vmstate_messages ? text : "", text);
}

int must_exist_missing(LoadContext& ctx, std::string_view vmsd, std::string_view field) {
  return ctx.reject(rules::kMustExist, -1,
                    "Input validation failed: " + std::string(vmsd) + "/" + std::string(field));
}

int field_failed(LoadContext& ctx, int ret, std::string_view vmsd, std::string_view field) {
  ctx.in.set_error(ret);
  ctx.ensure_reject_recorded(ret);
  if (ctx.vmstate_messages) ctx.report("Failed to load " + std::string(vmsd) + ":" + std::string(field));
  return ret;
}

std::optional<std::string_view> peek_subsection(wire::Reader& f, std::string_view vmsd) {
  const std::uint8_t len = f.peek(1);
  if (len < vmsd.size() + 1) return std::nullopt;  // "(short)": not ours
  const std::span<const std::uint8_t> raw = f.peek_span(2, len);
  if (raw.size() != len) return std::nullopt;  // "(peek fail)"
  const std::string_view idstr = c_string(raw);
  if (!idstr.starts_with(vmsd)) return std::nullopt;  // "(prefix)": left for an outer level
  return idstr;
}

int subsection_unknown(LoadContext& ctx, std::string_view idstr, std::string_view vmsd) {
  ctx.mark();  // 7.2 prints nothing here; the outer levels do
  return ctx.reject(rules::kSubsectionUnknown, -ENOENT, {},
                    "subsection '" + std::string(idstr) + "' unknown to '" + std::string(vmsd) + "'");
}

int enter_subsection(LoadContext& ctx, std::string_view name) {
  wire::Reader& f = ctx.in;
  const std::uint64_t begin = f.offset();
  ctx.item_begin = begin;
  f.skip(2u + f.peek(1));
  const auto version = static_cast<std::uint8_t>(f.be32());  // stored in a uint8_t
  if (ctx.observer) ctx.observer->subsection(name, version, begin, f.offset());
  return version;
}

}  // namespace migcheck::vmstate::engine
