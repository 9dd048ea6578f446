# virtio-blk over virtio-pci: the queue-count boundary, the in-flight request
# list (spec §6.1, §7 L10) with its CVEs, and the packed-ring ordering report.

suite("virtio_blk_pci", "virtio-blk-pci: queue count, in-flight requests (VirtQueueElementOld), packed-ring order",
      header=["Section records cut from real QEMU 7.2.22 captures; QEMU observed each one spliced back into its stream."])

BLKL = section("blk_legacy", "blk-legacy", "0000_00_02.0_virtio-blk")
BLKI = section("blk_modern_inflight", "blk-modern-inflight", "0000_00_02.0_virtio-blk")
D_BLKL = "virtio-blk-pci,id=dev0,drive=d0,disable-modern=on,serial=QCAP-DISK-1"
D_BLKI = "virtio-blk-pci,id=dev0,drive=d0,disable-legacy=on"
EMPTY_VQ = be32(0) + be64(0) + be16(0) + be16(0xffff)  # num, desc, last_avail_idx, MSI-X vector

group(BLKL, I440, [D_BLKL], qemu_args=qemu(I440, D_BLKL, extra=DRIVE),
      comment="Legacy-only virtio-blk, 2 MSI-X vectors, one queue, no request in flight (capture blk-legacy)")
v("y_blk_legacy", VALID, [], accepted(observed_state=STATUS + queues(1)), ["capture"], [capture("blk-legacy")],
  "The section the spec rebuilds byte for byte in §9")
v("y_virtio_num_queues_1024", VALID, [put("nvq", be32(1024)), insert("device", EMPTY_VQ, repeat=1023)],
  accepted(state={"/0/num-vqs": 1, "/0/broken": False}), ["boundary", "CVE-2013-4151"], [spec("§7 L6, L8")],
  "1024 queue entries (1023 of them empty) is the most VIRTIO_QUEUE_MAX allows")
v("n_virtio_num_queues_1025_blk", INVALID, [put("nvq", be32(1025)), insert("device", EMPTY_VQ, repeat=1024)],
  rejected("virtio.num_queues", "Invalid number of virtqueues: 0x401"), ["boundary", "CVE-2013-4151"], [spec("§7 L6")],
  "1025 entries: rejected before the first entry is read")
v("n_pci_msix_queue_vector_2_blk", INVALID, [put("vq[0].vector", be16(2))],
  rejected("pci.msix.queue_vector", "Failed to load virtio-blk:virtio"), ["boundary"], [spec("§5.1, §7 L8b")],
  "Vector 2 with 2 vectors (num_queues + 1)")

group(BLKI, I440, [D_BLKI], qemu_args=qemu(I440, D_BLKI, extra=DRIVE),
      comment="Modern virtio-blk with one request in flight (capture blk-modern-inflight): index 3, out_num 1, in_num 2")
E = 1  # the element starts after the 0x01 "request follows" byte of the device part
v("y_blk_modern_inflight", VALID, [], accepted(observed_state=STATUS + queues(1)), ["capture"], [capture("blk-modern-inflight")],
  "The capture: one VirtQueueElementOld of 49168 bytes")
v("n_virtio_blk_element_in_num_1025", INVALID, [put(field("device", E + 8), le32(1025))], rejected("virtqueue_element.in_num"),
  ["qemu-defect", "CVE-2013-4535", "CVE-2013-4536", "CVE-2013-4542"], [spec("§6.1, §7 L10, §8")],
  "in_num 1025 > VIRTQUEUE_MAX_SIZE: QEMU 7.2 asserts in qemu_get_virtqueue_element")
v("n_virtio_blk_element_out_num_1025", INVALID, [put(field("device", E + 4), le32(1025))], rejected("virtqueue_element.out_num"),
  ["qemu-defect", "CVE-2013-4535", "CVE-2013-4536"], [spec("§6.1, §7 L10, §8")], "out_num 1025: the same assert")
v("n_virtio_blk_element_in_num_ffffffff", INVALID, [put(field("device", E + 8), le32(0xffffffff))],
  rejected("virtqueue_element.in_num"), ["qemu-defect", "CVE-2013-4535"], [spec("§6.1, §8")], "in_num 0xffffffff")
group(BLKI, I440, [D_BLKI + ",num-queues=2,vectors=2"], qemu_args=qemu(I440, D_BLKI + ",num-queues=2,vectors=2", extra=DRIVE),
      comment="A two-queue destination: each request carries be32 vq_index first")
v("y_virtio_blk_request_vq_index_1", VALID, [insert(field("device", E), be32(1))], accepted(state={"/0/broken": False}),
  ["boundary"], [spec("§6.1, §7 L10")], "vq_index 1 < num_queues 2")
v("n_virtio_blk_request_vq_index_2", INVALID, [insert(field("device", E), be32(2))],
  rejected("virtio-blk.request_vq_index", "Invalid virtqueue index in request list: 0x2"), ["boundary"],
  [spec("§6.1, §7 L10")], "vq_index 2 == num_queues")
v("n_virtio_blk_stream_into_two_queue_device", INVALID, [], rejected(message=OBSERVED), ["mismatched-destination"],
  [spec("§6.1")], "Without the index the element is read 4 bytes off (the field's presence follows the destination)")

# Mapping a request's buffers needs the guest's memory: these use the whole stream, RAM included.
BLKIF = stream("y_blk_modern_inflight.mig", f"{C}/streams/blk-modern-inflight.mig")
group(BLKIF, I440, [D_BLKI], qemu_args=qemu(I440, D_BLKI, extra=DRIVE),
      comment="The whole blk-modern-inflight stream: the request's buffers are mapped against its 2 MiB of RAM")
v("i_virtio_blk_element_addr_outside_ram", ACCEPTABLE, [put(field("device", E + 16), le64(0x100000000000))],
  accepted(state={"/0/broken": False}), ["unchecked"], [spec("§6.1")],
  "One buffer outside guest RAM: mapped through QEMU's single bounce buffer, so the load succeeds")
v("n_virtio_blk_element_map_mmio", INVALID,
  [put(field("device", E + 16), le64(0x100000000000)), put(field("device", E + 24), le64(0x100000001000))],
  rejected("virtqueue_element.map_mmio", "virtio: error trying to map MMIO memory"), ["qemu-exit"], [spec("§6.1, §7 L10")],
  "Two buffers outside guest RAM: the bounce buffer is taken, the second map fails and QEMU exits from the loader")
v("n_virtio_blk_element_map_split", INVALID, [put(field("device", E + 16), le64(0x1fff00))],
  rejected("virtqueue_element.map_split", OBSERVED), ["qemu-exit"], [spec("§6.1, §7 L10")],
  "A 512-byte buffer at 0x1fff00 runs past the end of the 2 MiB of RAM")

group(BLKIF, I440, [D_BLKI + ",packed=on"], qemu_args=qemu(I440, D_BLKI + ",packed=on", extra=DRIVE),
      comment="The same request into a device that offers RING_PACKED: be32 ndescs travels with each element")
v("i_virtio_blk_packed_inflight_writer_order", ACCEPTABLE, [insert(field("device", E), be32(1))],
  accepted(rule="virtqueue_element.packed_order", state={"/0/broken": False}),
  ["packed-ring-order", "implementation-choice", "qemu-exit"], [spec("§6.1 ORDER BUG", "recommended: match the writer")],
  "ndescs before the element, as qemu_put_virtqueue_element writes it. The spec recommends reading it so; QEMU's "
  "reader takes it as the element's first bytes and exit(1)s ('virtio: unexpected memory split')")
v("i_virtio_blk_packed_inflight_reader_order", ACCEPTABLE, [insert(field("device", E + 49168), be32(1))],
  rejected(), ["packed-ring-order", "implementation-choice"], [spec("§6.1 ORDER BUG", "recommended: match the writer")],
  "ndescs after the element, where qemu_get_virtqueue_element reads it (no QEMU writer produces this): QEMU loads "
  "it; a loader that reads the writer's order misparses the element and rejects (any rule)")
