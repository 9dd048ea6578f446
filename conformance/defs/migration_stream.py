# Stream framing around the virtio sections (spec §1): header, configuration,
# section headers and footers, RAM, commands, EOF and the vmdesc trailer.

suite("migration_stream", "Migration stream framing: header, configuration, sections, footers, RAM, EOF, vmdesc",
      header=["Edits of the net-legacy-nosub capture; each loaded by real QEMU 7.2.22 (observations)."])

VIRTIO_FOOTER = find("7e00000027")  # the virtio-net section's footer (section id 0x27)
RAM_LIST = find("0670632e72616d0000000000200000")  # "pc.ram" + be64 0x200000 in the RAM block list
FIRST_PAGE = 0xc9  # be64 addr|flags of the first page record (PART of section 2 at 0xc4)
EOF_AT = find("0006000181f9")  # QEMU_VM_EOF, then the vmdesc record (0x06, be32 length)

group(NOSUB, I440, [D_NOSUB], qemu_args=qemu(I440, D_NOSUB), comment="The net-legacy-nosub capture")
v("n_stream_magic", INVALID, [put(0, text("QEVN"))], rejected("stream.magic", "Not a migration stream"), ["framing"],
  [spec("§1.7")], "Magic 'QEVN'")
v("n_stream_version_2", INVALID, [put(4, be32(2))],
  rejected("stream.version_obsolete", "SaveVM v2 format is obsolete and don't work anymore"), ["framing"], [spec("§1.7")],
  "QEMU_VM_FILE_VERSION_COMPAT")
v("n_stream_version_4", INVALID, [put(4, be32(4))], rejected("stream.version_unsupported", "Unsupported migration stream version"),
  ["framing"], [spec("§1.7")], "Version 4")
v("n_stream_configuration_short_name", INVALID, [put(0x9, be32(12))], rejected(message=OBSERVED), ["framing"],
  [spec("§1.3")], "A configuration name length one byte short: 'pc-i440fx-7.' is compared")
v("n_stream_section_unknown_idstr", INVALID, [put(field("section.idstr", 22), text("X"))],
  rejected("stream.section_unknown", "Unknown savevm section or instance '0000:00:02.0/virtio-neX' 0. Make sure that your "
           "current VM setup matches your saved VM setup, including any hotplugged devices"),
  ["framing", "negative-capture"], [spec("§1.7"), negative("g1_unknown_idstr")], "idstr '…/virtio-neX'")
v("n_stream_section_unknown_instance", INVALID, [put("section.instance_id", be32(1))],
  rejected("stream.section_unknown", "Unknown savevm section or instance '0000:00:02.0/virtio-net' 1. Make sure that your "
           "current VM setup matches your saved VM setup, including any hotplugged devices"), ["framing"], [spec("§1.7")],
  "instance 1 of a device that has only instance 0")
v("n_stream_section_version_too_new", INVALID, [put("section.version_id", be32(12))],
  rejected("stream.section_version", "savevm: unsupported version 12 for '0000:00:02.0/virtio-net' v11"),
  ["framing", "negative-capture", "boundary"], [spec("§1.7"), negative("g2_section_version_too_new")], "virtio-net version 12 > 11")
v("n_stream_section_version_too_old", INVALID, [put("section.version_id", be32(3))],
  rejected("vmstate.version_too_old", "virtio-net: incoming version_id 3 is too old for local minimum version_id  11"),
  ["framing", "held-back-case"], [spec("§2.3"), team_notes("g3")], "virtio-net version 3")
v("n_stream_section_version_10", INVALID, [put("section.version_id", be32(10))],
  rejected("vmstate.version_too_old", "virtio-net: incoming version_id 10 is too old for local minimum version_id  11"),
  ["framing", "boundary"], [spec("§2.3")], "virtio-net version 10, one below the minimum")
v("n_stream_footer_missing", INVALID, [put(VIRTIO_FOOTER, "00")],
  rejected("stream.footer_missing", "Missing section footer for 0000:00:02.0/virtio-net"), ["framing"], [spec("§1.7")],
  "The footer byte is 0x00")
v("n_stream_footer_mismatch", INVALID, [put(VIRTIO_FOOTER[:2] + (4,), "28")],
  rejected("stream.footer_mismatch", "Mismatched section id in footer for 0000:00:02.0/virtio-net - read 0x28 expected 0x27"),
  ["framing"], [spec("§1.7")], "Footer section id 0x28 after section 0x27")
v("n_stream_truncated_at_footer", INVALID, [truncate(VIRTIO_FOOTER)], rejected("stream.truncated", OBSERVED),
  ["framing", "truncated"], [spec("§1.7, §2.2")],
  "The stream ends where the footer starts: the subsection peek of the last VMSTATE_WITH_TMP field already fails")
v("n_stream_truncated_mid_pci_config", INVALID, [truncate(0xd833)], rejected("stream.truncated", "Failed to load PCIDevice:config"),
  ["negative-capture", "truncated"], [spec("§7"), negative("f3_truncate_mid_pci_config")], "Cut inside PCIDevice.config")
v("n_stream_eof_missing", INVALID, [truncate(EOF_AT)], rejected("stream.eof_missing", OBSERVED), ["framing", "truncated"],
  [spec("§1.7")], "Every section present, the EOF byte and the vmdesc trailer cut off")
v("y_stream_vmdesc_missing", VALID, [truncate(EOF_AT[:2] + (1,))],
  accepted(rule="stream.vmdesc_expected", message="Expected vmdescription section, but got 0"), ["framing"], [spec("§1.6")],
  "No vmdesc trailer after EOF: a message, and the load still succeeds")
v("y_stream_vmdesc_wrong_type", VALID, [put(EOF_AT[:2] + (1,), "05")],
  accepted(rule="stream.vmdesc_expected", message="Expected vmdescription section, but got 5"), ["framing"], [spec("§1.6")],
  "0x05 where the vmdesc record should start")
v("n_stream_command_unknown", INVALID, [insert(EOF_AT, "08" + be16(0x63) + be16(0))], rejected("stream.command_unknown", OBSERVED),
  ["framing"], [spec("§1.5")], "A COMMAND record with command 0x63")
v("n_stream_command_ping_no_return_path", INVALID, [insert(EOF_AT, "08" + be16(2) + be16(4) + be32(7))],
  rejected("stream.command_ping", OBSERVED), ["framing"], [spec("§1.5")], "CMD_PING on an incoming side without a return path")
v("n_stream_command_bad_length", INVALID, [insert(EOF_AT, "08" + be16(2) + be16(2) + be16(7))],
  rejected("stream.command_length", OBSERVED), ["framing"], [spec("§1.5")], "CMD_PING with a 2-byte payload")
v("n_stream_section_id_unknown", INVALID, [put(0xc5, be32(99))], rejected("stream.section_id_unknown", "Unknown savevm section 99"),
  ["framing"], [spec("§1.7")], "A SECTION_PART for section 99, which never started")
v("n_stream_ram_unknown_block", INVALID, [put(RAM_LIST[:2] + (6,), text("X"))],
  rejected("stream.ram.unknown_block", OBSERVED), ["framing", "destination-ram"], [spec("§1.4")],
  "The block list names 'pc.raX', a block the destination does not have")
v("n_stream_ram_length_mismatch", INVALID, [put(RAM_LIST[:2] + (7,), be64(0x300000))],
  rejected("stream.ram.length_mismatch", OBSERVED), ["framing", "destination-ram"], [spec("§1.4")],
  "pc.ram is 3 MiB in the stream, 2 MiB at the destination")
MEM_SIZE = RAM_LIST[:2] + (-8,)  # be64 total | RAM_SAVE_FLAG_MEM_SIZE before the list: the lengths' sum, 0x252000
v("n_stream_ram_block_listed_twice", INVALID,
  [put(MEM_SIZE, be64(0x552000 | 4)), insert(RAM_LIST[:2] + (15,), "06" + text("pc.ram") + be64(0x300000))],
  rejected("stream.ram.length_mismatch", OBSERVED), ["framing"], [spec("§1.4")],
  "pc.ram listed again with 3 MiB (the total raised to match): the second entry is compared with the block's 2 MiB")
v("n_stream_ram_block_not_found", INVALID, [put(FIRST_PAGE + 14, text("X"))], rejected("stream.ram.block_not_found", OBSERVED),
  ["framing"], [spec("§1.4")], "The first page record names block 'pc.raX'")
v("n_stream_ram_unknown_flags", INVALID, [put(FIRST_PAGE + 6, be16(0x202))], rejected("stream.ram.unknown_flags", OBSERVED),
  ["framing"], [spec("§1.4")], "Page flags 0x202 (an unknown bit with ZERO)")

group(NOSUB, "pc-i440fx-7.1", [D_NOSUB], qemu_args=qemu("pc-i440fx-7.1", D_NOSUB),
      comment="The 7.2 capture into a pc-i440fx-7.1 destination")
v("n_stream_machine_mismatch", INVALID, [],
  rejected("stream.machine_mismatch", "Machine type received is 'pc-i440fx-7.2' and local is 'pc-i440fx-7.1'"),
  ["framing", "mismatched-destination", "held-back-case"], [spec("§1.3"), team_notes("h3")], "Machine types must match")

group(I440FX23S, I440, [D_23S], qemu_args=qemu(I440, D_23S), comment="A pc-i440fx-2.3 capture into a 7.2 machine")
v("n_stream_configuration_missing", INVALID, [], rejected("stream.configuration_missing", "Configuration section missing"),
  ["framing", "mismatched-destination"], [spec("§1.3", "negative capture h2 loaded the same machine's capture without virtio/started")],
  "A 2.3 machine sends no configuration record (the team's h2 used the capture without virtio/started)")

group(MSIX, "pc-i440fx-2.3", [D_MSIX], qemu_args=qemu("pc-i440fx-2.3", D_MSIX), comment="A 7.2 capture into a 2.3 machine")
v("n_stream_section_type_7", INVALID, [], rejected("stream.section_type_unknown", "Unknown savevm section type 7"),
  ["framing", "mismatched-destination", "negative-capture"], [spec("§1.7"), negative("h1_72_stream_into_pc_i440fx_23")],
  "A 2.3 machine expects no configuration record")
