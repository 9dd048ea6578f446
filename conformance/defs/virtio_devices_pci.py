# The other captures, as valid vectors: every device and transport variant
# real QEMU 7.2.22 wrote, loaded back with the state its QMP showed; plus the
# packed-ring subsection, which nothing checks.

suite("virtio_devices_pci", "Real captures of every virtio-pci device and variant, and the packed-ring state",
      header=["Section records cut from real QEMU 7.2.22 captures; QEMU observed each one spliced back into its stream."])

CAPTURES = [
    # (section name, capture, idstr, machine, devices, QEMU backends, queues)
    ("net_legacy_disabled", "net-legacy-disabled", "0000_00_02.0_virtio-net", I440, [NET + ",disable-modern=on,vectors=0"], [], 3),
    ("net_modern_broken", "net-modern-broken", "0000_00_02.0_virtio-net", I440, [D_MODERN], [], 3),
    ("net_q35_transitional", "net-transitional-modern-q35", "0000_00_01.0_virtio-net", "pc-q35-7.2", [NET], [], 3),
    ("net_legacy_i440fx23", "net-legacy-pc-i440fx-2.3", "0000_00_02.0_virtio-net", "pc-i440fx-2.3", [D_23], [], 3),
    ("rng_legacy", "rng-legacy", "0000_00_02.0_virtio-rng", I440, ["virtio-rng-pci,id=dev0,disable-modern=on"], [], 1),
    ("scsi_modern", "scsi-modern", "0000_00_02.0_virtio-scsi", I440, ["virtio-scsi-pci,id=dev0,disable-legacy=on"], [], 3),
    ("serial_modern", "serial-modern", "0000_00_02.0_virtio-console", I440,
     ["virtio-serial-pci,id=dev0,disable-legacy=on,max_ports=2", "virtconsole,chardev=c0,id=con0",
      "virtserialport,chardev=c1,id=port1,name=org.example.port1"], ["-chardev", "null,id=c0", "-chardev", "null,id=c1"], 6),
    ("balloon_legacy", "balloon-legacy", "0000_00_02.0_virtio-balloon", I440, ["virtio-balloon-pci,id=dev0,disable-modern=on"], [], 3),
]
for name, cap, idstr, machine, devices, extra, nq in CAPTURES:
    base = section(name, cap, idstr)
    group(base, machine, devices, qemu_args=qemu(machine, *devices, extra=extra), comment=f"Capture {cap}")
    v(f"y_{name}", VALID, [], accepted(observed_state=STATUS + queues(nq)), ["capture"], [capture(cap)],
      f"The virtio section of {cap}")
    if name == "scsi_modern":
        # A modern queue keeps its addresses from the transport; found by the
        # differential batch (corpora/regression/qemu-defects).
        v("n_virtio_vq_ring_size_zero_modern", INVALID, [put("vq[1].num", be32(0))], rejected("virtio.vq.ring_size_zero"),
          ["qemu-defect"], [spec("§7 L16", "observed SIGABRT on QEMU 7.2.22: address_space_cache_init's assert(len > 0)")],
          "Queue 1 with a desc address and vring.num 0: virtio_init_region_cache maps a zero-length ring")

PACKED = section("net_modern_packed", "net-modern-packed", "0000_00_02.0_virtio-net")
D_PACKED = D_MODERN + ",packed=on"
PQ = sub("virtio/packed_virtqueues", 30)  # vq[i]: be16 last_avail_idx, bool wrap, be16 used_idx, bool wrap, be32 inuse
group(PACKED, I440, [D_PACKED], qemu_args=qemu(I440, D_PACKED), comment="Modern virtio-net offering RING_PACKED (not negotiated)")
v("y_net_modern_packed", VALID, [], accepted(observed_state=STATUS + queues(3)), ["capture"], [capture("net-modern-packed")],
  "The capture: virtio/packed_virtqueues after virtio/started")
v("y_virtio_packed_overrides_last_avail", VALID, [put(PQ, be16(0x1234))], accepted(state={"/0/queues/0/last-avail-idx": 0x1234}),
  ["subsection"], [spec("§4 (packed_virtqueues)")], "The subsection's last_avail_idx replaces the core part's")
v("i_virtio_packed_inuse_unchecked", ACCEPTABLE, [put(PQ[:2] + (PQ[2] + 6,), be32(0xffffffff))],
  accepted(rule="virtio.vq.packed_unchecked", state={"/0/broken": False}), ["unchecked"], [spec("§4, §7 L16a")],
  "inuse 0xffffffff from the subsection is trusted")
