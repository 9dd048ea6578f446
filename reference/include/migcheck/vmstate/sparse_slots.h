// Slots most of which keep their reset value: QEMU's 1024-entry queue
// arrays (VirtIODevice::vq, the proxies' per-queue registers). Only slots
// that were written are stored; the rest read as `T{}`, and two arrays are
// equal when every slot reads equal, materialised or not.
#pragma once

#include <cstddef>
#include <vector>

namespace migcheck::vmstate {

template <class T>
class SparseSlots {
 public:
  static const T& reset() {
    static const T kReset{};
    return kReset;
  }
  std::size_t materialised() const { return slots_.size(); }
  const T& get(std::size_t i) const { return i < slots_.size() ? slots_[i] : reset(); }
  T& operator[](std::size_t i) {
    if (i >= slots_.size()) slots_.resize(i + 1);
    return slots_[i];
  }
  // Stores slot i, materialising it only if it differs from the reset value.
  void set(std::size_t i, const T& v) {
    if (i < slots_.size() || !(v == reset())) (*this)[i] = v;
  }
  bool operator==(const SparseSlots& o) const {
    const std::size_t n = slots_.size() > o.slots_.size() ? slots_.size() : o.slots_.size();
    for (std::size_t i = 0; i < n; ++i)
      if (!(get(i) == o.get(i))) return false;
    return true;
  }

 private:
  std::vector<T> slots_;
};

// The sparse_array field accessors for a SparseSlots member reached by Acc.
template <class Owner, class T, SparseSlots<T> Owner::*Member>
const T& slot_get(const Owner& o, int i) {
  return (o.*Member).get(static_cast<std::size_t>(i));
}
template <class Owner, class T, SparseSlots<T> Owner::*Member>
void slot_set(Owner& o, int i, const T& v) {
  (o.*Member).set(static_cast<std::size_t>(i), v);
}

}  // namespace migcheck::vmstate
