#include "migcheck/pci/rules.h"

#include <array>

namespace migcheck::pci::rules {

const LoadRule kBadConfigData{
    .id = "pci.config.bad_data", .outcome = Outcome::Reject,
    .qemu_message = "get_pci_config_device: Bad config data: i=0x%x read: %x device: %x cmask: %x "
                    "wmask: %x w1cmask:%x",
    .origin = "hw/pci/pci.c: get_pci_config_device", .spec = "§5.1, §7 L1"};
const LoadRule kIrqState{.id = "pci.irq_state", .outcome = Outcome::Reject,
                         .qemu_message = "irq state %d: must be 0 or 1.",
                         .origin = "hw/pci/pci.c: get_pci_irq_state", .spec = "§5.1, §7 L1"};
const LoadRule kConfigVector{.id = "pci.msix.config_vector", .outcome = Outcome::Reject,
                             .qemu_message = "", .origin = "hw/virtio/virtio-pci.c: virtio_pci_load_config",
                             .spec = "§5.1, §7 L1"};
const LoadRule kQueueVector{.id = "pci.msix.queue_vector", .outcome = Outcome::Reject,
                            .qemu_message = "", .origin = "hw/virtio/virtio-pci.c: virtio_pci_load_queue",
                            .spec = "§5.1, §7 L8b"};

std::span<const RuleRef> all() {
  static const std::array<RuleRef, 4> list = {&kBadConfigData, &kIrqState, &kConfigVector, &kQueueVector};
  return list;
}

}  // namespace migcheck::pci::rules
