#!/usr/bin/env python3
"""probe.py: what a QEMU 7.2 destination builds for -machine/-device args.

  python3 probe.py NAME MACHINE DEVICE_ARG... > NAME.txt

Starts qemu-system-x86_64 (-S, TCG, 2 MiB, -nodefaults, no driver ever
runs), reads x-query-virtio-status / x-query-virtio-queue-status of every
virtio device, saves the state with `migrate exec:cat > FILE` and cuts the
PCI config space, MSI-X size and config_len out of each virtio section.
Then it finds every config byte the loader checks (get_pci_config_device):
the stream's config bytes from a start offset on are all inverted and the
stream is loaded into a second QEMU with the same command line; the first
mismatch it reports names a checked byte with the destination's value and
masks.  Repeating from the next byte finds all of them with one load per
checked byte.
"""
import json
import os
import re
import socket
import struct
import subprocess
import sys
import tempfile
import time

QEMU = os.environ.get("QEMU", "qemu-system-x86_64")
WORK = tempfile.mkdtemp(prefix="dest-probe-")


class Vm:
    def __init__(self, args, incoming=False):
        self.sock_path = os.path.join(WORK, "qmp%d.sock" % time.monotonic_ns())
        full = [QEMU, "-nodefaults", "-no-user-config", "-display", "none", "-S",
                "-accel", "tcg", "-m", "2"] + args + [
                    "-qmp", "unix:%s,server=on,wait=off" % self.sock_path]
        if incoming:
            full += ["-incoming", "defer"]
        self.err_path = self.sock_path + ".err"
        self.errf = open(self.err_path, "wb")
        self.proc = subprocess.Popen(full, stdin=subprocess.DEVNULL, stdout=self.errf, stderr=self.errf)
        for _ in range(200):
            if os.path.exists(self.sock_path):
                break
            if self.proc.poll() is not None:
                raise RuntimeError("qemu exited: " + self.stderr())
            time.sleep(0.02)
        self.s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        for _ in range(100):
            try:
                self.s.connect(self.sock_path)
                break
            except OSError:
                time.sleep(0.02)
        self.f = self.s.makefile("rwb", buffering=0)
        self.read()
        self.cmd("qmp_capabilities")

    def stderr(self):
        self.errf.flush()
        with open(self.err_path, "rb") as f:
            return f.read().decode(errors="replace")

    def read(self):
        while True:
            line = self.f.readline()
            if not line:
                raise EOFError
            msg = json.loads(line)
            if "event" not in msg:
                return msg

    def cmd(self, name, **args):
        self.f.write(json.dumps({"execute": name, "arguments": args}).encode() + b"\n")
        r = self.read()
        if "error" in r:
            raise RuntimeError("%s: %s" % (name, r["error"]))
        return r["return"]

    def close(self):
        try:
            self.proc.kill()
        except OSError:
            pass
        self.proc.wait()
        self.errf.close()


SECTION = re.compile(rb"\x04(.{4})(.)((?:[0-9a-f]{4}:[0-9a-f]{2}(?::[0-9a-f]{2}\.[0-9a-f])+)/virtio-[a-z]+)", re.S)


def virtio_sections(data):
    out = []
    for m in SECTION.finditer(data):
        idstr = m.group(3)
        if m.group(2)[0] != len(idstr):
            continue
        inst, ver = struct.unpack(">II", data[m.end():m.end() + 8])
        body = m.end() + 8
        out.append(dict(idstr=idstr.decode(), instance=inst, version=ver, body=body))
    return out


def parse_pci(data, body):
    assert struct.unpack(">i", data[body:body + 4])[0] == 2
    cfg_at = body + 4
    c = data[cfg_at:cfg_at + 256]
    size = 256
    msix = 0
    if c[6] & 0x10:
        p = c[0x34]
        while p:
            if c[p] == 0x10:
                size = 4096
            if c[p] == 0x11:
                msix = (struct.unpack("<H", c[p + 2:p + 4])[0] & 0x7ff) + 1
            p = c[p + 1]
    at = cfg_at + size + 16
    if msix:
        at += 16 * msix + (msix + 7) // 8 + 2
    config_len = struct.unpack(">I", data[at + 8:at + 12])[0]
    return cfg_at, size, msix, config_len


def parse_net(data, body, msix, config_len):
    """virtio-net-device fields of a reset device (no MAC table entries)."""
    cfg_at, size, _, _ = parse_pci(data, body)
    at = cfg_at + size + 16
    if msix:
        at += 16 * msix + (msix + 7) // 8 + 2
    at += 8 + 4 + config_len
    nq = struct.unpack(">I", data[at:at + 4])[0]
    at += 4 + nq * (14 + (2 if msix else 0))
    mac = data[at:at + 6]
    at += 6 + 4 + 4
    status = struct.unpack(">H", data[at:at + 2])[0]
    promisc = data[at + 2]
    in_use = struct.unpack(">I", data[at + 4:at + 8])[0]
    assert in_use == 0
    at += 8
    vlans = data[at]
    at += 512 + 4 + 6 + 1
    max_pairs = curr = 1
    if data[at] not in (0x05, 0x7e):
        max_pairs, curr = struct.unpack(">HH", data[at:at + 4])
    return "net mac %s max_queue_pairs %d curr_queue_pairs %d status %d promisc %d vlans %02x" % (
        ":".join("%02x" % b for b in mac), max_pairs, curr, status, promisc, vlans)


def save(args):
    vm = Vm(args)
    try:
        devs = vm.cmd("x-query-virtio")
        info = []
        for d in devs:
            st = vm.cmd("x-query-virtio-status", path=d["path"])
            qs = [vm.cmd("x-query-virtio-queue-status", path=d["path"], queue=i) for i in range(st["num-vqs"])]
            info.append(dict(path=d["path"], status=st, queues=qs))
        mig = os.path.join(WORK, "src.mig")
        vm.cmd("migrate", uri="exec:cat > %s" % mig)
        for _ in range(500):
            if vm.cmd("query-migrate").get("status") in ("completed", "failed"):
                break
            time.sleep(0.02)
        with open(mig, "rb") as f:
            return info, f.read(), vm.stderr()
    finally:
        vm.close()


BAD = re.compile(r"Bad config data: i=0x([0-9a-f]+) read: ([0-9a-f]+) device: ([0-9a-f]+) "
                 r"cmask: ([0-9a-f]+) wmask: ([0-9a-f]+) w1cmask:([0-9a-f]+)")


def load(args, data):
    path = os.path.join(WORK, "dst.mig")
    with open(path, "wb") as f:
        f.write(data)
    vm = Vm(args, incoming=True)
    try:
        vm.cmd("migrate-incoming", uri="exec:cat %s" % path)
        for _ in range(500):
            if vm.proc.poll() is not None:
                break
            try:
                st = vm.cmd("query-migrate").get("status")
            except (EOFError, OSError):
                break
            if st in ("completed", "failed"):
                break
            time.sleep(0.02)
        time.sleep(0.05)
        return vm.stderr()
    finally:
        vm.close()


def probe_checked(args, data, cfg_at, size):
    found = []
    start = 0
    while start < size:
        mod = bytearray(data)
        for i in range(start, size):
            mod[cfg_at + i] ^= 0xFF
        err = load(args, bytes(mod))
        m = BAD.search(err)
        if not m:
            break
        i, read, dev, cm, wm, w1 = (int(x, 16) for x in m.groups())
        assert read == data[cfg_at + i] ^ 0xFF, (i, read)
        found.append((i, dev, cm, wm, w1))
        start = i + 1
    return found


def main():
    name, machine = sys.argv[1], sys.argv[2]
    devices = sys.argv[3:]
    args = ["-machine", machine]
    for d in devices:
        if d.startswith("-"):
            args += d.split(" ", 1)
        else:
            args += ["-device", d]
    info, data, err = save(args)
    print("# %s: generated by probe.py with %s" % (name, subprocess.run(
        [QEMU, "--version"], capture_output=True, text=True).stdout.splitlines()[0]))
    print("machine %s" % machine)
    for d in devices:
        print("arg %s" % d)
    if err.strip():
        for line in err.strip().splitlines():
            print("# stderr: %s" % line)
    secs = virtio_sections(data)
    for sec, inf in zip(secs, info):
        st = inf["status"]
        cfg_at, size, msix, config_len = parse_pci(data, sec["body"])
        print("device %s" % sec["idstr"])
        print("instance %d" % sec["instance"])
        print("section_version %d" % sec["version"])
        print("name %s" % st["name"])
        print("device_id %d" % st["device-id"])
        hf = st["host-features"]
        print("host_features %s | %s | unknown 0x%x" % (
            ",".join(x.split(":")[0] for x in hf["transports"]),
            ",".join(x.split(":")[0] for x in hf["dev-features"]),
            hf.get("unknown-dev-features", 0)))
        print("use_started %d" % st["use-started"])
        print("num_vqs %d" % st["num-vqs"])
        for q in inf["queues"]:
            print("queue %d %d %d" % (q["queue-index"], q["vring-num"], q["vring-num-default"]))
        print("config_len %d" % config_len)
        print("msix %d" % msix)
        print("pci_config_size %d" % size)
        if st["device-id"] == 1:
            print(parse_net(data, sec["body"], msix, config_len))
        cfg = data[cfg_at:cfg_at + size]
        nz = " ".join("%x:%02x" % (i, b) for i, b in enumerate(cfg) if b)
        print("config %s" % nz)
        for (i, dev, cm, wm, w1) in probe_checked(args, data, cfg_at, size):
            print("checked %x %02x %02x %02x %02x" % (i, dev, cm, wm, w1))
        print("end")


if __name__ == "__main__":
    main()
