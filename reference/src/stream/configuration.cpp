#include "configuration.h"

#include <array>
#include <vector>

#include "migcheck/stream/rules.h"
#include "migcheck/vmstate/fields.h"

namespace migcheck::stream {

using vmstate::LoadContext;
using vmstate::qemu_format;
using vmstate::Vmsd;

namespace {

constexpr std::uint32_t kTargetPageBits = 12;  // x86

// QAPI MigrationCapability names (qapi/migration.json @ 7.2).
constexpr std::array<std::string_view, 21> kCapabilities = {
    "xbzrle",       "rdma-pin-all",  "auto-converge",        "zero-blocks",         "compress",
    "events",       "postcopy-ram",  "x-colo",               "release-ram",         "block",
    "return-path",  "pause-before-switchover", "multifd",    "dirty-bitmaps",       "postcopy-blocktime",
    "late-block-activate", "x-ignore-shared", "validate-uuid", "background-snapshot", "zero-copy-send",
    "postcopy-preempt"};

// SaveState, the part migration reads.
struct SaveState {
  std::string local_name;
  std::uint32_t len = 0;
  std::vector<std::uint8_t> name;
  std::uint32_t target_page_bits = 0;
  std::uint32_t caps_count = 0;
  std::vector<std::string> capabilities;
  std::array<std::uint8_t, 16> uuid{};
};

int pre_load(LoadContext&, SaveState& s) {
  s.target_page_bits = kTargetPageBits;  // absent subsection: the minimum
  return 0;
}

// configuration_post_load: strncmp over the received length only.
int post_load(LoadContext& ctx, SaveState& s, int) {
  bool same = true;
  for (std::size_t i = 0; i < s.len; ++i) {
    const char a = static_cast<char>(s.name[i]);
    const char b = i < s.local_name.size() ? s.local_name[i] : '\0';
    if (a != b) {
      same = false;
      break;
    }
    if (a == '\0') break;
  }
  if (!same) {
    const std::string shown(vmstate::c_string(s.name));
    return ctx.reject(rules::kMachineMismatch, -EINVAL,
                      qemu_format("Machine type received is '%s' and local is '%s'", shown, s.local_name));
  }
  if (s.target_page_bits != kTargetPageBits)
    return ctx.reject(rules::kTargetPageBits, -EINVAL,
                      qemu_format(rules::kTargetPageBits.qemu_message, static_cast<int>(s.target_page_bits),
                                  static_cast<int>(kTargetPageBits)));
  // Only x-ignore-shared is validated, and the destination has it off.
  for (const std::string& c : s.capabilities)
    if (c == "x-ignore-shared")
      return ctx.reject(rules::kCapabilityMismatch, -EINVAL,
                        qemu_format(rules::kCapabilityMismatch.qemu_message, c, "off", "on"));
  return 0;
}

// VMSTATE_VBUFFER_ALLOC_UINT32(name, len): QEMU allocates `len` bytes, the
// size going through an int first.
int get_name(LoadContext& ctx, SaveState& s) {
  if (static_cast<std::int32_t>(s.len) < 0)
    return ctx.reject(rules::kConfigNameAlloc, -ENOMEM, {},
                      qemu_format("configuration name length 0x%x: g_malloc of a negative size", s.len));
  const std::size_t have = std::min<std::size_t>(s.len, ctx.in.remaining());
  s.name.assign(have, 0);
  ctx.in.bytes(s.name.data(), have);
  if (have < s.len) ctx.in.skip(s.len - have);  // runs off the end: sticky -EIO
  return 0;
}

int get_capabilities(LoadContext& ctx, SaveState& s) {
  if (static_cast<std::uint64_t>(s.caps_count) * 4 > 0x7fffffffull)
    return ctx.reject(rules::kConfigNameAlloc, -ENOMEM, {},
                      qemu_format("capability count 0x%x: allocation QEMU cannot make", s.caps_count));
  for (std::uint32_t i = 0; i < s.caps_count; ++i) {
    ctx.mark();
    const std::uint8_t len = ctx.in.u8();
    std::array<std::uint8_t, 256> raw{};
    ctx.in.bytes(raw.data(), len);
    const std::string name(vmstate::c_string(std::span<const std::uint8_t>(raw.data(), len)));
    bool known = false;
    for (std::string_view k : kCapabilities) known |= (k == name);
    if (!known)
      return ctx.reject(rules::kCapabilityUnknown, -EINVAL, qemu_format(rules::kCapabilityUnknown.qemu_message, name));
    s.capabilities.push_back(name);
    if (int err = ctx.in.error()) return err;
  }
  return 0;
}

int uuid_post_load(LoadContext& ctx, SaveState& s, int) {
  std::string text;
  for (std::size_t i = 0; i < 16; ++i) {
    if (i == 4 || i == 6 || i == 8 || i == 10) text += '-';
    text += qemu_format("%02x", s.uuid[i]);
  }
  ctx.apply(rules::kUuidUnset, {}, qemu_format(rules::kUuidUnset.qemu_message, text));
  return 0;
}

const Vmsd<SaveState>& target_page_bits() {
  static const Vmsd<SaveState> v{.name = "configuration/target-page-bits", .version_id = 1, .minimum_version_id = 1,
                                 .fields = {VMS_SCALAR(SaveState, target_page_bits)}};
  return v;
}
const Vmsd<SaveState>& capabilities() {
  static const Vmsd<SaveState> v{
      .name = "configuration/capabilities", .version_id = 1, .minimum_version_id = 1,
      .fields = {VMS_SCALAR(SaveState, caps_count),
                 vmstate::custom<SaveState>("capabilities", {get_capabilities, nullptr, nullptr, nullptr})}};
  return v;
}
const Vmsd<SaveState>& uuid() {
  static const Vmsd<SaveState> v{.name = "configuration/uuid", .version_id = 1, .minimum_version_id = 1,
                                 .fields = {VMS_BUFFER(SaveState, uuid)}, .post_load = uuid_post_load};
  return v;
}

const Vmsd<SaveState>& configuration() {
  static const Vmsd<SaveState> v{
      .name = "configuration",
      .version_id = 1,
      .fields = {VMS_SCALAR(SaveState, len),
                 vmstate::custom<SaveState>("name", {get_name, nullptr, nullptr,
                                                     [](const SaveState& s) {
                                                       return "'" + std::string(vmstate::c_string(s.name)) + "'";
                                                     }})},
      .subsections = {&target_page_bits(), &capabilities(), &uuid()},
      .pre_load = pre_load,
      .post_load = post_load};
  return v;
}

}  // namespace

int load_configuration(LoadContext& ctx, std::string_view local_machine, std::string* received) {
  SaveState s;
  s.local_name = std::string(local_machine);
  // qemu_loadvm_state_header loads it with version_id 0.
  const int ret = vmstate::load_state(ctx, configuration(), s, 0);
  if (received) *received = std::string(vmstate::c_string(s.name));
  return ret;
}

void save_configuration(vmstate::SaveContext& ctx, std::string_view machine) {
  ctx.out.u8(0x07);
  ctx.out.be32(static_cast<std::uint32_t>(machine.size()));
  ctx.out.chars(machine);
}

}  // namespace migcheck::stream
