// P2, roundtrip-bytes: every virtio section of an accepted stream re-encodes
// to its own bytes, or differs only by documented canonicalisations, and the
// re-encoding carries exactly the needed subsections in QEMU's list order.
#include <algorithm>
#include <optional>

#include "detail.h"
#include "layout.h"
#include "migcheck/harness/state_rules.h"
#include "migcheck/stream/save.h"
#include "migcheck/vmstate/format.h"

namespace migcheck::harness {

namespace {

using detail::Layout;
using vmstate::qemu_format;

std::string join(const std::vector<std::string_view>& v) {
  std::string s;
  for (const std::string_view x : v) s += (s.empty() ? "" : ", ") + std::string(x);
  return "[" + s + "]";
}

// A length-preserving difference at input offset `at` that a documented
// canonicalisation explains, or "".
std::string_view explain(const Layout::Item* item, std::uint64_t at, std::uint8_t in, std::uint8_t out,
                         bool features64_sent, std::uint64_t packed_at) {
  if (!item) return {};
  const std::string_view n = item->name;
  // virtio_load takes guest_features from virtio/64bit_features when that
  // subsection is sent; the common part's 32-bit word is only a temporary.
  if (n == "guest_features_lo" && features64_sent) return "features-low-word-superseded";
  // virtio/packed_virtqueues sets last_avail_idx again after the common part.
  if (n == "last_avail_idx" && at < packed_at) return "packed-overrides-last-avail";
  if (item->header)  // 0x05 len name be32 version: only the low byte is used
    return at + 4 >= item->end && at + 1 < item->end ? "subsection-version-high-bytes" : std::string_view{};
  // get_bool, blk's "more" byte, serial's be32 elem_popped: any non-zero is true.
  if (n == "elem_popped") return "nonzero-is-true";
  if (item->end - item->begin == 1 && in != 0 && out == 1) return "nonzero-is-true";
  if (n == "unused") return "unused-bytes-zeroed";
  // VirtQueueElementOld: padding, iov_base and entries past in_num/out_num are dropped.
  if (n == "in_addr" || n == "out_addr" || n == "in_sg" || n == "out_sg") return "element-host-fields-dropped";
  // virtio-serial: cols, rows and max_nr_ports are read and dropped.
  if (n == "config.cols" || n == "config.rows" || n == "config.max_nr_ports") return "serial-config-dropped";
  // virtio-ccw's indicators (s390_ind_addr_tmp's "addr"): post_load_ind_addr
  // drops the address of a zero-length indicator (ccw.ind_addr.null_drops_addr).
  if (n == "addr" && out == 0) return "ccw-null-indicator-dropped";
  return {};
}

// Structural canonicalisations visible in the input's layout of one body.
void structural(const Layout& layout, std::span<const std::uint8_t> bytes, std::uint64_t from, std::uint64_t to,
                std::vector<std::string_view>* found) {
  for (const Layout::Item& it : layout.items) {
    if (it.begin < from || it.begin >= to) continue;
    // A subsection name is matched as a C string: bytes after a NUL are dropped.
    if (it.header && it.end - it.begin != it.name.size() + 6) found->push_back("subsection-name-nul-terminated");
    // mac_table.in_use > 64: the entries are skipped and in_use becomes 0.
    if (!it.header && it.name == "mac_table.in_use" && it.end - it.begin == 4 && it.end <= bytes.size()) {
      const std::uint32_t v = std::uint32_t{bytes[it.begin]} << 24 | std::uint32_t{bytes[it.begin + 1]} << 16 |
                              std::uint32_t{bytes[it.begin + 2]} << 8 | bytes[it.begin + 3];
      if (v > 64) found->push_back("mac-table-overflow");
    }
  }
}

}  // namespace

Verdict roundtrip_bytes(std::span<const std::uint8_t> bytes, const Destination& dest) {
  if (detail::machine_newer_than_release(dest)) return detail::roundtrip_bytes_of(bytes, dest, {}, Layout());
  Layout layout;
  const LoadResult r = load_any(bytes, dest, detail::shared_load_options(&layout));
  return detail::roundtrip_bytes_of(bytes, dest, r, layout);
}

namespace detail {

bool machine_newer_than_release(const Destination& dest) {
  return dest.profile && dest.machine.version > dest.profile->release;
}

LoadOptions shared_load_options(Layout* layout) {
  LoadOptions options;
  options.keep_parsed = true;
  options.observer = layout;
  return options;
}

Verdict roundtrip_bytes_of(std::span<const std::uint8_t> bytes, const Destination& dest, const LoadResult& r,
                           const Layout& layout) {
  // A release never met a machine type newer than itself: what that
  // machine's compat properties turn on (e.g. ccw's css migration) is not
  // in the release's save format.
  if (machine_newer_than_release(dest)) return Verdict::skip("machine type newer than the loader's release");
  if (r.verdict != migcheck::Verdict::Accepted) return Verdict::skip("not accepted: nothing to re-encode");
  Verdict v;
  // The input's fields, for explaining differing bytes: loaded again if the
  // shared load recorded subsection headers only (load_properties).
  std::optional<Layout> loaded_fields;
  auto with_fields = [&]() -> const Layout& {
    if (layout.wants_fields()) return layout;
    if (!loaded_fields) {
      loaded_fields.emplace();
      load_any(bytes, dest, {.observer = &*loaded_fields});  // only its layout is read
    }
    return *loaded_fields;
  };
  auto note = [&](std::string_view what) {
    if (std::find(v.applied.begin(), v.applied.end(), what) == v.applied.end()) v.applied.emplace_back(what);
  };
  for (const LoadedDevice& dev : r.devices) {
    if (!dev.parsed) return Verdict::fail(dev.idstr + ": no parsed state");
    const virtio::VirtioDevice& loaded = *dev.parsed;
    // features64-unneeded: virtio/64bit_features sent to a device whose host
    // offers no bit >= 32. virtio_load keeps the 32-bit word (L14) and QEMU
    // never sends the subsection to such a device: the re-encoding carries
    // the word, and is compared with the input parsed that way.
    const bool features64_unneeded = (loaded.wire_subsections & sub_bit(VirtioSub::Features64)) &&
                                     (loaded.host_features >> 32) == 0 &&
                                     loaded.guest_features != loaded.wire_features_lo;
    if (features64_unneeded) note("features64-unneeded");
    // What is re-encoded: the parsed state under the destination's profile
    // (copied only when that changes it; fuzz_load runs this on every input).
    std::optional<virtio::VirtioDevice> adjusted;
    if (loaded.profile != dest.profile || features64_unneeded) {
      adjusted.emplace(loaded);
      adjusted->profile = dest.profile;
      if (features64_unneeded) adjusted->guest_features = adjusted->wire_features_lo;
    }
    const virtio::VirtioDevice& parsed = adjusted ? *adjusted : loaded;
    auto out = save_section(parsed, {.section_id = dev.section_id,
                                           .idstr = dev.idstr,
                                           .instance_id = dev.instance_id,
                                           .version_id = dev.version_id,
                                           .footer = dev.footer});
    const std::uint64_t begin = dev.header_offset;
    const std::uint64_t end = std::min<std::uint64_t>(dev.body_end + (dev.footer ? 5 : 0), bytes.size());
    const std::span<const std::uint8_t> input_record = bytes.subspan(begin, end - begin);
    const bool same_bytes = std::equal(out.begin(), out.end(), input_record.begin(), input_record.end());
    const std::vector<std::string_view> seen = layout.subsections(dev.body_begin, dev.body_end);
    const bool features64_sent =
        std::find(seen.begin(), seen.end(), "virtio/64bit_features") != seen.end();
    const std::vector<std::string_view> needed = detail::needed_subsection_names(parsed, *dest.profile);

    // What the re-encoding carries: the input's sequence when identical,
    // else what a load of the re-encoded record meets.
    std::vector<std::string_view> written = seen;
    if (!same_bytes) {
      virtio::VirtioDevice expected = loaded;
      if (features64_unneeded) {
        expected.guest_features = expected.wire_features_lo;
        expected.wire_subsections &= ~sub_bit(VirtioSub::Features64);
      }
      Layout again(false);  // its subsections only
      LoadOptions o2;
      o2.keep_parsed = true;
      o2.observer = &again;
      const LoadResult r2 = load_section_record(out, dest, o2);
      if (detail::subsection_peek_past_end(out, r2)) {  // a lone record ends where the stream went on
        note("subsection-peek-past-end");
        continue;
      }
      // packed-overrides-last-avail: virtio/packed_virtqueues set a
      // last_avail_idx after the common part's desc == 0 check (L8a); QEMU
      // re-saves it in the common part, where its own load refuses it.
      if (detail::refused_packed_resave(r2, *dev.parsed)) {
        note("packed-overrides-last-avail");
        continue;
      }
      if (r2.verdict != migcheck::Verdict::Accepted || r2.devices.size() != 1 || !r2.devices[0].parsed)
        return Verdict::fail(dev.idstr + ": the re-encoded section is " + detail::describe_result(r2));
      written = again.subsections(r2.devices[0].body_begin, r2.devices[0].body_end);
      // Same meaning: the re-encoding parses to the same state, and re-encodes to itself.
      virtio::VirtioDevice reparsed = *r2.devices[0].parsed;
      // features-low-word-superseded: the device part read with the
      // temporary 32-bit word (virtio-net derives its guest offloads from
      // it when they are not sent); the re-encoding's word is the low half
      // of the 64-bit features.
      if (detail::features_low_word_superseded(expected)) {
        reparsed.wire_features_lo = dev.parsed->wire_features_lo;
        reparsed.net.saved_guest_offloads = dev.parsed->net.saved_guest_offloads;
        reparsed.net.curr_guest_offloads = dev.parsed->net.curr_guest_offloads;
      }
      // unneeded-subsection-dropped: a subsection the input sent although
      // its needed() is false on the loaded state (e.g. page-poison after
      // the feature bit was cleared) is not re-saved, so its fields come
      // from the destination on the re-load.
      const bool same = reparsed == expected;
      bool dropped_unneeded = false;
      if (!same) {
        std::vector<std::string_view> dropped;
        for (const std::string_view s : seen)
          if (std::find(needed.begin(), needed.end(), s) == needed.end()) dropped.push_back(s);
        if (!dropped.empty() && detail::first_difference_outside(expected, reparsed, dropped).empty()) {
          note("unneeded-subsection-dropped");
          dropped_unneeded = true;
        }
      }
      // queue-count-truncated: queue entries virtio_save does not write
      // again (from the first vring.num == 0 on) revert to the destination's
      // on the re-load; the re-encoding need only reach a fixed point, one
      // round later (those slots may have a vring.num again). The same for
      // a dropped unneeded subsection: its fields' destination values may
      // make it needed on the re-load (virtio/ringsize sent with num_default
      // == num; the destination's num_default differs: fuzz_load finding).
      const bool truncated = detail::drops_queues(*dev.parsed);
      if (truncated) note("queue-count-truncated");
      const bool one_more_round = truncated || dropped_unneeded;
      if (!same && !dropped_unneeded && !truncated)
        return Verdict::fail(dev.idstr + ": the re-encoded section parses differently: " +
                             detail::first_difference(expected, reparsed));
      const SectionHeader so{.section_id = dev.section_id, .idstr = dev.idstr, .instance_id = dev.instance_id,
                                  .version_id = dev.version_id, .footer = dev.footer};
      reparsed.profile = dest.profile;
      std::vector<std::uint8_t> twice = save_section(reparsed, so);
      if (one_more_round && twice != out) {
        const LoadResult r3 = load_section_record(twice, dest, {.keep_parsed = true});
        // The same refusal one round later: the truncated queues came back
        // from the destination with a packed last_avail_idx on an unset ring.
        if (detail::refused_packed_resave(r3, reparsed)) {
          note("packed-overrides-last-avail");
          continue;
        }
        if (r3.verdict != migcheck::Verdict::Accepted || r3.devices.size() != 1 || !r3.devices[0].parsed)
          return Verdict::fail(dev.idstr + ": the section re-encoded twice is " + detail::describe_result(r3));
        virtio::VirtioDevice third = *r3.devices[0].parsed;
        third.profile = dest.profile;
        out = std::move(twice);
        twice = save_section(third, so);
      }
      if (twice != out) return Verdict::fail(dev.idstr + ": the re-encoding is not a fixed point");
    }
    if (written != needed)
      return Verdict::fail(dev.idstr + ": re-encoded subsections " + join(written) +
                           ", but QEMU writes the needed ones in list order: " + join(needed));
    if (same_bytes) continue;
    std::vector<std::uint8_t> original(input_record.begin(), input_record.end());
    // eof-stand-in: a footerless lone record is loaded with QEMU_VM_EOF
    // (0x00) after it, standing in for the next record's type byte; a body
    // whose last byte is a 0 terminator may end without it.
    if (!dev.footer && !is_full_stream(bytes) && out.size() == original.size() + 1 && out.back() == 0 &&
        std::equal(original.begin(), original.end(), out.begin())) {
      note("eof-stand-in");
      continue;
    }
    std::uint64_t packed_at = UINT64_MAX;
    for (const Layout::Item& it : layout.items)
      if (it.header && it.name == "virtio/packed_virtqueues" && it.begin >= dev.body_begin && it.begin < dev.body_end)
        packed_at = std::min(packed_at, it.begin);

    // Structural canonicalisations: the subsection sequence, the config length.
    bool is_structural = false;
    if (seen != needed) {
      note("subsections-canonical");
      is_structural = true;
    }
    if (dev.parsed->wire_config_len != static_cast<std::int32_t>(dev.parsed->config.size())) {
      note("config-len-local");
      is_structural = true;
    }
    // Slots the stream did not cover keep the destination's queues, which
    // virtio_save then writes too (it counts leading slots with a vring.num).
    if (dev.parsed->wire_num_queues != saved_queue_count(*dev.parsed)) {
      note(detail::drops_queues(*dev.parsed) ? "queue-count-truncated" : "queue-count-from-destination");
      is_structural = true;
    }
    // The device part's fields follow the temporary 32-bit word on load and
    // the full features on save (virtio-net's curr_guest_offloads).
    if (detail::features_low_word_superseded(*dev.parsed)) {
      note("features-low-word-superseded");
      is_structural = true;
    }
    std::vector<std::string_view> layout_changes;
    const Layout& fields = with_fields();
    structural(fields, bytes, dev.body_begin, dev.body_end, &layout_changes);
    for (std::string_view c : layout_changes) {
      note(c);
      is_structural = true;
    }
    // Length-preserving ones, explained byte by byte until the first
    // structural difference.
    std::size_t i = 0;
    while (true) {
      while (i < original.size() && i < out.size() && original[i] == out[i]) ++i;
      if (i == original.size() && i == out.size()) break;
      if (i >= original.size() || i >= out.size()) {
        if (is_structural) break;
        return Verdict::fail(qemu_format("%s: lengths differ (%zu vs %zu) without a structural canonicalisation",
                                         dev.idstr, original.size(), out.size()));
      }
      const std::uint64_t at = begin + i;
      // qemu_loadvm_section_start_full loads a START record as it loads a
      // FULL one; a device's state is saved in the FULL phase.
      const bool start_as_full = i == 0 && original[i] == 0x01 && out[i] == 0x04;
      const std::string_view why = start_as_full ? "section-start-saved-as-full"
                                                 : explain(fields.at(at), at, original[i], out[i], features64_sent,
                                                           packed_at);
      if (why.empty()) {
        if (is_structural) break;  // beyond a structural change offsets no longer line up
        const Layout::Item* item = fields.at(at);
        return Verdict::fail(qemu_format("%s: byte 0x%lx (%s) is 0x%02x, re-encoded 0x%02x: no documented "
                                         "canonicalisation",
                                         dev.idstr, at, item ? std::string(item->name) : std::string("?"),
                                         original[i], out[i]));
      }
      note(why);
      original[i] = out[i];
    }
  }
  return v;
}

}  // namespace detail

}  // namespace migcheck::harness
