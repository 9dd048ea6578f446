// The reader's QEMUFile semantics: zeros past the end, sticky first error
// with its offset, peeks that also mark the file.
#include <gtest/gtest.h>

#include <array>

#include "migcheck/wire/reader.h"
#include "migcheck/wire/writer.h"

using migcheck::wire::Reader;
using migcheck::wire::Writer;

TEST(WireReader, ReadsBigEndianScalars) {
  const std::array<std::uint8_t, 15> b = {0x01, 0x02, 0x03, 0x04, 0x05, 0x06, 0x07,
                                          0x08, 0x09, 0x0a, 0x0b, 0x0c, 0x0d, 0x0e, 0x0f};
  Reader r(b, 100);
  EXPECT_EQ(r.u8(), 0x01);
  EXPECT_EQ(r.be16(), 0x0203);
  EXPECT_EQ(r.be32(), 0x04050607u);
  EXPECT_EQ(r.be64(), 0x08090a0b0c0d0e0full);
  EXPECT_EQ(r.offset(), 115u);
  EXPECT_EQ(r.error(), 0);
}

TEST(WireReader, ReadPastTheEndYieldsZerosAndStickyEio) {
  const std::array<std::uint8_t, 3> b = {0xaa, 0xbb, 0xcc};
  Reader r(b, 0x1000);
  r.u8();
  // be32 over 2 real bytes: the real ones are kept, the rest read as 0.
  EXPECT_EQ(r.be32(), 0xbbcc0000u);
  EXPECT_EQ(r.error(), -EIO);
  EXPECT_EQ(r.error_offset(), 0x1003u);
  EXPECT_EQ(r.be16(), 0);
  EXPECT_EQ(r.error_offset(), 0x1003u) << "only the first error sticks";
  EXPECT_EQ(r.offset(), 0x1003u) << "position never moves past the end";
}

TEST(WireReader, BytesZeroFillAndReportWhatWasThere) {
  const std::array<std::uint8_t, 2> b = {1, 2};
  Reader r(b);
  std::array<std::uint8_t, 4> out{9, 9, 9, 9};
  EXPECT_EQ(r.bytes(out.data(), out.size()), 2u);
  EXPECT_EQ(out, (std::array<std::uint8_t, 4>{1, 2, 0, 0}));
  EXPECT_EQ(r.error(), -EIO);
}

TEST(WireReader, PeekPastTheEndIsZeroAndMarksTheFile) {
  const std::array<std::uint8_t, 1> b = {5};
  Reader r(b);
  EXPECT_EQ(r.peek(0), 5);
  EXPECT_EQ(r.error(), 0);
  EXPECT_EQ(r.peek(1), 0);
  EXPECT_EQ(r.error(), -EIO) << "qemu_peek_byte's refill fails at EOF";
  EXPECT_EQ(r.position(), 0u);
}

TEST(WireReader, SkipIsBoundedByTheData) {
  const std::array<std::uint8_t, 4> b = {};
  Reader r(b);
  EXPECT_EQ(r.skip(std::size_t{1} << 40), 4u);
  EXPECT_EQ(r.error(), -EIO);
}

TEST(WireWriter, WritesWhatTheReaderReads) {
  Writer w;
  w.u8(1);
  w.be16(0x0203);
  w.be32(0x04050607);
  w.be64(0x08090a0b0c0d0e0f);
  w.le32(0x11223344);
  Reader r(w.written());
  EXPECT_EQ(r.u8(), 1);
  EXPECT_EQ(r.be16(), 0x0203);
  EXPECT_EQ(r.be32(), 0x04050607u);
  EXPECT_EQ(r.be64(), 0x08090a0b0c0d0e0full);
  EXPECT_EQ(r.le32(), 0x11223344u);
  EXPECT_TRUE(r.at_end());
}
