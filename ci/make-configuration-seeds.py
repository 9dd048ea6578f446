#!/usr/bin/env python3
"""Writes corpora/seed/fuzz_stream/configuration-*.mig: QEMU 7.2's
configuration record (migration/savevm.c vmstate_configuration) with the
subsections a 7.2 source sends only in setups the captures do not have:
target-page-bits (targets whose page is not the minimum), capabilities
(any migration capability set) and uuid (validate-uuid on). Built from the
smallest capture, corpora/qemu-7.2/streams/balloon-legacy.mig: the
accepted one carries the whole stream, the rejected ones stop after the
record (QEMU stops there too).

Re-run after changing the captures: ci/make-configuration-seeds.py
"""
import pathlib
import struct

root = pathlib.Path(__file__).resolve().parent.parent
capture = (root / "corpora/qemu-7.2/streams/balloon-legacy.mig").read_bytes()
out = root / "corpora/seed/fuzz_stream"

# QEVM, version 3, QEMU_VM_CONFIGURATION, be32 len, the machine name.
name = b"pc-i440fx-7.2"
head = struct.pack(">IIBI", 0x5145564D, 3, 0x07, len(name)) + name
assert capture.startswith(head)
rest = capture[len(head):]


def subsection(idstr, body):
    return struct.pack(">BB", 0x05, len(idstr)) + idstr + struct.pack(">I", 1) + body


def page_bits(n):
    return subsection(b"configuration/target-page-bits", struct.pack(">I", n))


def caps(*names, count=None):
    body = struct.pack(">I", len(names) if count is None else count)
    for n in names:
        body += struct.pack(">B", len(n)) + n
    return subsection(b"configuration/capabilities", body)


uuid = subsection(b"configuration/uuid", bytes(range(0x10, 0x20)))
seeds = {
    # accepted: every subsection, in vmstate_configuration's order
    "accepted-all-subsections": page_bits(12) + caps(b"events", b"validate-uuid") + uuid + rest,
    "target-page-bits-13": page_bits(13) + b"\x00",
    "capability-x-ignore-shared": caps(b"x-ignore-shared") + b"\x00",
    "capability-unknown": caps(b"events", b"no-such-capability") + b"\x00",
    "capability-count-huge": caps(count=0x40000000) + b"\x00",
    "capability-truncated": caps(b"events")[:-3],
}
for label, tail in seeds.items():
    (out / ("configuration-%s.mig" % label)).write_bytes(head + tail)
