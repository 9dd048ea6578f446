#!/usr/bin/env python3
"""Load conformance inputs into a real qemu-system-x86_64 and record what it does.

Development-time evidence for the vector expectations (never run by the
product or CI): each job is a migration stream plus the destination's QEMU
arguments; the result is QEMU's exit class (0 loaded, 1 rejected, -9 hung
and killed, -N died on signal N), its stderr lines and, for a completed
load, the device as x-query-virtio-status / x-query-virtio-queue-status show
it, converted to integer words (the shape `migcheck check --json` prints).

    python3 qemu_observe.py JOBS.json OUT.json      # JOBS: [{"name", "stream", "args", "input_sha256"}]

OUT is merged: jobs already observed with the same input_sha256 are skipped
(FORCE=1 reruns them). gen_vectors.py --jobs writes JOBS.

Our own code; the QMP/launch approach mirrors how the captures were made
(-incoming defer, migrate-incoming exec:cat FILE, -m 2, a 64 KiB BIOS).
"""
import json
import os
import socket
import subprocess
import sys
import tempfile
import time

QEMU = os.environ.get("QEMU", "qemu-system-x86_64")
HANG_SECONDS = float(os.environ.get("HANG_SECONDS", "8"))
PREFIX = "qemu-system-x86_64: "
NOISE = ("warning: nic dev0 has no peer",)

# Feature bit numbers (include/standard-headers/linux/virtio_*.h), by the
# names QMP prints before the colon.
FEATURE_BITS = {
    "VIRTIO_F_NOTIFY_ON_EMPTY": 24, "VIRTIO_F_ANY_LAYOUT": 27, "VIRTIO_RING_F_INDIRECT_DESC": 28,
    "VIRTIO_RING_F_EVENT_IDX": 29, "VHOST_USER_F_PROTOCOL_FEATURES": 30, "VIRTIO_F_BAD_FEATURE": 30,
    "VIRTIO_F_VERSION_1": 32, "VIRTIO_F_IOMMU_PLATFORM": 33, "VIRTIO_F_RING_PACKED": 34,
    "VIRTIO_F_IN_ORDER": 35, "VIRTIO_F_ORDER_PLATFORM": 36, "VIRTIO_F_SR_IOV": 37,
    "VIRTIO_F_NOTIFICATION_DATA": 38, "VIRTIO_F_RING_RESET": 40, "VHOST_F_LOG_ALL": 26,
    "VHOST_NET_F_VIRTIO_NET_HDR": 27,
    "VIRTIO_NET_F_CSUM": 0, "VIRTIO_NET_F_GUEST_CSUM": 1, "VIRTIO_NET_F_CTRL_GUEST_OFFLOADS": 2,
    "VIRTIO_NET_F_MTU": 3, "VIRTIO_NET_F_MAC": 5, "VIRTIO_NET_F_GSO": 6, "VIRTIO_NET_F_GUEST_TSO4": 7,
    "VIRTIO_NET_F_GUEST_TSO6": 8, "VIRTIO_NET_F_GUEST_ECN": 9, "VIRTIO_NET_F_GUEST_UFO": 10,
    "VIRTIO_NET_F_HOST_TSO4": 11, "VIRTIO_NET_F_HOST_TSO6": 12, "VIRTIO_NET_F_HOST_ECN": 13,
    "VIRTIO_NET_F_HOST_UFO": 14, "VIRTIO_NET_F_MRG_RXBUF": 15, "VIRTIO_NET_F_STATUS": 16,
    "VIRTIO_NET_F_CTRL_VQ": 17, "VIRTIO_NET_F_CTRL_RX": 18, "VIRTIO_NET_F_CTRL_VLAN": 19,
    "VIRTIO_NET_F_CTRL_RX_EXTRA": 20, "VIRTIO_NET_F_GUEST_ANNOUNCE": 21, "VIRTIO_NET_F_MQ": 22,
    "VIRTIO_NET_F_CTRL_MAC_ADDR": 23, "VIRTIO_NET_F_HASH_REPORT": 57, "VIRTIO_NET_F_RSS": 60,
    "VIRTIO_NET_F_RSC_EXT": 61, "VIRTIO_NET_F_STANDBY": 62, "VIRTIO_NET_F_SPEED_DUPLEX": 63,
    "VIRTIO_BLK_F_BARRIER": 0, "VIRTIO_BLK_F_SIZE_MAX": 1, "VIRTIO_BLK_F_SEG_MAX": 2,
    "VIRTIO_BLK_F_GEOMETRY": 4, "VIRTIO_BLK_F_RO": 5, "VIRTIO_BLK_F_BLK_SIZE": 6,
    "VIRTIO_BLK_F_SCSI": 7, "VIRTIO_BLK_F_FLUSH": 9, "VIRTIO_BLK_F_TOPOLOGY": 10,
    "VIRTIO_BLK_F_CONFIG_WCE": 11, "VIRTIO_BLK_F_MQ": 12, "VIRTIO_BLK_F_DISCARD": 13,
    "VIRTIO_BLK_F_WRITE_ZEROES": 14,
    "VIRTIO_SCSI_F_INOUT": 0, "VIRTIO_SCSI_F_HOTPLUG": 1, "VIRTIO_SCSI_F_CHANGE": 2,
    "VIRTIO_SCSI_F_T10_PI": 3,
    "VIRTIO_CONSOLE_F_SIZE": 0, "VIRTIO_CONSOLE_F_MULTIPORT": 1, "VIRTIO_CONSOLE_F_EMERG_WRITE": 2,
    "VIRTIO_BALLOON_F_MUST_TELL_HOST": 0, "VIRTIO_BALLOON_F_STATS_VQ": 1,
    "VIRTIO_BALLOON_F_DEFLATE_ON_OOM": 2, "VIRTIO_BALLOON_F_FREE_PAGE_HINT": 3,
    "VIRTIO_BALLOON_F_PAGE_POISON": 4, "VIRTIO_BALLOON_F_REPORTING": 5,
}
STATUS_BITS = {"VIRTIO_CONFIG_S_ACKNOWLEDGE": 1, "VIRTIO_CONFIG_S_DRIVER": 2, "VIRTIO_CONFIG_S_DRIVER_OK": 4,
               "VIRTIO_CONFIG_S_FEATURES_OK": 8, "VIRTIO_CONFIG_S_NEEDS_RESET": 0x40,
               "VIRTIO_CONFIG_S_FAILED": 0x80}


def feature_word(qmp_features):
    word = 0
    for group in ("transports", "dev-features"):
        for text in qmp_features.get(group, []):
            word |= 1 << FEATURE_BITS[text.split(":")[0]]
    return word | qmp_features.get("unknown-dev-features", 0)


def status_byte(qmp_status):
    value = 0
    for text in qmp_status.get("statuses", []):
        value |= STATUS_BITS[text.split(":")[0]]
    return value | qmp_status.get("unknown-statuses", 0)


class Qmp:
    def __init__(self, path, deadline):
        while True:
            try:
                self.sock = socket.socket(socket.AF_UNIX)
                self.sock.connect(path)
                break
            except OSError:
                if time.time() > deadline:
                    raise
                time.sleep(0.02)
        self.sock.settimeout(max(0.5, deadline - time.time()))
        self.buf = b""
        self._read()  # greeting
        self.cmd("qmp_capabilities")

    def _read(self):
        while b"\n" not in self.buf:
            chunk = self.sock.recv(65536)
            if not chunk:
                raise EOFError("QMP closed")
            self.buf += chunk
        line, self.buf = self.buf.split(b"\n", 1)
        return json.loads(line)

    def cmd(self, name, **args):
        self.sock.sendall(json.dumps({"execute": name, "arguments": args}).encode() + b"\n")
        while True:
            msg = self._read()
            if "return" in msg or "error" in msg:
                return msg


def device_state(qmp):
    path = "/machine/peripheral/dev0/virtio-backend"
    st = qmp.cmd("x-query-virtio-status", path=path)["return"]
    dev = {"name": st["name"], "num-vqs": st["num-vqs"], "device-endian": st["device-endian"],
           "broken": st["broken"], "started": st["started"], "disabled": st["disabled"],
           "start-on-kick": st["start-on-kick"], "isr": st["isr"], "queue-sel": st["queue-sel"],
           "status": status_byte(st["status"]), "guest-features": feature_word(st["guest-features"]),
           "host-features": feature_word(st["host-features"]), "queues": []}
    for i in range(st["num-vqs"]):
        q = qmp.cmd("x-query-virtio-queue-status", path=path, queue=i)["return"]
        dev["queues"].append({k: v for k, v in q.items() if k != "name"})
    return dev


def observe(stream_path, args, workdir):
    bios = os.path.join(workdir, "bios64k.bin")
    if not os.path.exists(bios):
        with open(bios, "wb") as f:  # RAM block size must match the source's 64 KiB BIOS
            f.write(bytes(65536))
    sock = os.path.join(workdir, "qmp.sock")
    if os.path.exists(sock):
        os.unlink(sock)
    args = [a.replace("$WORK", workdir) for a in args]
    disk = os.path.join(workdir, "disk1m.img")
    if not os.path.exists(disk):
        with open(disk, "wb") as f:  # blk destinations: a raw 1 MiB image, like the captures'
            f.write(bytes(1 << 20))
    cmd = [QEMU, "-nodefaults", "-no-user-config", "-display", "none", "-S", "-accel", "tcg", "-m", "2",
           "-bios", bios] + args + ["-qmp", f"unix:{sock},server=on,wait=off", "-incoming", "defer"]
    err = open(os.path.join(workdir, "stderr"), "w+")
    proc = subprocess.Popen(cmd, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=err)
    deadline = time.time() + HANG_SECONDS
    result = {"cmdline": [os.path.basename(QEMU)] + [a.replace(workdir, "$WORK") for a in cmd[1:]]}
    try:
        qmp = Qmp(sock, deadline)
        qmp.cmd("migrate-incoming", uri=f"exec:cat {stream_path}")
        while time.time() < deadline:
            status = qmp.cmd("query-migrate")["return"].get("status")
            if status == "completed":
                result["device"] = device_state(qmp)
                qmp.cmd("quit")
                break
            if status == "failed":
                break
            time.sleep(0.05)
    except (OSError, EOFError, socket.timeout, json.JSONDecodeError):
        pass  # QEMU exited (rejected or crashed) or stopped answering (hung)
    try:
        code = proc.wait(timeout=max(0.1, deadline - time.time()))
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait()
        code = -9
    if "device" in result and code == 0:
        code = 0
    result["exit"] = code
    err.seek(0)
    lines = [l[len(PREFIX):] if l.startswith(PREFIX) else l for l in err.read().splitlines()]
    result["stderr"] = [l for l in lines if l and l not in NOISE]
    err.close()
    return result


def main():
    if len(sys.argv) != 3 or sys.argv[1] in ("-h", "--help"):
        print(__doc__)
        return 0 if len(sys.argv) == 2 else 2
    jobs = json.load(open(sys.argv[1]))
    out = json.load(open(sys.argv[2])) if os.path.exists(sys.argv[2]) else {}  # merge: keep other vectors' runs
    with tempfile.TemporaryDirectory(prefix="qemu-observe-") as work:
        for i, job in enumerate(jobs, 1):
            old = out.get(job["name"])
            if old and old.get("input_sha256") == job.get("input_sha256") and not os.environ.get("FORCE"):
                continue  # already observed with exactly these bytes
            t0 = time.time()
            r = out[job["name"]] = observe(job["stream"], job["args"], work)
            r["input_sha256"] = job.get("input_sha256")
            if job.get("spliced"):
                r["spliced"] = job["spliced"]
            print(f"[{i}/{len(jobs)}] {job['name']}: exit {r['exit']} ({time.time() - t0:.1f}s) "
                  f"{r['stderr'][0] if r['stderr'] else ''}", file=sys.stderr)
    tmp = sys.argv[2] + ".tmp"
    with open(tmp, "w") as f:
        json.dump(out, f, indent=1, sort_keys=True)
        f.write("\n")
    os.replace(tmp, sys.argv[2])
    return 0


if __name__ == "__main__":
    sys.exit(main())
