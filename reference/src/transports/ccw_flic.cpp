// AdapterRoutes as virtio-ccw migrates them: vmstate "s390_adapter_routes"
// and "s390_adapter_info" (hw/intc/s390_flic.c). Only the indicator offsets
// travel; ids and addresses are rebuilt from the IndAddr objects.
#include "migcheck/transports/ccw.h"
#include "migcheck/vmstate/fields.h"

namespace migcheck::ccw {

using vmstate::Vmsd;

namespace {

// adapter_info_so_needed: css_migration_enabled().
bool summary_offset_needed(const Proxy& p) { return p.css_migration; }

const Vmsd<Proxy>& vmstate_adapter_info_so() {
  static const Vmsd<Proxy> v{
      .name = "s390_adapter_info/summary_offset",
      .version_id = 1,
      .minimum_version_id = 1,
      .fields = {vmstate::scalar<Proxy>("summary_offset", MC_REF(routes.adapter.summary_offset))},
      .needed = summary_offset_needed};
  return v;
}

const Vmsd<Proxy>& vmstate_adapter_info() {
  static const Vmsd<Proxy> v{.name = "s390_adapter_info",
                             .version_id = 1,
                             .minimum_version_id = 1,
                             .fields = {vmstate::scalar<Proxy>("ind_offset", MC_REF(routes.adapter.ind_offset))},
                             .subsections = {&vmstate_adapter_info_so()}};
  return v;
}

Proxy& self(Proxy& p, int) { return p; }

}  // namespace

// VMSTATE_STRUCT(adapter, AdapterRoutes, 1, vmstate_adapter_info, AdapterInfo)
const Vmsd<Proxy>& vmstate_adapter_routes() {
  static const Vmsd<Proxy> v{
      .name = "s390_adapter_routes",
      .version_id = 1,
      .minimum_version_id = 1,
      .fields = {vmstate::since(vmstate::structure<Proxy, Proxy>("adapter", vmstate_adapter_info, self), 1)}};
  return v;
}

}  // namespace migcheck::ccw
