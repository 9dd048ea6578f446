// infer_setup on hostile streams: what it builds from a stream is bounded by
// what a QEMU destination can be, not by the input's length.
#include <gtest/gtest.h>

#include <fstream>
#include <iterator>
#include <vector>

#include "migcheck/profile/profile.h"
#include "migcheck/stream/infer.h"

namespace {

std::vector<std::uint8_t> read(const std::string& path) {
  std::ifstream f(path, std::ios::binary);
  return {std::istreambuf_iterator<char>(f), std::istreambuf_iterator<char>()};
}

// fuzz_stream (out of memory after 4 min): a virtio-serial section whose
// queue count claims max_ports = 2^31 - 2, followed by 200 KB the ports map
// loop read as port bits, one -device string per set bit (90 MB). QEMU caps
// max_ports at VIRTIO_QUEUE_MAX / 2 - 1 = 511, so at most 511 ports.
TEST(InferSetup, SerialPortsMapIsReadNoFurtherThanAPortCountQemuAccepts) {
  const auto bytes = read(MIGCHECK_SOURCE_DIR "/corpora/regression/fuzz_stream/infer-serial-ports-map-amplification.mig");
  ASSERT_GT(bytes.size(), 100000u);
  const migcheck::InferredSetup setup = migcheck::infer_setup(bytes, migcheck::profile_7_2());
  // The serial device, then one virtconsole/virtserialport per port bit
  // (345,793 of them before the bound).
  ASSERT_FALSE(setup.devices.empty());
  EXPECT_NE(setup.devices[0].find("virtio-serial-pci"), std::string::npos);
  EXPECT_NE(setup.devices[0].find("max_ports=2147483646"), std::string::npos);
  EXPECT_LE(setup.devices.size(), 1u + 511u + 32u);  // whole 32-bit map words
  // The destination is refused with QEMU's message, as before.
  std::string error;
  EXPECT_FALSE(migcheck::infer_destination(bytes, migcheck::profile_7_2(), &error));
  EXPECT_NE(error.find("maximum ports supported: 511"), std::string::npos) << error;
}

}  // namespace
