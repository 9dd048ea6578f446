// The in-flight VirtQueueElement as schema fields, shared by the device
// records that carry one (virtio-blk's request, virtio-serial's port).
#pragma once

#include "migcheck/devices/blk_element.h"
#include "migcheck/vmstate/fields.h"

namespace migcheck::devices {

// The element as the last fields of a device's in-flight record `Ref`
// (blk's request, serial's popped port), which has elem() and elem_at:
// `be32 ndescs` (packed-ring hosts only: wrap in vmstate::when), then the
// struct, whose input offset is kept for the mapping's errors.
template <class Ref>
vmstate::FieldPtr<Ref> element_ndescs_field() {
  return vmstate::custom<Ref>(
      "elem.ndescs",
      {[](vmstate::LoadContext& c, Ref& r) { return get_element_ndescs(c, r.elem()); },
       [](vmstate::SaveContext& c, const Ref& r) { put_element_ndescs(c, r.elem()); },
       [](vmstate::Visitor& v, Ref& r) { vmstate::visit_scalar(v, "elem.ndescs", -1, r.elem().ndescs); },
       [](const Ref& r) { return vmstate::describe_scalar(r.elem().ndescs); }});
}
template <class Ref>
vmstate::FieldPtr<Ref> element_field() {
  return vmstate::custom<Ref>("elem", {[](vmstate::LoadContext& c, Ref& r) {
                                         r.elem_at = c.in.offset();
                                         return get_element(c, r.elem());
                                       },
                                       [](vmstate::SaveContext& c, const Ref& r) { put_element(c, r.elem()); },
                                       [](vmstate::Visitor& v, Ref& r) { visit_element(v, r.elem()); },
                                       [](const Ref& r) { return describe_element(r.elem()); }, true});
}

}  // namespace migcheck::devices
