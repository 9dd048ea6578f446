"""Locate fields in QEMU 7.2 migration streams, for writing byte-level edits.

A small, independent reader written from the spec (shared spec §1-§6): it
finds records, RAM pages and the fields of a virtio-pci section so the vector
sources can say `nvq` or `vq[1].last_avail_idx` instead of a raw offset. It
never decides whether a stream is valid; that is what the vectors test.
"""
import re
import struct

QEVM = b"QEVM"


class Stream:
    """A full stream (QEVM...) or a lone section record (0x04...)."""

    def __init__(self, data, footers=True):
        self.data = bytes(data)
        self.footers = footers
        self.sections = []  # dicts: type, offset, idstr, body, end
        self.ram_pages = {}  # (block, offset) -> file offset of the 4 KiB page
        if self.data[:4] == QEVM:
            self._parse_stream()
        else:
            self._parse_record(0)

    # -- framing (spec §1) --------------------------------------------------
    def _parse_stream(self):
        d, p = self.data, 8
        if d[p] == 0x07:  # configuration: be32 len + name, subsections not used in our captures
            n = struct.unpack_from(">I", d, p + 1)[0]
            p += 5 + n
        while p < len(d):
            t = d[p]
            if t == 0x00:
                break
            if t in (0x01, 0x04):
                sid = struct.unpack_from(">I", d, p + 1)[0]
                n = d[p + 5]
                idstr = d[p + 6:p + 6 + n].decode()
                body = p + 6 + n + 8
                end = self._ram(body) if idstr == "ram" else self._footer(p)
                self.sections.append({"type": t, "id": sid, "offset": p, "idstr": idstr, "body": body, "end": end})
                if end is None:
                    break  # without footers an unknown body cannot be skipped; see _find_virtio
                p = end + (5 if self.footers else 0)
            elif t in (0x02, 0x03):
                end = self._ram(p + 5)
                p = end + (5 if self.footers else 0)
            else:
                raise ValueError(f"record type {t:#x} at {p:#x}")

    def _ram(self, p):
        # RAM_SAVE_FLAG_*: MEM_SIZE 0x04, ZERO 0x02, PAGE 0x08, EOS 0x10, CONTINUE 0x20
        d, block = self.data, None
        while True:
            addr_flags = struct.unpack_from(">Q", d, p)[0]
            p += 8
            flags, addr = addr_flags & 0xfff, addr_flags & ~0xfff
            if flags & 0x10:
                return p
            if flags & 0x04:
                left = addr_flags & ~0xfff
                while left:
                    n = d[p]
                    length = struct.unpack_from(">Q", d, p + 1 + n)[0]
                    p += 1 + n + 8
                    left -= length
                continue
            if not flags & 0x20:
                n = d[p]
                block = d[p + 1:p + 1 + n].decode()
                p += 1 + n
            if flags & 0x02:
                p += 1
            elif flags & 0x08:
                self.ram_pages[(block, addr)] = p
                p += 4096
            else:
                raise ValueError(f"RAM flags {flags:#x} at {p:#x}")

    def _parse_record(self, p):
        n = self.data[p + 5]
        idstr = self.data[p + 6:p + 6 + n].decode()
        self.sections.append({"type": self.data[p], "id": struct.unpack_from(">I", self.data, p + 1)[0],
                              "offset": p, "idstr": idstr, "body": p + 6 + n + 8, "end": len(self.data) - 5})

    def _footer(self, p):
        # A body's end is found from its footer: 7e + be32 section id (the
        # first match; good enough for the sections our captures carry).
        if not self.footers:
            return None
        i = self.data.find(b"\x7e" + self.data[p + 1:p + 5], p + 10)
        return i if i >= 0 else None

    def _find_virtio(self):
        # Footer-less streams: find the FULL header "04 id len <path>/virtio-..." by pattern.
        for m in re.finditer(rb"\x04....([\x08-\x40])([0-9a-f:.]+/virtio-[a-z]+)", self.data, re.S):
            if m.group(1)[0] == len(m.group(2)):
                p = m.start()
                n = self.data[p + 5]
                return {"type": 4, "id": struct.unpack_from(">I", self.data, p + 1)[0], "offset": p,
                        "idstr": m.group(2).decode(), "body": p + 6 + n + 8, "end": None}
        raise KeyError("no virtio section")

    # -- lookups -------------------------------------------------------------
    def virtio(self):
        for s in self.sections:
            if "virtio" in s["idstr"]:
                return s
        return self._find_virtio()

    def ram(self, gpa, block="pc.ram"):
        """File offset of guest-physical byte `gpa` (its page must be a full page)."""
        page = self.ram_pages.get((block, gpa & ~0xfff))
        if page is None:
            raise KeyError(f"RAM page {gpa & ~0xfff:#x} of {block} is not a full page in this stream")
        return page + (gpa & 0xfff)

    def find(self, needle, start=0):
        i = self.data.find(needle, start)
        if i < 0 or self.data.find(needle, i + 1) >= 0:
            raise KeyError(f"{needle!r}: not found exactly once")
        return i

    def subsection(self, name):
        """Offset of the 0x05 byte of subsection `name`."""
        return self.find(bytes([0x05, len(name)]) + name.encode() + b"\x00\x00\x00\x01")


def virtio_fields(data, sec, config_size=256, net=False):
    """Offsets of the virtio-pci common part (spec §3.2, §5.1) and, for
    virtio-net, the device part (§6.2.1) of the section starting at sec."""
    be32 = lambda o: struct.unpack_from(">I", data, o)[0]
    f = {"section.version_id": sec["body"] - 4, "section.instance_id": sec["body"] - 8,
         "section.idstr": sec["offset"] + 6}
    p = sec["body"]
    f["pci.version_id"] = p
    cfg = p + 4
    f["pci.config"] = cfg
    p = cfg + config_size
    for i in range(4):
        f[f"irq_state[{i}]"] = p + 4 * i
    p += 16
    # MSI-X: walk the capability list of the saved config (cap id 0x11).
    vectors, cap = 0, data[cfg + 0x34] if data[cfg + 6] & 0x10 else 0
    while cap:
        if data[cfg + cap] == 0x11:
            vectors = (struct.unpack_from("<H", data, cfg + cap + 2)[0] & 0x7ff) + 1
        cap = data[cfg + cap + 1]
    f["msix.vectors"] = vectors
    if vectors:
        f["msix.table"] = p
        p += 16 * vectors + (vectors + 7) // 8
        f["config_vector"] = p
        p += 2
    f["status"], f["isr"], f["queue_sel"], f["features"] = p, p + 1, p + 2, p + 4
    f["config_len"] = p + 8
    config_len = be32(p + 8)
    f["config"] = p + 12
    p += 12 + config_len
    f["nvq"] = p
    nvq = be32(p)
    p += 4
    for i in range(nvq):
        f[f"vq[{i}].num"], f[f"vq[{i}].desc"], f[f"vq[{i}].last_avail_idx"] = p, p + 4, p + 12
        p += 14
        if vectors:
            f[f"vq[{i}].vector"] = p
            p += 2
    f["device"] = p
    if net:
        names = [("mac", 6), ("vqs[0].tx_waiting", 4), ("mergeable_rx_bufs", 4), ("net.status", 2),
                 ("promisc", 1), ("allmulti", 1), ("mac_table.in_use", 4)]
        for name, size in names:
            f[name] = p
            p += size
        in_use = be32(f["mac_table.in_use"])
        f["mac_table.macs"] = p
        p += 6 * in_use
        for name, size in [("vlans", 512), ("has_vnet_hdr", 4), ("mac_table.multi_overflow", 1),
                           ("mac_table.uni_overflow", 1), ("alluni", 1), ("nomulti", 1), ("nouni", 1),
                           ("nobcast", 1), ("has_ufo", 1)]:
            f[name] = p
            p += size
        f["net.end_fixed"] = p  # max/curr_queue_pairs (mq only), then curr_guest_offloads if negotiated
    return f
