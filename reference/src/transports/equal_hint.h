// VMSTATE_UINT8_EQUAL / VMSTATE_UINT16_EQUAL with an err_hint (css.c uses
// them for the subchannel address): get_uint*_equal prints "%x != %x", local
// value first, then the hint on a line of its own (error_printf).
#pragma once

#include <string>
#include <string_view>

#include "migcheck/vmstate/fields.h"

namespace migcheck::ccw {

template <class T, class Acc>
class EqualHintField final : public vmstate::Field<T> {
  using V = vmstate::AccessedType<T, Acc>;

 public:
  EqualHintField(std::string_view name, Acc acc, std::string_view hint)
      : vmstate::Field<T>(name), acc_(acc), hint_(hint) {}
  int load(vmstate::LoadContext& ctx, T& t, int) const override {
    const V local = acc_(t);
    const V read = vmstate::read_scalar<V>(ctx.in);
    if (local == read) return 0;
    const auto& rule = vmstate::rules::kEqualMismatch;
    const int ret = ctx.reject(rule, -EINVAL,
                               vmstate::qemu_format(rule.qemu_message, std::uint64_t{local},
                                                    std::uint64_t{read}));
    ctx.report(std::string(hint_));
    return ret;
  }
  void save(vmstate::SaveContext& ctx, const T& t, int) const override {
    vmstate::write_scalar<V>(ctx.out, acc_(t));
  }
  void visit(vmstate::Visitor& v, T& t, int) const override {
    vmstate::visit_scalar(v, this->name(), -1, acc_(t));
  }
  std::string describe(const T& t, int) const override { return vmstate::describe_scalar(acc_(t)); }

 private:
  Acc acc_;
  std::string_view hint_;
};

template <class T, class Acc>
vmstate::FieldPtr<T> equal_hint(std::string_view name, Acc acc, std::string_view hint) {
  return std::make_shared<EqualHintField<T, Acc>>(name, acc, hint);
}

}  // namespace migcheck::ccw
