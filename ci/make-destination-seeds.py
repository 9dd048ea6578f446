#!/usr/bin/env python3
"""Writes corpora/seed/fuzz_destination/: fuzz_destination inputs, each a
destination command line ("[PROFILE] MACHINE DEVICE...") and a newline, then
a virtio section record of a real QEMU 7.2.22 capture (corpora/qemu-7.2).

  - every capture's section into the destination QEMU loaded it into;
  - every probed configuration (corpora/qemu-7.2-dest) with a capture's
    section of the same device kind: mostly a mismatched destination;
  - the -device lines real QEMU 7.2.22 refused (tests/reference/
    destination_test.cpp RejectsLikeQemu) and machine types it does not
    define, for the error paths of the destination model;
  - captures into the machine types and profiles of older QEMUs;
  - with a libFuzzer build of fuzz_destination as argument, the conformance
    vectors (conformance/vectors, each input into its group's destination)
    that add coverage over the above (libFuzzer -merge=1), named
    vector-<suite>-<tcId>.bin.

Re-run after changing the captures or vectors:
  ci/make-destination-seeds.py build/fuzz-libfuzzer-nosan/fuzzers/fuzz_destination
"""
import hashlib
import json
import pathlib
import re
import subprocess
import sys
import tempfile

root = pathlib.Path(__file__).resolve().parent.parent
captures = root / "corpora/qemu-7.2"
out = root / "corpora/seed/fuzz_destination"


def section_of(capture):
    found = sorted((captures / "sections").glob(capture + ".*.section.bin"))
    return found[0].read_bytes() if found else None


def kind(text):
    m = re.search(r"virtio-(net|blk|scsi|balloon|rng|serial|console)", text)
    return {"console": "serial"}.get(m.group(1), m.group(1)) if m else None


def seed(name, header, body):
    (out / (name + ".bin")).write_bytes(header.encode() + b"\n" + body)


out.mkdir(parents=True, exist_ok=True)
for prefix in ("capture", "probe", "refused", "older", "vector"):  # fuzzed-*: see PROVENANCE.md
    for old in out.glob(prefix + "-*.bin"):
        old.unlink()

by_kind = {}
for meta in sorted((captures / "streams").glob("*.json")):
    j = json.loads(meta.read_text())
    body = section_of(meta.stem)
    if body is None:
        continue
    cmd = j["dest_cmdline"]
    devices = [cmd[i + 1] for i in range(len(cmd) - 1) if cmd[i] == "-device"]
    header = " ".join([j["machine"]] + devices)
    seed("capture-" + meta.stem, header, body)
    by_kind.setdefault(kind(" ".join(devices)), (meta.stem, body, devices))

for probe in sorted((root / "corpora/qemu-7.2-dest").glob("*.txt")):
    lines = [l.split(" ", 1) for l in probe.read_text().splitlines() if " " in l and not l.startswith("#")]
    machine = next(v for k, v in lines if k == "machine")
    model = [v for k, v in lines if k == "model"]
    devices = model or [v for k, v in lines if k == "arg" and not v.startswith("-")]
    capture = by_kind.get(kind(" ".join(devices)))
    if capture:
        seed("probe-" + probe.stem, " ".join([machine] + devices), capture[1])

net = by_kind["net"]
refused = [
    "pc virtio-net-pci,foo=1", "pc virtio-net-pci,mq=maybe", "pc virtio-net-pci,vectors=abc",
    "pc virtio-net-pci,vectors=-1", "pc virtio-net-pci,rx_queue_size=70000",
    "pc virtio-net-pci,disable-legacy=maybe", "pc virtio-net-pci-transitional,disable-modern=on",
    "pc virtio-balloon-pci,vectors=2", "pc virtio-net-pci,mac=zz", "pc virtio-net-pci,addr=1.1",
    "q35 virtio-net-pci,addr=1f.2", "pc virtio-net-pci,addr=0x2,id=a virtio-rng-pci,addr=2",
    "q35 virtio-rng-pci,bus=nope", "pc virtio-net-pci,rx_queue_size=100",
    "pc virtio-net-pci,disable-modern=on,disable-legacy=on", "pc virtio-blk-pci,scsi=on,disable-legacy=on",
    "pc virtio-balloon-pci virtio-balloon-pci", "pc virtserialport",
    "pc virtio-serial-pci,max_ports=2 virtserialport,nr=2", "pc virtio-net-pci,tx_queue_size=2048",
    "pc virtio-scsi-pci,num_queues=0", "pc virtio-rng-pci,period=0", "pc virtio-serial-pci,max_ports=600",
    "pc virtio-net-pci,duplex=x", "pc virtio-balloon-pci,free-page-hint=on", "pc virtio-net-pci,iommu_platform=on",
    "pc e1000", "pc virtio-net-pci,netdev=n0",
    "pc-q35-2.3 virtio-net-pci", "pc-i440fx-1.3 virtio-net-pci", "pc-i440fx-2.13 virtio-net-pci", "virt",
    "qemu-9.9 pc virtio-net-pci",
    "pc virtio-serial-pci virtserialport,nr=1 virtserialport,nr=1",
    "pc virtio-serial-pci virtserialport,name=a virtserialport,name=a",
    "pc virtio-serial-pci,max_ports=2 virtconsole virtserialport virtserialport",
    "pc virtio-serial-pci,id=s0 virtserialport,bus=s1.0", "pc virtio-serial-pci,id=s0 virtio-rng-pci,bus=s0.0",
    "q35 pcie-root-port,id=rp1,chassis=1 pcie-root-port,id=rp2,chassis=1", "q35 pcie-root-port,chassis=300",
    "q35 pcie-root-port,foo=1", "q35 pcie-root-port,id=rp1 virtio-net-pci,bus=rp1 virtio-rng-pci,bus=rp1",
    "pc" + " virtio-rng-pci" * 31,
]
for i, header in enumerate(refused):
    seed("refused-%02d" % i, header, net[1])

older = [
    ("qemu-2.0", "pc-i440fx-2.0"), ("qemu-2.1", "pc-i440fx-2.1"), ("qemu-2.4", "pc-i440fx-2.4"),
    ("qemu-2.4", "pc-q35-2.4"), ("qemu-7.2", "pc-i440fx-2.3"), ("qemu-7.2", "pc-q35-4.0"),
]
for k, (stem, body, devices) in sorted(by_kind.items()):
    for profile, machine in older:
        seed("older-%s-%s-%s" % (k, profile, machine), " ".join([profile, machine] + devices), body)


def materialize(test):
    """A vector's input bytes: its file, or its base with the patch applied."""
    i = test["input"]
    data = bytearray((root / "conformance" / (i.get("file") or i["base"])).read_bytes())
    for e in i.get("patch", []):
        if "truncate" in e:
            del data[int(e["truncate"], 16):]
            continue
        at = int(e["at"], 16)
        if "put" in e:
            b = bytes.fromhex(e["put"])
            data[at:at + len(b)] = b
        elif "insert" in e:
            data[at:at] = bytes.fromhex(e["insert"]) * e.get("repeat", 1)
        else:
            del data[at:at + e["delete"]]
    assert hashlib.sha256(data).hexdigest() == i["sha256"], test["tcId"]
    return bytes(data)


if len(sys.argv) > 1:
    with tempfile.TemporaryDirectory() as tmp:
        candidates, names = pathlib.Path(tmp, "vectors"), {}
        candidates.mkdir()
        for suite in sorted((root / "conformance/vectors").glob("*_test.json")):
            for group in json.loads(suite.read_text())["testGroups"]:
                d = group["destination"]
                header = " ".join([d.get("profile", "qemu-7.2"), d["machine"]] + d["devices"])
                for test in group["tests"]:
                    data = header.encode() + b"\n" + materialize(test)
                    name = "vector-%s-%d.bin" % (suite.stem.replace("_test", ""), test["tcId"])
                    (candidates / name).write_bytes(data)
                    names[hashlib.sha1(data).hexdigest()] = name
        merged = pathlib.Path(tmp, "merged")
        merged.mkdir()
        for f in out.glob("*.bin"):
            (merged / f.name).write_bytes(f.read_bytes())
        subprocess.run([sys.argv[1], "-merge=1", "-use_counters=0", str(merged), str(candidates)], check=True,
                       stderr=subprocess.DEVNULL)
        for f in merged.iterdir():
            if f.name in names.values() or (out / f.name).exists():
                continue
            (out / names[f.name]).write_bytes(f.read_bytes())
