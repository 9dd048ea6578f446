#include "migcheck/stream/roundtrip.h"

#include "migcheck/stream/save.h"
#include "migcheck/vmstate/format.h"

namespace migcheck {

RoundTrip roundtrip_section(std::span<const std::uint8_t> input, const LoadedDevice& dev) {
  RoundTrip rt;
  if (!dev.parsed) {
    rt.detail = "no parsed state (load without keep_parsed, or the body did not parse)";
    return rt;
  }
  const auto out = save_section(*dev.parsed, {.section_id = dev.section_id,
                                              .idstr = dev.idstr,
                                              .instance_id = dev.instance_id,
                                              .version_id = dev.version_id,
                                              .footer = dev.footer});
  const std::uint64_t begin = dev.header_offset;
  const std::uint64_t end = dev.body_end + (dev.footer ? 5 : 0);
  const std::span<const std::uint8_t> original =
      input.subspan(begin, std::min<std::uint64_t>(end, input.size()) - begin);
  rt.original_size = original.size();
  rt.reencoded_size = out.size();
  std::size_t i = 0;
  while (i < original.size() && i < out.size() && original[i] == out[i]) ++i;
  rt.identical = i == original.size() && i == out.size();
  rt.first_difference = begin + i;
  if (!rt.identical)
    rt.detail = vmstate::qemu_format("first difference at 0x%lx (section +0x%zx): input %s, re-encoded %s",
                                     rt.first_difference, i,
                                     i < original.size() ? vmstate::qemu_format("0x%02x", original[i]) : "ends",
                                     i < out.size() ? vmstate::qemu_format("0x%02x", out[i]) : "ends");
  return rt;
}

}  // namespace migcheck
