#include "migcheck/vmstate/context.h"

#include "migcheck/vmstate/vmsd.h"

namespace migcheck::vmstate {

int LoadContext::reject(const LoadRule& rule, int ret, std::string message, std::string detail) {
  return reject_at(rule, item_begin, ret, std::move(message), std::move(detail));
}

int LoadContext::reject_at(const LoadRule& rule, std::uint64_t offset, int ret, std::string message,
                           std::string detail) {
  if (!diag.reject.rule) {
    diag.reject.rule = &rule;
    diag.reject.offset = offset;
    diag.reject.detail = detail.empty() ? message : std::move(detail);
  }
  if (!message.empty()) diag.messages.push_back(std::move(message));
  return ret;
}

void LoadContext::apply(const LoadRule& rule, std::string message, std::string detail) {
  apply_at(rule, item_begin, std::move(message), std::move(detail));
}

void LoadContext::apply_at(const LoadRule& rule, std::uint64_t offset, std::string message,
                           std::string detail) {
  // A load that applies one rule usually applies a few (one per queue):
  // room for them up front instead of growth by doubling.
  if (diag.applied.empty()) diag.applied.reserve(8);
  diag.applied.push_back({&rule, offset, detail.empty() ? message : std::move(detail)});
  if (!message.empty()) diag.messages.push_back(std::move(message));
}

void LoadContext::ensure_reject_recorded(int ret) {
  if (diag.reject.rule) return;
  if (in.error() == -EIO)
    reject_at(rules::kStreamTruncated, in.error_offset(), ret, {}, "stream ends inside this field");
  else
    reject(rules::kFieldFailed, ret);
}

}  // namespace migcheck::vmstate
