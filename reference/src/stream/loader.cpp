// The top-level loader: qemu_loadvm_state and its callees (migration/savevm.c
// @ 7.2.22, spec §1.7), over the destination's devices.
#include "migcheck/stream/loader.h"

#include <map>
#include <optional>

#include "configuration.h"
#include "platform.h"
#include "ram.h"
#include "vmdesc.h"
#include "migcheck/stream/rules.h"
#include "migcheck/virtio/core.h"
#include "migcheck/vmstate/format.h"

namespace migcheck {

using vmstate::qemu_format;

std::string_view to_string(Verdict v) {
  switch (v) {
    case Verdict::Accepted: return "accepted";
    case Verdict::Rejected: return "rejected";
    case Verdict::Unsupported: return "unsupported";
  }
  return "?";
}

std::string_view errno_text(int err) {
  switch (-err) {
    case 1: return "Operation not permitted";
    case 2: return "No such file or directory";
    case 5: return "Input/output error";
    case 12: return "Cannot allocate memory";
    case 22: return "Invalid argument";
    case 34: return "Numerical result out of range";
    case 95: return "Operation not supported";
    default: return "Unknown error";
  }
}

bool is_full_stream(std::span<const std::uint8_t> b) {
  return b.size() >= 4 && b[0] == 'Q' && b[1] == 'E' && b[2] == 'V' && b[3] == 'M';
}

namespace {

namespace sr = stream::rules;

// What a section id or idstr resolves to on the destination (SaveStateEntry).
struct Entry {
  enum class Kind : std::uint8_t { Ram, Virtio, Platform } kind;
  std::size_t device = 0;  // Virtio: index into LoadResult::devices
  std::string idstr;
  std::uint32_t instance_id = 0;
  std::uint32_t load_version_id = 0;
  std::uint64_t skip_size = 0;  // Platform
};

class Loader {
 public:
  Loader(std::span<const std::uint8_t> bytes, const Destination& dest, const LoadOptions& options)
      : bytes_(bytes),
        dest_(dest),
        in_(bytes),
        ctx_{in_, r_.diag, options.observer},
        ram_(dest.machine.family) {
    ctx_.keep_parsed = options.keep_parsed;
    ctx_.vmstate_messages = dest.profile->error_messages;
    ctx_.memory = &r_.memory;
    r_.devices.reserve(dest.devices.size());  // a LoadedDevice is large: never moved by growth
  }

  LoadResult stream() {
    r_.has_vmdesc = (vmdesc_ = stream::find_vmdesc(bytes_)) != nullptr;
    int ret = header();
    if (!ret) ret = main_loop();
    if (!ret) ret = in_.error();
    if (!ret && dest_.profile->vmdesc && !dest_.machine.suppress_vmdesc) trailer();
    return finish(ret);
  }

  LoadResult section_record() {
    ctx_.memory = nullptr;  // a lone record carries no RAM
    ctx_.mark();
    const std::uint8_t type = in_.u8();
    int ret;
    if (type == kSectionFull || type == kSectionStart)
      ret = start_full(type);
    else
      ret = ctx_.unsupported(qemu_format("a section record starts with 0x01 or 0x04, not 0x%02x", type));
    return finish(ret);
  }

 private:
  int header() {
    ctx_.mark();
    const std::uint32_t magic = in_.be32();
    if (magic != 0x5145564d) return ctx_.reject(sr::kNotAStream, -EINVAL, std::string(sr::kNotAStream.qemu_message));
    ctx_.mark();
    const std::uint32_t version = in_.be32();
    if (version == 2)
      return ctx_.reject(sr::kVersionObsolete, -ENOTSUP, std::string(sr::kVersionObsolete.qemu_message));
    if (version != 3)
      return ctx_.reject(sr::kVersionUnsupported, -ENOTSUP, std::string(sr::kVersionUnsupported.qemu_message));
    if (dest_.machine.send_configuration) {
      ctx_.mark();
      SectionInfo info{.type = kConfiguration, .offset = in_.offset()};
      if (in_.u8() != kConfiguration)
        return ctx_.reject(sr::kConfigurationMissing, -EINVAL, std::string(sr::kConfigurationMissing.qemu_message));
      info.body_begin = in_.offset();
      const int ret = stream::load_configuration(ctx_, dest_.machine.name, &r_.machine);
      info.body_end = info.end = in_.offset();
      info.handling = SectionInfo::Handling::Configuration;
      r_.sections.push_back(std::move(info));
      return ret;
    }
    return 0;
  }

  int main_loop() {
    for (;;) {
      ctx_.mark();
      const std::uint64_t at = in_.offset();
      const std::uint8_t type = in_.u8();
      if (int err = in_.error()) {
        ctx_.reject_at(sr::kEofMissing, at, err, {}, "stream ends before QEMU_VM_EOF");
        return err;
      }
      int ret = 0;
      switch (type) {
        case kSectionStart:
        case kSectionFull: ret = start_full(type); break;
        case kSectionPart:
        case kSectionEnd: ret = part_end(type); break;
        case kCommand: ret = command(); break;
        case kVmEof: return 0;
        default:
          ret = ctx_.reject(sr::kUnknownSectionType, -EINVAL, qemu_format(sr::kUnknownSectionType.qemu_message, type));
      }
      if (ret < 0) return ret;
    }
  }

  // qemu_loadvm_section_start_full
  int start_full(std::uint8_t type) {
    SectionInfo info{.type = type, .offset = in_.offset() - 1};
    const std::uint32_t section_id = in_.be32();
    const std::uint8_t len = in_.u8();
    std::array<std::uint8_t, 256> raw{};
    if (in_.bytes(raw.data(), len) != len)
      return ctx_.reject(sr::kIdstrUnreadable, -EINVAL, qemu_format(sr::kIdstrUnreadable.qemu_message, section_id));
    info.idstr = vmstate::c_string(std::span<const std::uint8_t>(raw.data(), len));
    const std::string& idstr = info.idstr;
    const std::uint32_t instance_id = in_.be32();
    const std::uint32_t version_id = in_.be32();
    if (int err = in_.error())
      return ctx_.reject(sr::kSectionHeaderShort, err,
                         qemu_format(sr::kSectionHeaderShort.qemu_message, "qemu_loadvm_section_start_full", err));
    info.section_id = section_id;
    info.instance_id = instance_id;
    info.version_id = version_id;
    info.body_begin = in_.offset();

    pending_section_id_ = section_id;
    std::optional<Entry> found = find_entry(idstr, instance_id);
    if (!found) {
      if (!r_.diag.unsupported.empty()) return -ENOTSUP;
      return ctx_.reject(sr::kUnknownSection, -EINVAL, unknown_section_message(idstr, instance_id));
    }
    const std::uint32_t local_version = entry_version(*found);
    if (version_id > local_version)
      return ctx_.reject(sr::kSectionVersionTooNew, -EINVAL,
                         qemu_format(sr::kSectionVersionTooNew.qemu_message, static_cast<int>(version_id), idstr,
                                     static_cast<int>(local_version)));
    Entry& entry = entries_[section_id] = std::move(*found);
    entry.load_version_id = version_id;

    int ret = load_entry(entry, info);
    info.body_end = in_.offset();
    if (ret < 0) {
      if (ret != -ENOTSUP)
        ctx_.reject(sr::kSectionLoadFailed, ret, section_load_failed_message(idstr, instance_id));
      r_.sections.push_back(std::move(info));
      return ret;
    }
    ret = footer(idstr, section_id);
    info.end = in_.offset();
    if (entry.kind == Entry::Kind::Virtio) r_.devices[entry.device].footer = dest_.machine.send_section_footer;
    r_.sections.push_back(std::move(info));
    return ret;
  }

  // qemu_loadvm_section_part_end
  int part_end(std::uint8_t type) {
    SectionInfo info{.type = type, .offset = in_.offset() - 1};
    const std::uint32_t section_id = in_.be32();
    if (int err = in_.error())
      return ctx_.reject(sr::kSectionHeaderShort, err,
                         qemu_format("%s: Failed to read section ID: %d", "qemu_loadvm_section_part_end", err));
    info.section_id = section_id;
    info.body_begin = in_.offset();
    auto it = entries_.find(section_id);
    if (it == entries_.end())
      return ctx_.reject(sr::kUnknownSectionId, -EINVAL,
                         qemu_format(sr::kUnknownSectionId.qemu_message, static_cast<int>(section_id)));
    info.idstr = it->second.idstr;
    int ret = load_entry(it->second, info);
    info.body_end = in_.offset();
    if (ret < 0) {
      if (ret != -ENOTSUP)
        ctx_.reject(sr::kSectionLoadFailed, ret,
                    qemu_format("error while loading state section id %d(%s)", static_cast<int>(section_id),
                                it->second.idstr));
      r_.sections.push_back(std::move(info));
      return ret;
    }
    ret = footer(it->second.idstr, section_id);
    info.end = in_.offset();
    r_.sections.push_back(std::move(info));
    return ret;
  }

  // vmstate_load for the entry: RAM, a virtio device, or a platform device
  // stepped over by its vmdesc size.
  int load_entry(const Entry& e, SectionInfo& info) {
    switch (e.kind) {
      case Entry::Kind::Ram:
        info.handling = SectionInfo::Handling::Ram;
        r_.has_ram = true;
        return ram_.load(ctx_, r_.memory, e.load_version_id);
      case Entry::Kind::Platform:
        info.handling = SectionInfo::Handling::Skipped;
        if (e.skip_size > in_.remaining())
          return ctx_.unsupported(qemu_format("the vmdesc size of section '%s' (%lu bytes) runs past the end of the "
                                              "stream",
                                              e.idstr, e.skip_size));
        in_.skip(e.skip_size);
        return 0;
      case Entry::Kind::Virtio: {
        info.handling = SectionInfo::Handling::Virtio;
        LoadedDevice& dev = r_.devices[e.device];
        dev.section_id = info.section_id ? info.section_id : dev.section_id;
        dev.version_id = e.load_version_id;
        dev.header_offset = info.offset;
        dev.body_begin = info.body_begin;
        const int ret =
            vmstate::load_state(ctx_, virtio::section_vmsd(dev.state.kind), dev.state, static_cast<int>(e.load_version_id));
        dev.body_end = in_.offset();
        dev.parsed = dev.state.parsed;
        return ret;
      }
    }
    return -EINVAL;
  }

  // check_section_footer
  int footer(const std::string& idstr, std::uint32_t section_id) {
    if (!dest_.machine.send_section_footer) return 0;
    ctx_.mark();
    const std::uint8_t mark = in_.u8();
    if (int err = in_.error())
      return ctx_.reject(sr::kFooterReadFailed, -EINVAL,
                         qemu_format(sr::kFooterReadFailed.qemu_message, "check_section_footer", err));
    if (mark != kSectionFooter)
      return ctx_.reject(sr::kFooterMissing, -EINVAL, qemu_format(sr::kFooterMissing.qemu_message, idstr));
    const std::uint32_t read = in_.be32();
    if (read != section_id)
      return ctx_.reject(sr::kFooterMismatch, -EINVAL,
                         qemu_format(sr::kFooterMismatch.qemu_message, idstr, read, section_id));
    return 0;
  }

  // loadvm_process_command, for the commands a plain precopy destination
  // can meet; postcopy, COLO and packaged streams are outside the model.
  int command() {
    SectionInfo info{.type = kCommand, .offset = in_.offset() - 1, .handling = SectionInfo::Handling::Command};
    const std::uint16_t cmd = in_.be16();
    const std::uint16_t len = in_.be16();
    info.body_begin = in_.offset();
    r_.sections.push_back(std::move(info));
    if (int err = in_.error()) return err;
    struct Arg {
      int len;
      const char* name;
    };
    static constexpr std::array<Arg, 11> kArgs = {{{-1, "INVALID"},
                                                    {0, "OPEN_RETURN_PATH"},
                                                    {4, "PING"},
                                                    {-1, "POSTCOPY_ADVISE"},
                                                    {0, "POSTCOPY_LISTEN"},
                                                    {0, "POSTCOPY_RUN"},
                                                    {-1, "POSTCOPY_RAM_DISCARD"},
                                                    {4, "PACKAGED"},
                                                    {0, "(null)"},  // ENABLE_COLO has no table entry
                                                    {0, "POSTCOPY_RESUME"},
                                                    {-1, "RECV_BITMAP"}}};
    if (cmd >= kArgs.size() || cmd == 0)
      return ctx_.reject(sr::kCommandUnknown, -EINVAL, qemu_format(sr::kCommandUnknown.qemu_message, cmd, len));
    if (kArgs[cmd].len != -1 && kArgs[cmd].len != len)
      return ctx_.reject(sr::kCommandBadLength, -ERANGE,
                         qemu_format(sr::kCommandBadLength.qemu_message, kArgs[cmd].name,
                                     static_cast<std::size_t>(kArgs[cmd].len), static_cast<int>(len)));
    switch (cmd) {
      case 1:  // exec:/file channels have no return path
        return ctx_.reject(sr::kReturnPathFailed, -1, std::string(sr::kReturnPathFailed.qemu_message));
      case 2: {
        const std::uint32_t v = in_.be32();
        return ctx_.reject(sr::kPingNoReturnPath, -1, qemu_format(sr::kPingNoReturnPath.qemu_message, v));
      }
      default:
        return ctx_.unsupported(qemu_format("MIG_CMD %s (postcopy/COLO/packaged streams are not modelled)",
                                            kArgs[cmd].name));
    }
  }

  void trailer() {
    ctx_.mark();
    const std::uint8_t type = in_.u8();
    if (type != kVmDescription) {
      ctx_.apply(sr::kVmdescExpected, qemu_format(sr::kVmdescExpected.qemu_message, static_cast<int>(type)));
      return;
    }
    const std::uint32_t size = in_.be32();
    in_.skip(size);
  }

  std::optional<Entry> find_entry(const std::string& idstr, std::uint32_t instance_id) {
    if (idstr == "ram" && instance_id == 0) return Entry{.kind = Entry::Kind::Ram, .idstr = idstr};
    for (std::size_t i = 0; i < dest_.devices.size(); ++i) {
      const VirtioDeviceSpec& spec = dest_.devices[i];
      if (spec.idstr != idstr || spec.instance_id != instance_id) continue;
      return Entry{.kind = Entry::Kind::Virtio, .device = device_slot(i), .idstr = idstr, .instance_id = instance_id};
    }
    if (!stream::is_platform_section(dest_.machine.family, idstr)) return std::nullopt;
    Entry platform{.kind = Entry::Kind::Platform, .idstr = idstr, .instance_id = instance_id};
    if (vmdesc_) {
      auto it = vmdesc_->body_sizes.find({idstr, instance_id});
      if (it != vmdesc_->body_sizes.end()) {
        platform.skip_size = it->second;
        return platform;
      }
    }
    // No vmdesc (a truncated or suppress-vmdesc stream): with footers, the
    // body ends at the first "7e <section id>" that a valid record follows.
    if (dest_.machine.send_section_footer) {
      if (auto size = stream::footer_distance(bytes_, in_.position(), pending_section_id_)) {
        platform.skip_size = *size;
        return platform;
      }
    }
    ctx_.unsupported("section '" + idstr + "' belongs to a device the reference does not model, and neither a " +
                     "vmdesc nor a section footer gives its size");
    return std::nullopt;
  }

  // The LoadedDevice for destination device i (created on first use: a
  // section met twice loads into the same device, as in QEMU).
  std::size_t device_slot(std::size_t spec) {
    for (std::size_t k = 0; k < r_.devices.size(); ++k)
      if (r_.devices[k].spec == spec) return k;
    const VirtioDeviceSpec& s = dest_.devices[spec];
    r_.devices.push_back(LoadedDevice{.spec = spec, .idstr = s.idstr, .instance_id = s.instance_id, .state = s.reset});
    r_.devices.back().state.profile = dest_.profile;
    return r_.devices.size() - 1;
  }

  std::uint32_t entry_version(const Entry& e) const {
    switch (e.kind) {
      case Entry::Kind::Ram: return 4;
      case Entry::Kind::Virtio:
        return static_cast<std::uint32_t>(virtio::device_ops(r_.devices[e.device].state.kind).version_id);
      case Entry::Kind::Platform: return UINT32_MAX;  // the source's own version
    }
    return 0;
  }

  std::string section_load_failed_message(const std::string& idstr, std::uint32_t instance_id) const {
    if (dest_.profile->release < 204)  // 2014: a warning printed with fprintf
      return qemu_format("qemu: warning: error while loading state for instance 0x%x of device '%s'", instance_id,
                         idstr);
    return qemu_format(sr::kSectionLoadFailed.qemu_message, instance_id, idstr);
  }

  std::string unknown_section_message(const std::string& idstr, std::uint32_t instance_id) const {
    if (dest_.profile->release < 204)  // 2014 wording
      return qemu_format("Unknown savevm section or instance '%s' %d", idstr, static_cast<int>(instance_id));
    return qemu_format(sr::kUnknownSection.qemu_message, idstr, instance_id);
  }

  LoadResult finish(int ret) {
    r_.consumed = in_.position();
    if (!r_.diag.unsupported.empty()) {
      r_.verdict = Verdict::Unsupported;
    } else if (ret < 0) {
      r_.verdict = Verdict::Rejected;
      r_.error = ret;
      if (!r_.diag.reject.rule) ctx_.ensure_reject_recorded(ret);
      r_.diag.messages.push_back(qemu_format("load of migration failed: %s", std::string(errno_text(ret))));
    } else {
      r_.verdict = Verdict::Accepted;
    }
    return std::move(r_);
  }

  std::span<const std::uint8_t> bytes_;
  const Destination& dest_;
  LoadResult r_;
  wire::Reader in_;
  vmstate::LoadContext ctx_;
  stream::RamLoader ram_;
  std::shared_ptr<const stream::Vmdesc> vmdesc_;
  std::map<std::uint32_t, Entry> entries_;  // by load_section_id
  std::uint32_t pending_section_id_ = 0;     // section being looked up
};

}  // namespace

LoadResult load_stream(std::span<const std::uint8_t> bytes, const Destination& dest, const LoadOptions& options) {
  return Loader(bytes, dest, options).stream();
}

LoadResult load_section_record(std::span<const std::uint8_t> bytes, const Destination& dest,
                               const LoadOptions& options) {
  if (dest.machine.send_section_footer) return Loader(bytes, dest, options).section_record();
  // Without a footer the body's last subsection peek would hit the end of the
  // input (a sticky -EIO); mid-stream it sees the next record's type byte.
  // Stand in for that byte with QEMU_VM_EOF.
  std::vector<std::uint8_t> framed(bytes.begin(), bytes.end());
  framed.push_back(kVmEof);
  LoadResult r = Loader(framed, dest, options).section_record();
  r.consumed = std::min<std::uint64_t>(r.consumed, bytes.size());
  return r;
}

LoadResult load_any(std::span<const std::uint8_t> bytes, const Destination& dest, const LoadOptions& options) {
  return is_full_stream(bytes) ? load_stream(bytes, dest, options) : load_section_record(bytes, dest, options);
}

}  // namespace migcheck
