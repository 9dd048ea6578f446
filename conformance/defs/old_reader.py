# The old-reader matrix: each virtio subsection QEMU 7.2 can write, in a
# footer-less (pc-i440fx-2.3) stream, loaded by each reader profile; then the
# unknown-subsection cases with and without the parent's prefix. Spec §2.4,
# §3.3, §4 and §10.3; only the qemu-7.2 column can be observed with QEMU 7.2.

suite("old_reader", "Old-reader matrix: every virtio subsection x every reader profile, unknown names with and without the prefix",
      header=["Base: the pc-i440fx-2.3 capture with virtio/started (no configuration record, no footers).",
              "Its virtio/started subsection is replaced by the subsection under test.",
              "Other devices' sections are outside the matrix: the rows are about the virtio section."])

W = {"profile": "qemu-7.2", "machine": "pc-i440fx-2.3", "qemu": "7.2.22"}
STARTED = sub("virtio/started")
AFTER = sub("virtio/started", 21)  # where the next section begins
WARN = "qemu: warning: error while loading state for instance 0x0 of device '0000:00:02.0/virtio-net'"
PACKED_VQ = be16(0) + "01" + be16(0) + "01" + be32(0)  # initial packed state: wrap counters 1


def with_sub(name, payload="", body=None, repeat=1):
    edits = [delete(STARTED, 21), insert(AFTER, subsection(name, payload))]
    if body:
        edits.append(insert(AFTER, body, repeat=repeat))
    return edits


SUBS = [  # (short name, subsection, edits, state a 7.2 reader shows)
    ("device_endian", "virtio/device_endian", with_sub("virtio/device_endian", "01"), {"/0/device-endian": "little"}),
    ("64bit_features", "virtio/64bit_features", with_sub("virtio/64bit_features", be64(0x10020)), {"/0/guest-features": 0x10020}),
    ("virtqueues", "virtio/virtqueues", with_sub("virtio/virtqueues", "", "00" * 16, 1024), {"/0/queues/0/vring-avail": 0x11000}),
    ("ringsize", "virtio/ringsize", with_sub("virtio/ringsize", be32(256) * 2 + be32(64), "00" * 4, 1021),
     {"/0/queues/2/vring-num-default": 64}),
    ("broken", "virtio/broken", with_sub("virtio/broken", "00"), {"/0/broken": False}),
    ("extra_state", "virtio/extra_state", with_sub("virtio/extra_state"), {"/0/broken": False}),
    ("started", "virtio/started", [], {"/0/started": True}),
    ("packed_virtqueues", "virtio/packed_virtqueues", with_sub("virtio/packed_virtqueues", "", PACKED_VQ, 1024),
     {"/0/queues/0/last-avail-idx": 0}),
    ("disabled", "virtio/disabled", with_sub("virtio/disabled", "01"), {"/0/disabled": True}),
]
# What each reader knows (spec §4 "origin" column): 2.0 has no vmstate_virtio at all (§3.3), 2.1 adds
# device_endian (616a655219), 2.4 adds 64bit_features and virtqueues (019a3edbb2, 74aae7b22b).
READERS = [
    ("qemu-2.0", "pc-i440fx-2.0", D_23, set()),
    ("qemu-2.1", "pc-i440fx-2.1", D_23, {"device_endian"}),
    ("qemu-2.4", "pc-i440fx-2.3", D_23, {"device_endian", "64bit_features", "virtqueues"}),
    ("qemu-7.2", "pc-i440fx-2.3", D_23S, {s[0] for s in SUBS}),
]
REF = {"qemu-2.0": "§2.4 'In the oldest case', §3.3", "qemu-2.1": "§2.4, §3.3 [2014], §1.7 [2014] messages",
       "qemu-2.4": "§2.4, §4", "qemu-7.2": "§2.4, §4"}


def unknown(profile):
    """A virtio/... name the reader does not define: -ENOENT, surfacing per release."""
    if profile == "qemu-2.0":
        return rejected("stream.section_type_unknown", "Unknown savevm section type 5")
    if profile == "qemu-2.1":
        return rejected("vmstate.subsection_unknown", WARN)
    if profile == "qemu-2.4":
        return rejected("vmstate.subsection_unknown")  # the spec does not pin 2.4's wording
    return rejected("vmstate.subsection_unknown", "Failed to load virtio-net:virtio")


for profile, machine, device, known in READERS:
    observe = qemu(machine, device) if profile == "qemu-7.2" else None
    group(I440FX23S, machine, [device], profile=profile, writer=W, qemu_args=observe,
          comment=f"Reader {profile} ({machine}); written by QEMU 7.2 for pc-i440fx-2.3")
    tag = profile.replace("qemu-", "").replace(".", "")
    for short, name, edits, state in SUBS:
        if profile == "qemu-2.0":
            e, res = rejected("stream.section_type_unknown", "Unknown savevm section type 5"), INVALID
        elif short in known:
            e, res = accepted(state=state), VALID
        else:
            e, res = unknown(profile), INVALID
        prefix = "y_" if res == VALID else "n_"
        v(f"{prefix}old_reader_{tag}_{short}", res, edits, e, ["old-reader", "subsection"], [spec(REF[profile])],
          f"{name} read by {profile}")
    v(f"y_old_reader_{tag}_no_subsections", VALID, [delete(STARTED, 21)], accepted(state={"/0/started": False}),
      ["old-reader"], [spec(REF[profile])], f"No subsection at all: every reader accepts")
    e = unknown(profile)
    v(f"n_old_reader_{tag}_unknown_same_prefix", INVALID, [put(sub("virtio/started", 11), text("X"))], e,
      ["old-reader", "subsection"] + (["held-back-case"] if profile == "qemu-7.2" else []),
      [spec(REF[profile])] + ([team_notes("a6")] if profile == "qemu-7.2" else []), "'virtio/stXrted'")
    v(f"n_old_reader_{tag}_unknown_foreign_prefix", INVALID, [put(sub("virtio/started", 7), text("X"))],
      rejected("stream.section_type_unknown", "Unknown savevm section type 5"),
      ["old-reader", "subsection"] + (["negative-capture"] if profile == "qemu-7.2" else []),
      [spec(REF[profile] + ", §1.7")] + ([negative("a5_no_footer_stream_other_prefix")] if profile == "qemu-7.2" else []),
      "'virtiX/started': no footer to stop at, so the top-level loop meets 0x05")
