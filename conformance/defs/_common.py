# Shared by every definition file: the base streams, the flags (notes) and
# the destinations. Executed by conformance/tools/gen_vectors.py.

C = "corpora/qemu-7.2"

# --- base streams: real QEMU 7.2.22 captures, copied unchanged -----------------
# Complete streams where a rule needs guest RAM (ring indices) or the stream
# framing, or where the team's negative captures were made from them; the
# virtio section record otherwise (smaller, and QEMU still observes it: the
# observation tool splices it back into its capture).
NOSUB = stream("y_net_legacy_nosub.mig", f"{C}/streams/net-legacy-nosub.mig", net=True)
MSIX = stream("y_net_legacy_msix.mig", f"{C}/streams/net-legacy-msix-driven.mig", net=True)
MODERN = stream("y_net_modern_driven.mig", f"{C}/streams/net-modern-driven.mig", net=True)
I440FX23S = stream("y_net_legacy_i440fx23_started.mig", f"{C}/streams/net-legacy-pc-i440fx-2.3-started.mig",
                   footers=False, net=True)


def section(name, capture, idstr):
    return stream(f"y_{name}.section", f"{C}/sections/{capture}.{idstr}.section.bin", kind="section",
                  footers=capture.find("2.3") < 0, net=capture.startswith("net"),
                  full=f"{C}/streams/{capture}.mig")


NET = "virtio-net-pci,id=dev0,romfile=,mac=52:54:00:12:34:56"
D_NOSUB = NET + ",disable-modern=on,vectors=0,queue_reset=off,migrate-extra=off,use-started=off"
D_MSIX = NET + ",disable-modern=on"
D_MODERN = NET + ",disable-legacy=on"
D_23 = NET + ",vectors=0"
D_23S = NET + ",vectors=0,use-started=on"
I440 = "pc-i440fx-7.2"


def qemu(machine, *devices, extra=()):
    """The real-QEMU destination for observations: -machine, -device..., backends."""
    args = ["-machine", machine]
    for d in devices:
        args += ["-device", d]
    return args + list(extra)


DRIVE = ["-drive", "if=none,id=d0,format=raw,file=$WORK/disk1m.img"]
TAP2 = ["-netdev", "tap,id=n0,queues=2,script=no,downscript=no,vhost=off,vnet_hdr=off,ifname=mctap0"]

# QMP fields every capture vector asserts, as real QEMU showed them after loading.
STATUS = ["/0/num-vqs", "/0/status", "/0/guest-features", "/0/broken", "/0/device-endian", "/0/started",
          "/0/disabled", "/0/queue-sel"]


def queues(n, fields=("vring-num", "vring-desc", "last-avail-idx")):
    return [f"/0/queues/{i}/{f}" for i in range(n) for f in fields]


RINGS = ("vring-num", "vring-desc", "vring-avail", "vring-used", "last-avail-idx", "used-idx", "inuse",
         "shadow-avail-idx")

# --- flags --------------------------------------------------------------------
note("capture", "BASIC", "An unmodified stream (or its virtio section record) written by real QEMU 7.2.22; "
     "a second real QEMU loaded it and showed the device state asserted here.", version="7.2.22")
note("negative-capture", "MODIFIED_PARAMETER", "One of the team's negative cases: the patch reproduces the "
     "hand-edited stream byte for byte (checked by the generator) and real QEMU 7.2.22's stderr and exit "
     "status are recorded in corpora/qemu-7.2/negative/results.json.", version="7.2.22")
note("held-back-case", "MODIFIED_PARAMETER", "One of the ten negative cases the team keeps out of the "
     "corpora (an independent acceptance set): rebuilt here from its description and the stderr recorded "
     "in the team's notes, then loaded by real QEMU again.", version="7.2.22")
note("boundary", "EDGE_CASE", "One side of a rule's boundary; the vector with the neighbouring value is on "
     "the other side (e.g. num-vqs 1024 vs 1025, delta = num vs num + 1).")
note("qemu-defect", "QEMU_DEFECT", "Real QEMU 7.2.22 hangs, crashes or aborts on this input (observed, or "
     "by code reading where stated); a conforming loader rejects it cleanly. A real-QEMU adapter fails it.",
     version="7.2.22")
note("qemu-exit", "QEMU_DEFECT", "QEMU terminates with exit(1) from inside the device loader, without the "
     "'load of migration failed' line: a rejection, but not a graceful one.", version="7.2.22")
note("qemu-oob-write", "QEMU_DEFECT", "By code reading real QEMU 7.2.22 writes out of bounds on this input "
     "(undefined behaviour); in the observation it survived and failed later with an ordinary message, recorded "
     "under 'qemu'. A conforming loader rejects it cleanly by a named rule (spec §6.2.6: 'should reject any nvq "
     "inconsistent with the device's queue layout'); QEMU's later message is not expected.", version="7.2.22")
note("implementation-choice", "DEFINED", "The spec leaves the outcome to the implementation (§6.1 ORDER BUG: "
     "'A reference implementation must decide which order it accepts. We recommend matching the writer and "
     "flagging the case.'). acceptable: the expectation is the spec's recommendation; the other outcome (QEMU "
     "7.2.22's own, recorded under 'qemu') also passes, as 'alternative', for every implementation.")
note("destination-ram", "MODIFIED_PARAMETER", "The verdict depends on the destination's RAM blocks (QEMU was "
     "run with -m 2: pc.ram 2 MiB plus the machine's BIOS, ROM and ACPI blocks), which a vector's destination "
     "does not describe. An implementation that takes the RAM layout from the stream, as the reference does, "
     "cannot tell and reports the vector unsupported.")
note("sanitized", "DEFINED", "QEMU accepts after adjusting a value (spec §7 SANITIZE). acceptable: the "
     "expected result is QEMU's; a stricter loader may instead reject by a named rule.")
note("broken", "DEFINED", "QEMU accepts and marks the device broken with virtio_error() (spec §7 BROKEN). "
     "acceptable: the expected result is QEMU's; a stricter loader may instead reject by a named rule.",
     commit="4aedda25e8", version="6.0.0")
note("unchecked", "DEFINED", "QEMU loads a value it never validates (spec §7 L20 and friends). acceptable: "
     "the expected result is QEMU's; a stricter loader may instead reject by a named rule.")
note("old-reader", "LEGACY", "A stream written by QEMU 7.2 loaded by an older release's loader (reader "
     "profile); expectations from the spec's [2014]/v2.4 code reading, not observable with 7.2.")
note("mismatched-destination", "MODIFIED_PARAMETER", "An unmodified stream loaded into a destination "
     "configured differently from its source.")
note("truncated", "MODIFIED_PARAMETER", "The stream ends early; QEMU's reads past the end return 0 and set "
     "a sticky -EIO, reported at the next VMState field (spec §7, captures f1-f3).")
note("subsection", "EDGE_CASE", "Subsection handling (spec §2.4): peek-driven, name lookup by prefix, "
     "order, uniqueness and presence not enforced, only the low byte of the version used.")
note("framing", "BASIC", "Stream framing outside the virtio body: header, configuration, section headers "
     "and footers, RAM, EOF, vmdesc (spec §1).")
note("kubevirt-16386", "FIELD_REPORT", "KubeVirt: every live migration failed after an upgrade with "
     "'Features 0x1c0010130afffaf unsupported. Allowed features: 0x10179bfffef': the destination's "
     "virtio-net offered fewer features than the source guest had negotiated.",
     links=["https://github.com/kubevirt/kubevirt/issues/16386"])
note("lp-1761798", "FIELD_REPORT", "Launchpad #1761798: after live migration the guest's avail index was "
     "behind the host's last_avail_idx, so the 16-bit delta wrapped (0xfff8) and the VQ index check fired; "
     "fatal before QEMU 6.0, a broken device since 4aedda25e8.",
     links=["https://bugs.launchpad.net/qemu/+bug/1761798"], commit="4aedda25e8", version="6.0.0")
note("cloud-hypervisor-8693", "FIELD_REPORT", "Cloud Hypervisor #8693: restoring a queue the guest never "
     "set up (zeroed ring addresses) read its used index from guest address 0x2 and panicked. QEMU reads "
     "indices only for queues whose desc is non-zero, and rejects desc 0 with a non-zero index (L8a).",
     links=["https://github.com/cloud-hypervisor/cloud-hypervisor/issues/8693",
            "https://github.com/cloud-hypervisor/cloud-hypervisor/pull/8702"], commit="1abeb5a65d")
note("packed-ring-order", "FIELD_REPORT", "Packed rings: qemu_put_virtqueue_element writes be32 ndescs "
     "before the element, qemu_get_virtqueue_element reads it after (spec §6.1 ORDER BUG, 86044b24e8, "
     "v4.2.0, still in master): a packed in-flight request does not survive migration.",
     commit="86044b24e8", version="4.2.0")
for cve, desc, commit, version in [
    ("CVE-2013-4148", "virtio-net mac_table.in_use >= 2^31 passed a signed check and overran the MAC "
     "buffer; fixed by making it unsigned.", "71f7fe48e1", "2.1.0"),
    ("CVE-2013-4149", "virtio-net mac_table.in_use > 64 read in_use*6 bytes into a smaller buffer; fixed "
     "by skipping the data and zeroing in_use.", "98f93ddd84", "2.1.0"),
    ("CVE-2013-4150", "virtio-net curr_queue_pairs > max_queue_pairs wrote tx_waiting past the queue "
     "array; now rejected.", "eea750a562", "2.1.0"),
    ("CVE-2013-4151", "virtio core queue count above the queue array size wrote per-queue fields out of "
     "bounds; now rejected above VIRTIO_QUEUE_MAX (1024).", "cc45995294", "2.1.0"),
    ("CVE-2013-6399", "virtio core queue_sel beyond the queue array let later guest PIO index out of "
     "bounds; now rejected silently at >= 1024.", "4b53c2c72c", "2.1.0"),
    ("CVE-2013-4535", "virtio-blk in-flight request with in_num/out_num > 1024 overflowed the sg arrays "
     "(per NVD); 7.2 asserts (abort).", "36cf2a3713", "2.1.0"),
    ("CVE-2013-4536", "virtio-serial in-flight element with in_num/out_num > 1024 (per NVD); same code "
     "path (qemu_get_virtqueue_element) as CVE-2013-4535.", "36cf2a3713", "2.1.0"),
    ("CVE-2013-4542", "virtio-scsi request migration data with huge in_num/out_num; the element is read "
     "by the same qemu_get_virtqueue_element, which asserts in 7.2.", "3c3ce98142", "2.1.0"),
    ("CVE-2014-0182", "virtio core config_len larger than the local config buffer overflowed it; now the "
     "excess is skipped (huge or negative lengths still hang QEMU).", "a890a2f913", "2.1.0"),
    ("CVE-2016-5403", "Related: unbounded in-use requests; migration now rebuilds inuse and rejects "
     "inuse > vring.num.", "e66bcc4081", "2.9.0"),
    ("CVE-2024-6505", "Related: virtio-net RSS indirection entries >= current queue pairs; guarded at run "
     "time only, the rss subsection is loaded unchecked.", "f1595ceb9a", "9.1.0"),
]:
    note(cve, "KNOWN_BUG", desc, cves=[cve], links=[f"https://nvd.nist.gov/vuln/detail/{cve}"],
         commit=commit, version=version)
