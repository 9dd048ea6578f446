// VirtioCcwDevice as migrated by save_config: the vmstate "s390_virtio_ccw_dev"
// tree (hw/s390x/virtio-ccw.c, hw/s390x/css.c, hw/s390x/ccw-device.c,
// hw/intc/s390_flic.c; structs from include/hw/s390x/{css,ioinst,adapter}.h).
// Members carry QEMU's names: they are the field names QEMU prints.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>

namespace migcheck::ccw {

constexpr std::size_t kMaxCiws = 62;  // MAX_CIWS

struct Pmcw {  // "s390_pmcw"
  std::uint32_t intparm = 0;
  std::uint16_t flags = 0;
  std::uint16_t devno = 0;
  std::uint8_t lpm = 0, pnom = 0, lpum = 0, pim = 0;
  std::uint16_t mbi = 0;
  std::uint8_t pom = 0, pam = 0;
  std::array<std::uint8_t, 8> chpid{};
  std::uint32_t chars = 0;
  bool operator==(const Pmcw&) const = default;
};

struct Scsw {  // "s390_scsw"
  std::uint16_t flags = 0;
  std::uint16_t ctrl = 0;
  std::uint32_t cpa = 0;
  std::uint8_t dstat = 0, cstat = 0;
  std::uint16_t count = 0;
  bool operator==(const Scsw&) const = default;
};

struct Schib {  // "s390_schib"
  Pmcw pmcw;
  Scsw scsw;
  std::uint64_t mba = 0;
  std::array<std::uint8_t, 4> mda{};
  bool operator==(const Schib&) const = default;
};

struct Ccw1 {  // "s390_ccw1"
  std::uint8_t cmd_code = 0, flags = 0;
  std::uint16_t count = 0;
  std::uint32_t cda = 0;
  bool operator==(const Ccw1&) const = default;
};

struct Ciw {  // "s390_ciw"
  std::uint8_t type = 0, command = 0;
  std::uint16_t count = 0;
  bool operator==(const Ciw&) const = default;
};

struct SenseId {  // "s390_sense_id"
  std::uint8_t reserved = 0;
  std::uint16_t cu_type = 0;
  std::uint8_t cu_model = 0;
  std::uint16_t dev_type = 0;
  std::uint8_t dev_model = 0;
  std::uint8_t unused = 0;
  std::array<Ciw, kMaxCiws> ciw{};
  bool operator==(const SenseId&) const = default;
};

struct Orb {  // "s390_orb"
  std::uint32_t intparm = 0;
  std::uint16_t ctrl0 = 0;
  std::uint8_t lpm = 0, ctrl1 = 0;
  std::uint32_t cpa = 0;
  bool operator==(const Orb&) const = default;
};

// SubchDev. cssid, ssid and devno are VMSTATE_*_EQUAL: they hold the
// destination's own subchannel address, which the stream must repeat.
struct SubchDev {  // "s390_subch_dev"
  std::uint8_t cssid = 0;
  std::uint8_t ssid = 0;
  // schid: pre_save copies schid here, subch_dev_post_load moves the
  // subchannel to it, so one member stands for both.
  std::uint16_t migrated_schid = 0;
  std::uint16_t devno = 0;
  bool thinint_active = false;
  Schib curr_status;
  std::array<std::uint8_t, 32> sense_data{};
  std::uint64_t channel_prog = 0;
  Ccw1 last_cmd;
  bool last_cmd_valid = false;
  SenseId id;
  bool ccw_fmt_1 = false;
  std::uint8_t ccw_no_data_cnt = 0;
  Orb orb;  // subsection "s390_subch_dev/orb"
  bool operator==(const SubchDev&) const = default;
};

// An IndAddr* as IndAddrPtrTmp carries it: len 0 is the NULL pointer.
struct IndAddr {  // "s390_ind_addr_tmp"
  std::int32_t len = 0;
  std::uint64_t addr = 0;
  bool operator==(const IndAddr&) const = default;
};

// AdapterRoutes: only AdapterInfo's offsets migrate ("s390_adapter_info").
struct AdapterInfo {
  std::uint64_t ind_offset = 0;
  std::uint32_t summary_offset = 0;  // subsection "s390_adapter_info/summary_offset"
  bool operator==(const AdapterInfo&) const = default;
};
struct AdapterRoutes {
  AdapterInfo adapter;
  bool operator==(const AdapterRoutes&) const = default;
};

struct Proxy {
  // --- destination property (not on the wire) ---
  // css_migration_enabled() of the machine (s390-ccw-virtio >= 2.10): the
  // needed() of both "s390_subch_dev/orb" and ".../summary_offset".
  bool css_migration = true;

  // --- vmstate "s390_virtio_ccw_dev" v1 (config_vector is VirtIODevice's) ---
  SubchDev sch;  // parent_obj.sch
  IndAddr indicators, indicators2, summary_indicator;
  AdapterRoutes routes;
  std::uint8_t thinint_isc = 0;
  std::int32_t revision = 0;

  bool operator==(const Proxy&) const = default;
};

}  // namespace migcheck::ccw
