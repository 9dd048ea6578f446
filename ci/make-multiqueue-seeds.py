#!/usr/bin/env python3
"""Writes corpora/seed/fuzz_load/net-mq-*.section.bin: virtio-net section
records of a multiqueue device (-device virtio-net-pci,mq=on,queues=2), which
no capture has. fuzz_load infers its destination from the record, and infers
mq=on,queues=N only from 2N+1 queues; without such a seed it never meets the
device part's max/curr_queue_pairs nor the tx_waiting of the extra pairs
(CVE-2013-4150, spec §6.2.1).

Built from the capture corpora/seed/fuzz_load/net-legacy-nosub.section.bin
(legacy virtio-net, no MSI-X, no subsection, driver bound) as QEMU 7.2 would
save the same device realized with mq=on,queues=2 and a driver that
negotiated VIRTIO_NET_F_CTRL_VQ and VIRTIO_NET_F_MQ:
  - the config grows to 10 bytes (max_virtqueue_pairs = 2, little endian);
  - 5 queues: rx0 tx0 rx1 tx1 ctrl; rx1/tx1 are 256 entries, not set up;
  - the device part ends in max_queue_pairs = 2, curr_queue_pairs = C and
    the tx_waiting of vqs[1..C-1].
One record per C in {1, 2}.

Re-run after changing the capture: ci/make-multiqueue-seeds.py
"""
import pathlib
import struct

root = pathlib.Path(__file__).resolve().parent.parent
out = root / "corpora/seed/fuzz_load"
record = (out / "net-legacy-nosub.section.bin").read_bytes()

# QEMU_VM_SECTION_FULL, section id, idstr, instance id, version id.
idstr_len = record[5]
body = 6 + idstr_len + 8
assert record[0] == 0x04 and record[6:6 + idstr_len] == b"0000:00:02.0/virtio-net"
footer = record[-5:]
assert footer[0] == 0x7E and footer[1:] == record[1:5]

# Offsets in the body (migcheck dump of the capture): the common part after
# the 256-byte PCI config and 16 bytes of irq state, without MSI-X.
features = 0x118
config_len = 0x11C
assert struct.unpack_from(">I", record, body + config_len)[0] == 8
nvq = config_len + 4 + 8
assert struct.unpack_from(">I", record, body + nvq)[0] == 3
ctrl_queue = nvq + 4 + 2 * 14  # each queue: num, desc, last_avail_idx
device_end = len(record) - 5 - body  # no subsection follows the device part

VIRTIO_NET_F_CTRL_VQ, VIRTIO_NET_F_MQ = 17, 22
idle_queue = struct.pack(">IQH", 256, 0, 0)


def patched(curr_queue_pairs):
    b = bytearray(record[:body + device_end])
    tail = struct.pack(">HH", 2, curr_queue_pairs) + struct.pack(">I", 0) * (curr_queue_pairs - 1)
    b[body + ctrl_queue:body + ctrl_queue] = idle_queue * 2
    struct.pack_into(">I", b, body + nvq, 5)
    b[body + config_len:body + nvq] = struct.pack(">I", 10) + bytes(b[body + config_len + 4:body + nvq]) + b"\x02\x00"
    guest = struct.unpack_from(">I", b, body + features)[0]
    struct.pack_into(">I", b, body + features, guest | 1 << VIRTIO_NET_F_CTRL_VQ | 1 << VIRTIO_NET_F_MQ)
    return bytes(b) + tail + footer


for curr in (1, 2):
    (out / ("net-mq-2pairs-curr%d.section.bin" % curr)).write_bytes(patched(curr))
