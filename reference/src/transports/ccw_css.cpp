// The subchannel part of virtio-ccw's save_config: vmstate "s390_ccw_dev"
// (hw/s390x/ccw-device.c), "s390_subch_dev" and its structs, and the
// indicator pointers "s390_ind_addr_tmp" (hw/s390x/css.c). Spec §5.3.
#include "equal_hint.h"
#include "migcheck/transports/ccw.h"
#include "migcheck/transports/ccw_rules.h"
#include "migcheck/vmstate/format.h"

namespace migcheck::ccw {

using vmstate::LoadContext;
using vmstate::Vmsd;

namespace {

// err_hint of VMSTATE_UINT16_EQUAL(devno, ...), printed verbatim.
constexpr std::string_view kHintDevno =
    "Devno mismatch, tried to load wrong section! Likely reason: some sequences of plug and unplug  "
    "can break migration for machine versions prior to  2.7 (known design flaw).";
constexpr std::string_view kHintBug = "Bug!";

const Vmsd<Pmcw>& vmstate_pmcw() {
  static const Vmsd<Pmcw> v{
      .name = "s390_pmcw",
      .version_id = 1,
      .minimum_version_id = 1,
      .fields = {VMS_SCALAR(Pmcw, intparm), VMS_SCALAR(Pmcw, flags), VMS_SCALAR(Pmcw, devno),
                 VMS_SCALAR(Pmcw, lpm), VMS_SCALAR(Pmcw, pnom), VMS_SCALAR(Pmcw, lpum), VMS_SCALAR(Pmcw, pim),
                 VMS_SCALAR(Pmcw, mbi), VMS_SCALAR(Pmcw, pom), VMS_SCALAR(Pmcw, pam), VMS_SCALAR(Pmcw, chpid),
                 VMS_SCALAR(Pmcw, chars)}};
  return v;
}

const Vmsd<Scsw>& vmstate_scsw() {
  static const Vmsd<Scsw> v{.name = "s390_scsw",
                            .version_id = 1,
                            .minimum_version_id = 1,
                            .fields = {VMS_SCALAR(Scsw, flags), VMS_SCALAR(Scsw, ctrl), VMS_SCALAR(Scsw, cpa),
                                       VMS_SCALAR(Scsw, dstat), VMS_SCALAR(Scsw, cstat),
                                       VMS_SCALAR(Scsw, count)}};
  return v;
}

const Vmsd<Schib>& vmstate_schib() {
  static const Vmsd<Schib> v{
      .name = "s390_schib",
      .version_id = 1,
      .minimum_version_id = 1,
      .fields = {vmstate::structure<Schib, Pmcw>("pmcw", vmstate_pmcw,
                                                 [](Schib& s, int) -> Pmcw& { return s.pmcw; }),
                 vmstate::structure<Schib, Scsw>("scsw", vmstate_scsw,
                                                 [](Schib& s, int) -> Scsw& { return s.scsw; }),
                 VMS_SCALAR(Schib, mba), VMS_SCALAR(Schib, mda)}};
  return v;
}

const Vmsd<Ccw1>& vmstate_ccw1() {
  static const Vmsd<Ccw1> v{.name = "s390_ccw1",
                            .version_id = 1,
                            .minimum_version_id = 1,
                            .fields = {VMS_SCALAR(Ccw1, cmd_code), VMS_SCALAR(Ccw1, flags),
                                       VMS_SCALAR(Ccw1, count), VMS_SCALAR(Ccw1, cda)}};
  return v;
}

const Vmsd<Ciw>& vmstate_ciw() {
  static const Vmsd<Ciw> v{.name = "s390_ciw",
                           .version_id = 1,
                           .minimum_version_id = 1,
                           .fields = {VMS_SCALAR(Ciw, type), VMS_SCALAR(Ciw, command), VMS_SCALAR(Ciw, count)}};
  return v;
}

Ciw& ciw(SenseId& s, int i) { return s.ciw[static_cast<std::size_t>(i)]; }
const Ciw& cciw(const SenseId& s, int i) { return s.ciw[static_cast<std::size_t>(i)]; }
int ciw_count(const SenseId&) { return static_cast<int>(kMaxCiws); }

const Vmsd<SenseId>& vmstate_sense_id() {
  static const Vmsd<SenseId> v{
      .name = "s390_sense_id",
      .version_id = 1,
      .minimum_version_id = 1,
      .fields = {VMS_SCALAR(SenseId, reserved), VMS_SCALAR(SenseId, cu_type), VMS_SCALAR(SenseId, cu_model),
                 VMS_SCALAR(SenseId, dev_type), VMS_SCALAR(SenseId, dev_model), VMS_SCALAR(SenseId, unused),
                 vmstate::structure_array<SenseId, Ciw>("ciw", vmstate_ciw, ciw, cciw, ciw_count)}};
  return v;
}

const Vmsd<Orb>& vmstate_orb() {
  static const Vmsd<Orb> v{.name = "s390_orb",
                           .version_id = 1,
                           .minimum_version_id = 1,
                           .fields = {VMS_SCALAR(Orb, intparm), VMS_SCALAR(Orb, ctrl0), VMS_SCALAR(Orb, lpm),
                                      VMS_SCALAR(Orb, ctrl1), VMS_SCALAR(Orb, cpa)}};
  return v;
}

// vmstate_schdev_orb_needed: css_migration_enabled().
bool orb_needed(const Proxy& p) { return p.css_migration; }

const Vmsd<Proxy>& vmstate_schdev_orb() {
  static const Vmsd<Proxy> v{
      .name = "s390_subch_dev/orb",
      .version_id = 1,
      .minimum_version_id = 1,
      .fields = {vmstate::since(vmstate::structure<Proxy, Orb>("orb", vmstate_orb,
                                                               [](Proxy& p, int) -> Orb& { return p.sch.orb; }),
                                1)},
      .needed = orb_needed};
  return v;
}

Proxy& self(Proxy& p, int) { return p; }

// post_load_ind_addr: a zero len leaves the pointer NULL, so the address read
// is lost (pre_save writes len 0, addr 0 for NULL).
int ind_addr_post_load(LoadContext& ctx, IndAddr& a, int) {
  if (a.len == 0 && a.addr != 0) {
    ctx.apply(rules::kIndAddrNullDropsAddr, {},
              vmstate::qemu_format("len 0: indicator address 0x%lx dropped", a.addr));
    a.addr = 0;
  }
  return 0;
}

// The WITH_TMP helper (IndAddrPtrTmp); same name as its wrapper.
const Vmsd<IndAddr>& vmstate_ind_addr_tmp() {
  static const Vmsd<IndAddr> v{.name = "s390_ind_addr_tmp",
                               .fields = {VMS_SCALAR(IndAddr, len), VMS_SCALAR(IndAddr, addr)},
                               .post_load = ind_addr_post_load};
  return v;
}

}  // namespace

// Fields over the whole Proxy keep QEMU's names ("cssid", not "sch.cssid").
#define MC_SCH(member) vmstate::scalar<Proxy>(#member, MC_REF(sch.member))

const Vmsd<Proxy>& vmstate_subch_dev() {
  static const Vmsd<Proxy> v{
      .name = "s390_subch_dev",
      .version_id = 1,
      .minimum_version_id = 1,
      .fields = {equal_hint<Proxy>("cssid", MC_REF(sch.cssid), kHintBug),
                 equal_hint<Proxy>("ssid", MC_REF(sch.ssid), kHintBug),
                 MC_SCH(migrated_schid),
                 equal_hint<Proxy>("devno", MC_REF(sch.devno), kHintDevno),
                 MC_SCH(thinint_active),
                 vmstate::structure<Proxy, Schib>("curr_status", vmstate_schib,
                                                  [](Proxy& p, int) -> Schib& { return p.sch.curr_status; }),
                 MC_SCH(sense_data),
                 MC_SCH(channel_prog),
                 vmstate::structure<Proxy, Ccw1>("last_cmd", vmstate_ccw1,
                                                 [](Proxy& p, int) -> Ccw1& { return p.sch.last_cmd; }),
                 MC_SCH(last_cmd_valid),
                 vmstate::structure<Proxy, SenseId>("id", vmstate_sense_id,
                                                    [](Proxy& p, int) -> SenseId& { return p.sch.id; }),
                 MC_SCH(ccw_fmt_1),
                 MC_SCH(ccw_no_data_cnt)},
      .subsections = {&vmstate_schdev_orb()}};
  return v;
}

#undef MC_SCH

// VMSTATE_STRUCT_POINTER(sch, CcwDevice, vmstate_subch_dev, SubchDev)
const Vmsd<Proxy>& vmstate_ccw_dev() {
  static const Vmsd<Proxy> v{.name = "s390_ccw_dev",
                             .version_id = 1,
                             .minimum_version_id = 1,
                             .fields = {vmstate::structure<Proxy, Proxy>("sch", vmstate_subch_dev, self)}};
  return v;
}

// vmstate_ind_addr: version 0, one VMSTATE_WITH_TMP field.
const Vmsd<IndAddr>& vmstate_ind_addr() {
  static const Vmsd<IndAddr> v{
      .name = "s390_ind_addr_tmp",
      .fields = {vmstate::structure<IndAddr, IndAddr>("tmp", vmstate_ind_addr_tmp,
                                                      [](IndAddr& a, int) -> IndAddr& { return a; })}};
  return v;
}

}  // namespace migcheck::ccw
