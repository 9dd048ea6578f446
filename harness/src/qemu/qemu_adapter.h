// The real QEMU as an adapter: qemu-system-x86_64 (Debian 7.2) started as
// the destination, fed the stream with -incoming defer + QMP
// migrate-incoming exec:cat FILE, accept/reject read from the migration
// status and its exit, state read back with x-query-virtio-status and
// x-query-virtio-queue-status. A hang is killed at the timeout; both a hang
// and a crash are results ("timeout", "crash"), never the end of a run.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "migcheck/harness/adapters.h"

namespace migcheck::harness {

struct QemuOptions {
  std::string binary;           // default: adapter_limits().qemu_binary
  double timeout_seconds = 0;   // per load; default adapter_limits().timeout_seconds
  bool keep_workdir = false;    // leave the temp dir (stream, BIOS, log) for post-mortem
};

// "" if `binary` can be run, else why not (with the Debian package to install).
std::string qemu_unavailable(const std::string& binary);

std::unique_ptr<Adapter> open_qemu_adapter(const QemuOptions& options, std::string* error);

// The QEMU arguments for `dest` (after the binary), with every virtio device
// given an id so QMP can find it (`qom_ids`), and the backends QEMU needs
// and migcheck takes as present (drives, chardevs) created in `workdir`.
// Empty with *error when QEMU 7.2 cannot build this destination.
std::vector<std::string> qemu_arguments(const Destination& dest, const std::string& workdir,
                                        std::vector<std::string>* qom_ids, std::string* error);

// The 64 KiB BIOS image: zeros except `cli; hlt; jmp $-3` at the reset
// vector, so a vCPU that ever runs just halts and the BIOS RAM is zeros.
std::vector<std::uint8_t> halting_bios();

}  // namespace migcheck::harness
