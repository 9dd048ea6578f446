// virtio-blk: the in-flight request list of virtio_blk_save_device /
// virtio_blk_load_device (hw/block/virtio-blk.c @ 7.2.22, spec §6.1, §7 L10).
//
//   repeat: u8 1 | [be32 vq_index if num-queues > 1] | element ; then u8 0
//
// The list has no count: each request consumes at least 1 + 49168 bytes or
// ends the load at the end of the input, so its length is bounded by the input.
#include "migcheck/devices/blk_rules.h"
#include "migcheck/devices/element_fields.h"
#include "migcheck/virtio/core.h"
#include "migcheck/vmstate/format.h"

namespace migcheck::devices {

using virtio::DeviceOps;
using virtio::VirtioDevice;
using vmstate::LoadContext;
using vmstate::qemu_format;
using vmstate::SaveContext;
using vmstate::Visitor;
using vmstate::Vmsd;

namespace {

// One request as the tables see it: the request plus what its presence
// tests and checks read from the device (num-queues, host features).
struct RequestRef {
  const VirtioDevice* dev;
  BlkRequest* req;
  ElementMapper* mapper;      // loading only
  std::uint64_t elem_at = 0;  // input offset of the element, once read
  VirtQueueElement& elem() const { return req->elem; }
};

bool multiqueue(const RequestRef& r, int) { return r.dev->blk.num_queues > 1; }
bool packed(const RequestRef& r, int) { return r.dev->host_has(virtio::kFRingPacked); }

int get_vq_index(LoadContext& ctx, RequestRef& r) {
  const unsigned nvqs = r.dev->blk.num_queues;
  r.req->vq_index = ctx.in.be32();
  if (r.req->vq_index >= nvqs)
    return ctx.reject(rules::kBlkRequestVqIndex, -EINVAL,
                      qemu_format(rules::kBlkRequestVqIndex.qemu_message, r.req->vq_index));
  return 0;
}

// After the element: virtqueue_map, the last step of qemu_get_virtqueue_element.
int request_post_load(LoadContext& ctx, RequestRef& r, int) {
  return r.mapper ? r.mapper->map(ctx, r.req->elem, r.elem_at) : 0;
}

const Vmsd<RequestRef>& request_vmsd() {
  static const Vmsd<RequestRef> v{
      .name = "VirtIOBlockReq",
      .fields =
          {
              vmstate::when<RequestRef>(
                  vmstate::custom<RequestRef>(
                      "vq_index",
                      {get_vq_index, [](SaveContext& c, const RequestRef& r) { c.out.be32(r.req->vq_index); },
                       [](Visitor& v, RequestRef& r) {
                         vmstate::visit_scalar(v, "vq_index", -1, r.req->vq_index);
                       },
                       [](const RequestRef& r) { return vmstate::describe_scalar(r.req->vq_index); }}),
                  multiqueue),
              vmstate::when<RequestRef>(element_ndescs_field<RequestRef>(), packed),
              element_field<RequestRef>(),
          },
      .post_load = request_post_load,
      .hand_written = true};
  return v;
}

// ---- the list -------------------------------------------------------------------

int get_requests(LoadContext& ctx, VirtioDevice& d) {
  wire::Reader& in = ctx.in;
  ElementMapper mapper;
  d.blk.rq.clear();
  for (int i = 0;; ++i) {
    ctx.mark();
    const std::uint64_t begin = in.offset();
    const auto more = static_cast<std::int8_t>(in.u8());  // qemu_get_sbyte: any non-zero continues
    if (auto* o = ctx.field_observer()) o->field("more", i, begin, in.offset(), vmstate::describe_scalar(more));
    if (!more) return 0;
    BlkRequest req;
    RequestRef ref{&d, &req, &mapper};
    if (int ret = vmstate::load_state(ctx, request_vmsd(), ref, 0)) return ret;
    d.blk.rq.push_back(std::move(req));
  }
}

void put_requests(SaveContext& ctx, const VirtioDevice& d) {
  for (const BlkRequest& req : d.blk.rq) {
    ctx.out.u8(1);
    vmstate::save_state(ctx, request_vmsd(), RequestRef{&d, const_cast<BlkRequest*>(&req), nullptr});
  }
  ctx.out.u8(0);
}

void visit_requests(Visitor& v, VirtioDevice& d) {
  for (std::size_t i = 0; i < d.blk.rq.size(); ++i) {
    RequestRef ref{&d, &d.blk.rq[i], nullptr};
    vmstate::visit_state(v, request_vmsd(), ref, static_cast<int>(i));
  }
}

const Vmsd<VirtioDevice>& blk_device_part() {
  static const Vmsd<VirtioDevice> v{
      .name = "virtio_blk_save_device",
      .fields = {vmstate::custom<VirtioDevice>(
          "rq", {get_requests, put_requests, visit_requests,
                 [](const VirtioDevice& d) { return qemu_format("%zu in-flight requests", d.blk.rq.size()); },
                 true})},
      .hand_written = true};
  return v;
}

}  // namespace

const DeviceOps& blk_ops() {
  static const DeviceOps ops{.kind = DeviceKind::Blk,
                             .vmsd_name = "virtio-blk",
                             .version_id = 2,
                             .minimum_version_id = 2,
                             .vmsd = blk_device_part};  // vdc->save / vdc->load
  return ops;
}

}  // namespace migcheck::devices
