# virtio-net over virtio-pci: the virtio core's load rules (spec §7), the
# virtio-net device part (§6.2), the CVEs of §8 and the field reports.
# One line per vector:  v(name, result, edits, expectation, flags, sources, comment)
# Edits name fields of the base stream (conformance/tools/migstream.py).

suite("virtio_net_pci", "virtio-net-pci: virtio core rules, the device part, CVEs and field reports", header=[
    "Inputs are real QEMU 7.2.22 captures and declarative byte edits of them.",
    "Expectations come from the spec (conformance/README.md, 'Sources') or a real QEMU 7.2.22 load of the same bytes.",
    "State pointers index the loaded devices as `migcheck check --json` prints them (QMP names)."])

SPLIT_RX = 0x11002  # guest RAM: avail->idx of vq 0 (rx) in both legacy captures (vring.avail 0x11000)
SPLIT_TX_AVAIL, SPLIT_TX_USED = 0x21002, 0x22002  # vq 1 (tx) avail->idx / used->idx (msix capture)

# --- legacy-only, no MSI-X, no subsections (net-legacy-nosub) ------------------------------------
group(NOSUB, I440, [D_NOSUB], qemu_args=qemu(I440, D_NOSUB),
      comment="Legacy-only virtio-net without MSI-X or subsections (capture net-legacy-nosub)")
v("y_net_legacy_nosub", VALID, [], accepted(rule="virtio.endian.default", observed_state=STATUS + queues(3, RINGS)),
  ["capture"], [capture("net-legacy-nosub"), spec("§7 L13")],
  "The capture itself; no virtio/device_endian subsection, so the endianness defaults to little (L0/L13)")
v("y_virtio_queue_sel_1023", VALID, [put("queue_sel", be16(1023))], accepted(state={"/0/queue-sel": 1023}),
  ["boundary", "CVE-2013-6399"], [spec("§7 L3")], "queue_sel 1023 is the largest index below VIRTIO_QUEUE_MAX")
v("n_virtio_queue_sel_1024", INVALID, [put("queue_sel", be16(1024))],
  rejected("virtio.queue_sel", "Failed to load virtio-net:virtio"), ["boundary", "CVE-2013-6399"],
  [spec("§7 L3")], "queue_sel == VIRTIO_QUEUE_MAX: rejected with no message of its own")
v("n_virtio_queue_sel_ffff", INVALID, [put("queue_sel", be16(0xffff))],
  rejected("virtio.queue_sel", "Failed to load virtio-net:virtio"), ["CVE-2013-6399"], [spec("§7 L3")],
  "queue_sel 0xffff")
v("n_virtio_features_low_outside_host", INVALID, [put("features", be32(0x410020))],
  rejected("virtio.features.unsupported_low", "Features 0x410020 unsupported. Allowed features: 0x79bf8064"),
  ["negative-capture"], [spec("§7 L14"), negative("c1_features_lo_outside_host_legacy")],
  "Bit 22 (MQ) is not offered; no 64-bit subsection and no host bit >= 32, so the 32-bit branch of L14")
v("y_virtio_features_low_all_host_bits", VALID, [put("features", be32(0x79bf8060))],
  accepted(state={"/0/guest-features": 0x79bf8060}), ["boundary"], [spec("§7 L14")],
  "Every offered bit except CTRL_GUEST_OFFLOADS (which would add a device field): a subset of the host features")
v("n_virtio_features_low_one_bit_outside", INVALID, [put("features", be32(0x79bf80e0))],
  rejected("virtio.features.unsupported_low", "Features 0x79bf80e0 unsupported. Allowed features: 0x79bf8064"),
  ["boundary"], [spec("§7 L14")], "The same plus bit 7 (GUEST_TSO4), which a device without a vnet header does not offer")
v("i_virtio_config_len_larger_with_bytes", ACCEPTABLE,
  [put("config_len", be32(0x40)), insert(field("config", 8), "ab", repeat=56)],
  accepted(rule="virtio.config_len.excess", state={"/0/broken": False}), ["negative-capture", "sanitized", "CVE-2014-0182"],
  [spec("§7 L5"), negative("e1_config_len_larger_with_bytes")], "config_len 0x40 > local 8 with the 56 bytes present: the excess is skipped")
v("i_virtio_config_len_excess_one", ACCEPTABLE, [put("config_len", be32(9)), insert(field("config", 8), "ab")],
  accepted(rule="virtio.config_len.excess"), ["boundary", "sanitized", "CVE-2014-0182"], [spec("§7 L5")],
  "config_len one byte longer than the local config, the byte present")
v("i_virtio_config_len_smaller", ACCEPTABLE, [put("config_len", be32(4)), delete(field("config", 4), 4)],
  accepted(rule="virtio.config_len.short"), ["held-back-case", "sanitized"], [spec("§7 L5"), team_notes("e3")],
  "config_len 4 < local 8: the tail of the local config keeps its value")
v("i_virtio_config_len_zero", ACCEPTABLE, [put("config_len", be32(0)), delete("config", 8)],
  accepted(rule="virtio.config_len.short"), ["boundary", "sanitized"], [spec("§7 L5")], "config_len 0, no config bytes")
v("n_virtio_config_len_larger_without_bytes", INVALID, [put(field("config_len", 3), "40")], rejected(),
  ["negative-capture", "qemu-defect", "CVE-2014-0182"], [spec("§7 L5"), negative("e2_config_len_larger_without_bytes")],
  "config_len 0x40 without the bytes: the parse slides into the queue table; QEMU 7.2.22 died with SIGSEGV")
v("n_virtio_config_len_huge", INVALID, [put("config_len", be32(0x7fffffff))], rejected("virtio.config_len.runaway"),
  ["negative-capture", "qemu-defect", "CVE-2014-0182"], [spec("§7 L5"), negative("e4_config_len_huge")],
  "config_len 0x7fffffff: QEMU skips the excess one byte at a time past the end of the stream and hangs")
v("n_virtio_config_len_negative", INVALID, [put("config_len", be32(0xfffffff0))], rejected("virtio.config_len.runaway"),
  ["held-back-case", "qemu-defect", "CVE-2014-0182"], [spec("§7 L5"), team_notes("e5")],
  "config_len 0xfffffff0 (negative as int32, huge as size_t): QEMU hangs")
v("n_virtio_num_queues_1025_legacy", INVALID, [put("nvq", be32(0x401))],
  rejected("virtio.num_queues", "Invalid number of virtqueues: 0x401"), ["boundary", "CVE-2013-4151"], [spec("§7 L6")],
  "1025 queues > VIRTIO_QUEUE_MAX, checked before any queue entry is read")
v("n_virtio_net_nvq_9_single_queue", INVALID, [put("nvq", be32(9))], rejected("virtio-net.pre_load_queues"),
  ["qemu-defect"], [spec("§6.2.6, §7 L7", "observed SIGSEGV 3/3 on QEMU 7.2.22")],
  "Nine queues for a single-pair NIC: pre_load_queues grows n->vqs[] past its allocation (7.2.20+ stable)")
OOB = "virtio_net_change_num_queues adds queue pair 1 and up: n->vqs[] has one element; QEMU survived (ordinary load error)"
v("n_virtio_net_nvq_4", INVALID, [put("nvq", be32(4))], rejected("virtio-net.pre_load_queues"), ["qemu-oob-write"],
  [spec("§6.2.6", OOB)], "Four queues for a single-pair NIC: pre_load_queues writes n->vqs[1]")
v("n_virtio_net_nvq_5", INVALID, [put("nvq", be32(5))], rejected("virtio-net.pre_load_queues"), ["qemu-oob-write"],
  [spec("§6.2.6", OOB)], "Five queues (two pairs + ctrl) for a single-pair NIC: n->vqs[1] written")
v("n_virtio_net_nvq_1023", INVALID, [put("nvq", be32(1023))], rejected("virtio-net.pre_load_queues"),
  ["boundary", "qemu-oob-write"], [spec("§6.2.6", OOB)],
  "1023 queues, within VIRTIO_QUEUE_MAX but not the device's layout: n->vqs[1..510] written")
v("n_virtio_vq_desc_zero_with_index", INVALID, [put("vq[2].desc", be64(0)), put("vq[2].last_avail_idx", be16(1))],
  rejected("virtio.vq.desc_zero_with_index", "VQ 2 address 0x0 inconsistent with Host index 0x1"),
  ["boundary", "cloud-hypervisor-8693"], [spec("§7 L8a"), team_notes("d2")], "A queue never set up (desc 0) that claims an index")
v("n_virtio_vq_desc_zero_with_index_ffff", INVALID, [put("vq[2].desc", be64(0)), put("vq[2].last_avail_idx", be16(0xffff))],
  rejected("virtio.vq.desc_zero_with_index", "VQ 2 address 0x0 inconsistent with Host index 0xffff"),
  ["cloud-hypervisor-8693"], [spec("§7 L8a")], "desc 0 with last_avail_idx 0xffff")
v("y_virtio_vq_desc_zero_index_zero", VALID, [put("vq[2].desc", be64(0))],
  accepted(state={"/0/queues/2/vring-desc": 0, "/0/queues/2/last-avail-idx": 0, "/0/queues/2/used-idx": 0, "/0/broken": False}),
  ["boundary", "cloud-hypervisor-8693"], [spec("§7 L8a, L16")],
  "Zeroed ring address and index: accepted, and no ring index is read for it (the Cloud Hypervisor panic)")
v("y_virtio_vq_index_delta_equals_num", VALID, [put(ram(SPLIT_RX), le16(0x100))],
  accepted(state={"/0/broken": False, "/0/queues/0/shadow-avail-idx": 0x100, "/0/queues/0/inuse": 0}),
  ["boundary"], [spec("§7 L16b")], "Guest avail index 0x100 with last_avail_idx 0: delta == vring.num is allowed")
v("i_virtio_vq_index_delta_num_plus_1", ACCEPTABLE, [put(ram(SPLIT_RX), le16(0x101))],
  accepted(rule="virtio.vq.index_delta", message="VQ 0 size 0x100 Guest index 0x101 inconsistent with Host index 0x0: delta 0x101",
           state={"/0/broken": True, "/0/queues/0/shadow-avail-idx": 0, "/0/queues/0/used-idx": 0}),
  ["boundary", "broken"], [spec("§7 L16b")], "delta == vring.num + 1: device broken, indices zeroed, load continues")
v("i_virtio_vq_index_delta_far_ahead", ACCEPTABLE, [put("vq[0].last_avail_idx", be16(0x8000))],
  accepted(rule="virtio.vq.index_delta", message="VQ 0 size 0x100 Guest index 0x5 inconsistent with Host index 0x8000: delta 0x8005",
           state={"/0/broken": True, "/0/queues/0/last-avail-idx": 0x8000}),
  ["negative-capture", "broken"], [spec("§7 L16b"), negative("d1_last_avail_far_ahead_nheads_gt_num")],
  "last_avail_idx 0x8000 far ahead of the guest's 5")
v("i_virtio_vq_index_avail_behind", ACCEPTABLE, [put("vq[0].last_avail_idx", be16(0xd))],
  accepted(rule="virtio.vq.index_delta", message="VQ 0 size 0x100 Guest index 0x5 inconsistent with Host index 0xd: delta 0xfff8",
           state={"/0/broken": True}),
  ["lp-1761798", "broken"], [spec("§7 L16b"), report("https://bugs.launchpad.net/qemu/+bug/1761798")],
  "The guest's avail index 8 behind the host's: the u16 delta wraps to 0xfff8 (as in the report)")
v("n_virtio_vq_inuse_gt_num", INVALID, [put(ram(SPLIT_RX), le16(300)), put("vq[0].last_avail_idx", be16(300))],
  rejected("virtio.vq.inuse", "VQ 0 size 0x100 < last_avail_idx 0x12c - used_idx 0x0"),
  ["negative-capture", "CVE-2016-5403"], [spec("§7 L16d"), negative("d3_inuse_gt_num")], "300 requests in use on a 256-entry ring")
v("y_virtio_vq_inuse_equals_num", VALID, [put(ram(SPLIT_RX), le16(0x100)), put("vq[0].last_avail_idx", be16(0x100))],
  accepted(state={"/0/queues/0/inuse": 0x100, "/0/queues/0/last-avail-idx": 0x100, "/0/broken": False}),
  ["boundary", "CVE-2016-5403"], [spec("§7 L16c, L16d")], "inuse == vring.num is allowed")
v("n_virtio_vq_inuse_num_plus_1", INVALID, [put(ram(SPLIT_RX), le16(0x101)), put("vq[0].last_avail_idx", be16(0x101))],
  rejected("virtio.vq.inuse", "VQ 0 size 0x100 < last_avail_idx 0x101 - used_idx 0x0"), ["boundary", "CVE-2016-5403"],
  [spec("§7 L16d")], "inuse == vring.num + 1")
v("i_virtio_vq_cannot_map_desc_legacy", ACCEPTABLE, [put("vq[0].desc", be64(0x1fff00))],
  accepted(rule="virtio.vq.cannot_map_desc", message="Cannot map desc", state={"/0/broken": True}), ["broken"],
  [spec("§7 L16")], "A 4 KiB descriptor table at 0x1fff00 runs past the end of the 2 MiB of RAM: the region cache is short")
v("y_net_mac_table_in_use_64", VALID, [put("mac_table.in_use", be32(64)), insert("mac_table.macs", "525400abcd01", repeat=64)],
  accepted(state={"/0/broken": False}), ["boundary", "CVE-2013-4149"], [spec("§6.2.3")], "64 MAC entries (MAC_TABLE_ENTRIES) are loaded")
v("i_net_mac_table_in_use_65", ACCEPTABLE, [put("mac_table.in_use", be32(65)), insert("mac_table.macs", "525400abcd01", repeat=65)],
  accepted(rule="virtio-net.mac_table.overflow"), ["boundary", "sanitized", "CVE-2013-4149"], [spec("§6.2.3, §7 L11")],
  "65 entries: the 390 bytes are skipped and in_use becomes 0")
v("i_net_mac_table_in_use_2p31", ACCEPTABLE, [put("mac_table.in_use", be32(0x80000000))],
  accepted(rule="virtio-net.mac_table.overflow"), ["boundary", "sanitized", "CVE-2013-4148"], [spec("§6.2.3, §10.4")],
  "in_use 0x80000000: the skip count is a negative int, so nothing is skipped, then in_use := 0")
v("i_net_mac_table_in_use_ffffffff", ACCEPTABLE, [put("mac_table.in_use", be32(0xffffffff))],
  accepted(rule="virtio-net.mac_table.overflow"), ["sanitized", "CVE-2013-4148"], [spec("§6.2.3")], "in_use 0xffffffff")
v("n_net_has_vnet_hdr", INVALID, [put("has_vnet_hdr", be32(1))],
  rejected("virtio-net.vnet_hdr", "virtio-net: saved image requires vnet_hdr=on"), [], [spec("§6.2.1, §7 L11")],
  "The source had a vnet header; this destination's NIC has no peer")
v("n_net_has_ufo", INVALID, [put("has_ufo", u8(1))],
  rejected("virtio-net.ufo", "virtio-net: saved image requires TUN_F_UFO support"), [], [spec("§6.2.1, §7 L11")],
  "The source's peer had UFO")
v("y_pci_version_id_0", VALID, [put("pci.version_id", be32(0))], accepted(), ["boundary"], [spec("§2.1, §7 L1")],
  "PCIDevice.version_id 0: 0 <= v <= 2 holds")
v("n_pci_version_id_3", INVALID, [put("pci.version_id", be32(3))],
  rejected("vmstate.int32_positive_le", "Invalid value 3 expecting positive value <= 2"), ["boundary"], [spec("§2.1, §7 L1")],
  "PCIDevice.version_id 3 > 2")
v("n_pci_version_id_minus_1", INVALID, [put("pci.version_id", be32(0xffffffff))],
  rejected("vmstate.int32_positive_le", "Invalid value -1 expecting positive value <= 2"), ["boundary"], [spec("§2.1, §7 L1")],
  "PCIDevice.version_id -1")
v("y_pci_irq_state_1", VALID, [put("irq_state[0]", be32(1))], accepted(), ["boundary"], [spec("§5.1, §7 L1")], "INTA asserted")
v("n_pci_irq_state_2", INVALID, [put("irq_state[0]", be32(2))], rejected("pci.irq_state", OBSERVED), ["boundary"],
  [spec("§5.1, §7 L1")], "irq_state must be 0 or 1")
v("n_pci_config_device_id", INVALID, [put(field("pci.config", 2), "01")],
  rejected("pci.config.bad_data", "get_pci_config_device: Bad config data: i=0x2 read: 1 device: 0 cmask: ff wmask: 0 w1cmask:0"),
  [], [spec("§5.1, §7 L1")], "Device ID 0x1001 instead of 0x1000: read-only, checked")
v("y_pci_config_interrupt_line", VALID, [put(field("pci.config", 0x3c), "0b")], accepted(), [], [spec("§5.1, §7 L1")],
  "Interrupt line 11: a writable register, not compared")

# --- legacy-only with MSI-X and the 7.2 subsections (net-legacy-msix-driven) --------------------------
group(MSIX, I440, [D_MSIX], qemu_args=qemu(I440, D_MSIX),
      comment="Legacy-only virtio-net with 4 MSI-X vectors; 64bit_features, extra_state (empty), started")
F64 = value(MSIX, sub("virtio/64bit_features", 27), 8)  # the 64-bit guest features the capture carries
v("y_net_legacy_msix", VALID, [], accepted(observed_state=STATUS + queues(3, RINGS)), ["capture"],
  [capture("net-legacy-msix-driven")], "The capture itself")
v("n_virtio_num_queues_1025", INVALID, [put("nvq", be32(0x401))],
  rejected("virtio.num_queues", "Invalid number of virtqueues: 0x401"), ["negative-capture", "boundary", "CVE-2013-4151"],
  [spec("§7 L6"), negative("b1_num_queues_1025")], "1025 queues")
v("n_virtio_num_queues_ffffffff", INVALID, [put("nvq", be32(0xffffffff))],
  rejected("virtio.num_queues", "Invalid number of virtqueues: 0xffffffff"), ["held-back-case", "CVE-2013-4151"],
  [spec("§7 L6"), team_notes("b2")], "0xffffffff queues")
v("n_virtio_net_nvq_2_of_3", INVALID, [put("nvq", be32(2))], rejected(message="Failed to load virtio-net-device:unused"),
  ["negative-capture"], [spec("§6.2.6"), negative("b3_num_queues_2_of_3")], "Two queue entries of three: the third is parsed as the device part")
v("n_virtio_queue_sel_1024_msix", INVALID, [put("queue_sel", be16(0x400))],
  rejected("virtio.queue_sel", "Failed to load virtio-net:virtio"), ["negative-capture", "CVE-2013-6399"],
  [spec("§7 L3"), negative("d4_queue_sel_ge_1024")], "queue_sel 1024")
v("n_pci_msix_queue_vector_7", INVALID, [put("vq[0].vector", be16(7))],
  rejected("pci.msix.queue_vector", "Failed to load virtio-net:virtio"), ["negative-capture"],
  [spec("§5.1, §7 L8b"), negative("d5_vector_out_of_range")], "Queue vector 7 with 4 vectors")
v("n_pci_msix_queue_vector_4", INVALID, [put("vq[0].vector", be16(4))],
  rejected("pci.msix.queue_vector", "Failed to load virtio-net:virtio"), ["boundary"], [spec("§5.1, §7 L8b")], "Vector == nvectors")
v("y_pci_msix_queue_vector_3", VALID, [put("vq[0].vector", be16(3))], accepted(), ["boundary"], [spec("§5.1, §7 L8b")],
  "The last vector")
v("y_pci_msix_queue_vector_none", VALID, [put("vq[0].vector", be16(0xffff))], accepted(), ["boundary"],
  [spec("§5.1, §7 L8b")], "VIRTIO_NO_VECTOR is always allowed")
v("n_pci_msix_config_vector_4", INVALID, [put("config_vector", be16(4))],
  rejected("pci.msix.config_vector", "Failed to load virtio-net:virtio"), ["boundary"], [spec("§5.1, §7 L1")],
  "Config vector == nvectors")
v("y_pci_msix_config_vector_3", VALID, [put("config_vector", be16(3))], accepted(), ["boundary"], [spec("§5.1, §7 L1")],
  "Config vector 3 of 4")
v("n_virtio_subsection_unknown_same_prefix_64bit", INVALID, [put(sub("virtio/64bit_features", 22), text("Z"))],
  rejected("vmstate.subsection_unknown", "Failed to load virtio-net:virtio"), ["negative-capture", "subsection"],
  [spec("§2.4, §7 L12"), negative("a4_rename_64bit_features_legacy")], "'virtio/64bit_featureZ': parent prefix, unknown name: -ENOENT")
v("n_virtio_subsection_foreign_prefix_started", INVALID, [put(sub("virtio/started", 7), text("X"))],
  rejected("stream.footer_missing", "Missing section footer for 0000:00:02.0/virtio-net"), ["subsection"],
  [spec("§2.4, §1.7")], "'virtiX/started': no level claims it, the section footer check meets 0x05")
v("i_virtio_features_low_ignored_with_64bit", ACCEPTABLE, [put("features", be32((F64 | 0x400000) & 0xffffffff))],
  accepted(state={"/0/guest-features": F64}), ["unchecked"], [spec("§7 L14"), team_notes("c3")],
  "A low word with an unoffered bit: virtio/64bit_features replaces it before the check")
v("y_virtio_features64_ring_reset", VALID, [put(sub("virtio/64bit_features", 27), be64(F64 | 1 << 40))],
  accepted(state={"/0/guest-features": F64 | 1 << 40}), ["boundary"], [spec("§4, §7 L14")],
  "Bit 40 (RING_RESET) is offered on 7.2 machine types (queue_reset=on)")
v("n_virtio_features64_bit41", INVALID, [put(sub("virtio/64bit_features", 27), be64(F64 | 1 << 41))],
  rejected("virtio.features.unsupported", OBSERVED), ["boundary"], [spec("§7 L14")], "Bit 41 is not offered: 64-bit branch")
v("n_virtio_subsection_version_2", INVALID, [put(sub("virtio/started", 16), be32(2))],
  rejected("vmstate.version_too_new", "virtio/started: incoming version_id 2 is too new for local version_id 1"),
  ["boundary", "subsection"], [spec("§2.3, §7 L12")], "Subsection version 2 > 1")
v("n_virtio_subsection_version_0", INVALID, [put(sub("virtio/started", 16), be32(0))],
  rejected("vmstate.version_too_old", "virtio/started: incoming version_id 0 is too old for local minimum version_id  1"),
  ["boundary", "subsection"], [spec("§2.3, §7 L12")], "Subsection version 0 < 1 (two spaces before the number, as 7.2 prints)")
v("y_virtio_subsection_version_low_byte", VALID, [put(sub("virtio/started", 16), be32(0x101))],
  accepted(state={"/0/started": True}), ["subsection"], [spec("§2.4 step 6")], "Version 0x101: only the low byte (1) is used")
v("y_virtio_subsection_duplicate", VALID, [insert(sub("virtio/started", 21), subsection("virtio/started", "01"))],
  accepted(state={"/0/started": True}), ["subsection"], [spec("§2.4")], "virtio/started twice: uniqueness is not enforced")
v("y_virtio_subsection_order_swapped", VALID,
  [delete(sub("virtio/started"), 21), insert(sub("virtio/64bit_features"), subsection("virtio/started", "01"))],
  accepted(state={"/0/started": True, "/0/guest-features": F64}), ["subsection"], [spec("§2.4")],
  "virtio/started before virtio/64bit_features: order is not enforced")
v("y_virtio_started_absent", VALID, [delete(sub("virtio/started"), 21)],
  accepted(rule="virtio.start_on_kick", state={"/0/started": False, "/0/start-on-kick": True}), ["subsection"],
  [spec("§2.4, §4, §7 L15")], "No virtio/started: presence is not enforced; not started and not VERSION_1, so start_on_kick")
v("y_virtio_started_false", VALID, [put(sub("virtio/started", 20), "00")],
  accepted(rule="virtio.start_on_kick", state={"/0/started": False, "/0/start-on-kick": True}), [], [spec("§7 L15")],
  "started = 0")
v("y_virtio_device_endian_little", VALID, [insert(sub("virtio/64bit_features"), subsection("virtio/device_endian", "01"))],
  accepted(state={"/0/device-endian": "little"}), ["subsection"], [spec("§4, §7 L13")], "An explicit little-endian subsection")
v("y_virtio_device_endian_big", VALID, [insert(sub("virtio/64bit_features"), subsection("virtio/device_endian", "02"))],
  accepted(state={"/0/device-endian": "big"}), ["subsection"], [spec("§4, §7 L13")], "Big-endian, as a ppc64 source would send")
v("y_virtio_device_endian_unknown", VALID, [insert(sub("virtio/64bit_features"), subsection("virtio/device_endian", "00"))],
  accepted(rule="virtio.endian.default", state={"/0/device-endian": "little"}), ["subsection"], [spec("§7 L13")],
  "UNKNOWN (0) after subsections is replaced by the target default")
v("i_virtio_device_endian_3", ACCEPTABLE, [insert(sub("virtio/64bit_features"), subsection("virtio/device_endian", "03"))],
  accepted(rule="virtio.endian.unrecognised", observed_state=["/0/device-endian"]), ["unchecked"], [spec("§7 L13")],
  "Value 3 is accepted and behaves as little-endian")
v("y_virtio_broken_subsection", VALID, [insert(sub("virtio/extra_state"), subsection("virtio/broken", "01"))],
  accepted(state={"/0/broken": True}), ["subsection"], [spec("§4")], "virtio/broken = 1 restores a broken device")
v("y_virtio_disabled_subsection", VALID, [insert(sub("virtio/started", 21), subsection("virtio/disabled", "01"))],
  accepted(state={"/0/disabled": True}), ["subsection"], [spec("§4")], "virtio/disabled = 1")
v("y_virtio_legacy_rings_ignore_virtqueues", VALID,
  [insert(sub("virtio/extra_state"), subsection("virtio/virtqueues")), insert(sub("virtio/extra_state"), "00000000deadb000", repeat=2048)],
  accepted(rule="virtio.vq.legacy_rings", state={"/0/queues/0/vring-avail": 0x11000, "/0/queues/0/vring-used": 0x12000,
                                                 "/0/queues/1/vring-avail": 0x21000}),
  ["subsection"], [spec("§4, §7 L16")], "A legacy guest's rings are recomputed from desc; virtio/virtqueues values are ignored")
v("y_virtio_vq_index_wrap", VALID,
  [put(ram(SPLIT_TX_AVAIL), le16(2)), put(ram(SPLIT_TX_USED), le16(0xfff0)), put("vq[1].last_avail_idx", be16(0xfffa))],
  accepted(state={"/0/broken": False, "/0/queues/1/last-avail-idx": 0xfffa, "/0/queues/1/used-idx": 0xfff0,
                  "/0/queues/1/inuse": 10, "/0/queues/1/shadow-avail-idx": 2}),
  ["boundary"], [spec("§7 L16b, L16c")], "Indices across the 16-bit wrap: avail 2, last_avail 0xfffa, used 0xfff0")
v("i_virtio_vq_index_wrap_delta_num_plus_1", ACCEPTABLE,
  [put(ram(SPLIT_TX_AVAIL), le16(2)), put("vq[1].last_avail_idx", be16(0xff01))],
  accepted(rule="virtio.vq.index_delta", message="VQ 1 size 0x100 Guest index 0x2 inconsistent with Host index 0xff01: delta 0x101",
           state={"/0/broken": True}), ["boundary", "broken"], [spec("§7 L16b")], "A wrapped delta of 0x101")
v("y_virtio_vq_inuse_wrap_equals_num", VALID,
  [put(ram(SPLIT_TX_AVAIL), le16(2)), put(ram(SPLIT_TX_USED), le16(0xff01)), put("vq[1].last_avail_idx", be16(1))],
  accepted(state={"/0/queues/1/inuse": 0x100, "/0/broken": False}), ["boundary", "CVE-2016-5403"], [spec("§7 L16c, L16d")],
  "inuse = 1 - 0xff01 = 0x100 (mod 2^16) == vring.num")
v("n_virtio_vq_inuse_wrap_num_plus_1", INVALID,
  [put(ram(SPLIT_TX_AVAIL), le16(2)), put(ram(SPLIT_TX_USED), le16(0xff00)), put("vq[1].last_avail_idx", be16(1))],
  rejected("virtio.vq.inuse", "VQ 1 size 0x100 < last_avail_idx 0x1 - used_idx 0xff00"), ["boundary", "CVE-2016-5403"],
  [spec("§7 L16d")], "inuse = 0x101 across the wrap")

group(MSIX, I440, [D_MSIX + ",queue_reset=off"], qemu_args=qemu(I440, D_MSIX + ",queue_reset=off"),
      comment="The same capture into a device without RING_RESET: no host bit >= 32, the 32-bit branch of L14")
v("y_net_legacy_msix_into_queue_reset_off", VALID, [], accepted(state={"/0/guest-features": F64}),
  ["mismatched-destination"], [spec("§7 L14")], "The 64-bit word has no high bits: nothing is dropped")
v("i_virtio_features_high_dropped", ACCEPTABLE, [put(sub("virtio/64bit_features", 27), be64(F64 | 1 << 40))],
  accepted(rule="virtio.features.high_dropped", state={"/0/guest-features": F64}), ["sanitized", "mismatched-destination"],
  [spec("§7 L14")], "Bit 40 in virtio/64bit_features, but the host offers nothing >= 32: the high word is silently dropped")

# --- modern (VERSION_1) virtio-net (net-modern-driven) ----------------------------------------------
group(MODERN, I440, [D_MODERN], qemu_args=qemu(I440, D_MODERN),
      comment="Modern-only virtio-net, MSI-X, virtqueues/ringsize/extra_state+modern_state/started")
VQS = sub("virtio/virtqueues", 23)  # vq[i]: be64 avail at +16*i, be64 used at +16*i+8
v("y_net_modern_driven", VALID, [], accepted(observed_state=STATUS + queues(3, RINGS)), ["capture"],
  [capture("net-modern-driven"), negative("c00_control_unmodified")], "The capture itself")
v("n_virtio_subsection_unknown_same_prefix_started", INVALID, [put(sub("virtio/started", 11), text("X"))],
  rejected("vmstate.subsection_unknown", "Failed to load virtio-net:virtio"), ["negative-capture", "subsection"],
  [spec("§2.4, §7 L12"), negative("a1_rename_virtio_started_same_prefix")], "'virtio/stXrted'")
v("n_virtio_pci_subsection_unknown_nested", INVALID, [put(sub("virtio_pci/modern_state", 22), text("X"))],
  rejected("vmstate.subsection_unknown", "Failed to load virtio/extra_state:extra_state"), ["negative-capture", "subsection"],
  [spec("§2.4, §5.2"), negative("a3_rename_nested_modern_state")], "'virtio_pci/modern_stXte' one level down")
v("n_virtio_subsection_foreign_prefix_ringsize", INVALID, [put(sub("virtio/ringsize", 7), text("X"))],
  rejected("stream.footer_missing", "Missing section footer for 0000:00:02.0/virtio-net"), ["held-back-case", "subsection"],
  [spec("§2.4"), team_notes("a2")], "'virtiX/ringsize'")
v("n_virtio_features64_outside_host_modern", INVALID, [put(sub("virtio/64bit_features", 27), "80000001000f8024")],
  rejected("virtio.features.unsupported", "Features 0x80000001000f8024 unsupported. Allowed features: 0x10179bf8064"),
  ["negative-capture"], [spec("§7 L14"), negative("c2_features64_outside_host_modern")], "Bit 63 in the 64-bit word")
v("n_truncated_mid_virtio_common", INVALID, [truncate("vq[1].desc")],
  rejected("stream.truncated", "Failed to load virtio-net-device:mac"), ["negative-capture", "truncated"],
  [spec("§7"), negative("f1_truncate_mid_virtio_common")], "Cut at vq[1].vring.desc: noticed at the next VMState field")
v("n_truncated_mid_subsection", INVALID, [truncate(0x10c2d)],
  rejected("stream.truncated", "Failed to load virtqueue_state:vring.used"), ["held-back-case", "truncated"],
  [spec("§7"), team_notes("f2")], "Cut inside virtio/virtqueues")
v("i_virtio_vq_cannot_map_used", ACCEPTABLE, [put(VQS[:2] + (VQS[2] + 8,), be64(0x1ffff8))],
  accepted(rule="virtio.vq.cannot_map_used", message="Cannot map used", state={"/0/broken": True, "/0/status": 0x4f}),
  ["broken"], [spec("§7 L16")], "A used ring straddling the end of guest RAM: broken, and NEEDS_RESET (VERSION_1)")
v("i_virtio_vq_cannot_map_avail", ACCEPTABLE, [put(VQS, be64(0x1ffffc))],
  accepted(rule="virtio.vq.cannot_map_avail", message="Cannot map avail", state={"/0/broken": True, "/0/status": 0x4f}),
  ["broken"], [spec("§7 L16")], "An avail ring straddling the end of guest RAM")
v("i_virtio_vq_cannot_map_desc_modern", ACCEPTABLE, [put("vq[0].desc", be64(0x1fff00))],
  accepted(rule="virtio.vq.cannot_map_desc", message="Cannot map desc", state={"/0/broken": True, "/0/status": 0x4f}),
  ["broken"], [spec("§7 L16")], "A descriptor table straddling the end of guest RAM")
v("y_virtio_vq_zero_ring_modern", VALID,
  [put("vq[2].desc", be64(0)), put("vq[2].last_avail_idx", be16(0)), put(VQS[:2] + (VQS[2] + 32,), "00" * 16)],
  accepted(state={"/0/broken": False, "/0/queues/2/vring-desc": 0, "/0/queues/2/used-idx": 0}),
  ["cloud-hypervisor-8693"], [spec("§7 L8a, L16"), report("https://github.com/cloud-hypervisor/cloud-hypervisor/issues/8693")],
  "Queue 2 with desc, avail and used all zero: no region cache, no index read")
v("i_virtio_vq_num_not_power_of_2", ACCEPTABLE, [put("vq[2].num", be32(3))], accepted(state={"/0/queues/2/vring-num": 3}),
  ["unchecked"], [spec("§7 L8, L20")], "vring.num 3 is not range-checked")
v("i_virtio_vq_num_above_max_size", ACCEPTABLE, [put("vq[2].num", be32(0x800))], accepted(state={"/0/queues/2/vring-num": 0x800}),
  ["unchecked"], [spec("§7 L8, L20")], "vring.num 2048 > VIRTQUEUE_MAX_SIZE is not checked either")
v("i_virtio_ringsize_zero", ACCEPTABLE, [put(sub("virtio/ringsize", 21), be32(0))],
  accepted(state={"/0/queues/0/vring-num-default": 0}), ["unchecked"], [spec("§4 (ringsize), §7 L12")],
  "num_default 0 from virtio/ringsize is taken as is")
v("i_virtio_pci_modern_state_garbage", ACCEPTABLE, [put(sub("virtio_pci/modern_state", 45), "ffff00ff" + "41" * 24)],
  accepted(state={"/0/broken": False}), ["unchecked"], [spec("§5.2, §7 L20")], "modern_state queue 0 values are not cross-checked")
v("i_net_rss_indirection_out_of_range", ACCEPTABLE,
  [insert(sub("virtio/64bit_features"), subsection("virtio-net-device/rss", "010100" + be32(0x3f) + be16(4) + be16(0) + "5a" * 40
                                                    + be16(0) + be16(7) + be16(0) + be16(7)))],
  accepted(rule="virtio-net.rss.software_fallback", message=OBSERVED), ["unchecked", "CVE-2024-6505"],
  [spec("§6.2.4, §8"), report("https://nvd.nist.gov/vuln/detail/CVE-2024-6505")],
  "An rss subsection whose indirection table names queue 7 of 1: loaded unchecked (only a run-time guard)")

group(MODERN, I440, [D_MODERN + ",mrg_rxbuf=off"], qemu_args=qemu(I440, D_MODERN + ",mrg_rxbuf=off"),
      comment="The modern capture into a destination that no longer offers a negotiated feature")
v("n_virtio_features_unsupported_after_upgrade", INVALID, [], rejected("virtio.features.unsupported", OBSERVED),
  ["kubevirt-16386", "mismatched-destination"], [spec("§7 L14"), report("https://github.com/kubevirt/kubevirt/issues/16386")],
  "The guest negotiated MRG_RXBUF; the destination's NIC does not offer it (64-bit message form)")

group(MODERN, I440, [D_MSIX], qemu_args=qemu(I440, D_MSIX),
      comment="The modern capture into a legacy-only (disable-modern=on) destination")
v("n_modern_stream_into_legacy_only_device", INVALID, [],
  rejected("pci.config.bad_data", "get_pci_config_device: Bad config data: i=0x2 read: 41 device: 0 cmask: ff wmask: 0 w1cmask:0"),
  ["negative-capture", "mismatched-destination"], [spec("§5.1"), negative("h4_modern_stream_into_legacy_only_device")],
  "Device ID 0x1041 (modern) vs 0x1000")

# --- multiqueue destination (queues=2 stands for a two-queue tap peer without vnet header) ---------------
MQ = D_NOSUB + ",mq=on"
group(NOSUB, I440, [MQ + ",queues=2"], qemu_args=qemu(I440, MQ + ",netdev=n0", extra=TAP2),
      comment="A multiqueue destination (2 pairs): the device part gains max/curr_queue_pairs")
v("y_net_curr_queue_pairs_1_of_2", VALID, [insert("net.end_fixed", be16(2) + be16(1))], accepted(state={"/0/broken": False}),
  ["boundary", "CVE-2013-4150"], [spec("§6.2.1, §7 L11")], "max 2, current 1")
v("n_net_curr_queue_pairs_gt_max", INVALID, [insert("net.end_fixed", be16(2) + be16(3))],
  rejected("virtio-net.curr_queue_pairs", "virtio-net: curr_queue_pairs 3 > max_queue_pairs 2"), ["boundary", "CVE-2013-4150"],
  [spec("§7 L11, §8")], "curr_queue_pairs 3 > max_queue_pairs 2, rejected before any tx_waiting is read")
v("n_net_max_queue_pairs_mismatch", INVALID, [insert("net.end_fixed", be16(3) + be16(1))],
  rejected("vmstate.equal_mismatch", "2 != 3"), [], [spec("§6.2.1, §7 L11")], "max_queue_pairs must equal the local value")
v("n_net_single_queue_stream_into_mq", INVALID, [], rejected(message=OBSERVED), ["mismatched-destination"], [spec("§6.2.1")],
  "The single-queue capture: the fields the destination expects are not there; the footer is read as max_queue_pairs")
