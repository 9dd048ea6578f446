#include "qemu_adapter.h"

#include <sys/stat.h>

#include <algorithm>
#include <cstdio>
#include <chrono>
#include <fstream>
#include <set>
#include <sstream>
#include <thread>

#include <unistd.h>

#include "../adapters/subprocess.h"
#include "migcheck/harness/oracle.h"
#include "qmp_client.h"
#include "qmp_decode.h"

namespace migcheck::harness {

namespace {

using Clock = std::chrono::steady_clock;
constexpr std::string_view kPrefix = "qemu-system-x86_64: ";

Clock::time_point after(double seconds) {
  return Clock::now() + std::chrono::duration_cast<Clock::duration>(std::chrono::duration<double>(seconds));
}

std::string read_text(const std::string& path, std::size_t max = 1u << 20) {
  std::ifstream in(path, std::ios::binary);
  std::string s((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  if (s.size() > max) s.erase(0, s.size() - max);
  return s;
}

// QEMU's error lines, prefix removed. Dropped: the warning about the NIC
// having no peer (our command line, not the load) and GLib's own criticals
// (a g_timer assertion on the RSS post-load path), which the reference does
// not model; the loader's warnings (eBPF RSS fallback) stay.
std::vector<std::string> error_lines(const std::string& log) {
  std::vector<std::string> out;
  std::istringstream in(log);
  for (std::string line; std::getline(in, line);) {
    if (line.rfind(kPrefix, 0) == 0) line.erase(0, kPrefix.size());
    if (line.empty() || line.rfind("GLib", 0) == 0 || line.rfind("(qemu-system-", 0) == 0) continue;
    if (line.rfind("warning:", 0) == 0 && line.find("has no peer") != std::string::npos) continue;
    out.push_back(line);
  }
  return out;
}

// "virtio-net-pci,mq=on" -> driver, props
std::pair<std::string, std::string> split_arg(const std::string& arg) {
  const std::size_t comma = arg.find(',');
  return {arg.substr(0, comma), comma == std::string::npos ? "" : arg.substr(comma + 1)};
}

std::string prop(const std::string& props, const std::string& name) {
  std::istringstream in(props);
  for (std::string kv; std::getline(in, kv, ',');)
    if (kv.rfind(name + "=", 0) == 0) return kv.substr(name.size() + 1);
  return {};
}

// "virtio-net-pci,queues=2,mq=on" without queues=
std::string without_prop(const std::string& arg, const std::string& name) {
  std::istringstream in(arg);
  std::string out;
  for (std::string kv; std::getline(in, kv, ',');)
    if (kv.rfind(name + "=", 0) != 0) out += (out.empty() ? "" : ",") + kv;
  return out;
}

bool is_virtio_pci(const std::string& driver) {
  return driver.rfind("virtio-", 0) == 0 && driver.find("-pci") != std::string::npos;
}

class QemuAdapter final : public Adapter {
 public:
  QemuAdapter(std::string binary, double timeout, bool keep)
      : binary_(std::move(binary)), timeout_(timeout), keep_(keep) {
    info_.name = "qemu-7.2";
    info_.version = "qemu-system-x86_64 (Debian 7.2)";
    info_.devices = {"virtio-net", "virtio-blk", "virtio-scsi", "virtio-balloon", "virtio-serial", "virtio-rng"};
    info_.transports = {"pci"};
    info_.profiles = {"qemu-7.2"};
    info_.section_records = false;
    info_.isolated = true;
    info_.real_qemu = true;
    info_.spec = "qemu";
  }
  const AdapterInfo& info() const override { return info_; }

  AdapterResult load(std::span<const std::uint8_t> stream, const Destination& dest) override {
    AdapterResult r = run(stream, dest);
    return r;
  }

 private:
  AdapterResult unsupported(std::string why) {
    AdapterResult r;
    r.outcome = AdapterOutcome::Unsupported;
    r.reason = std::move(why);
    return r;
  }

  AdapterResult run(std::span<const std::uint8_t> input, const Destination& dest) {
    const auto start = Clock::now();
    if (std::string gap = capability_gap(info_, dest); !gap.empty()) return unsupported(gap);
    // An inferred destination may combine a machine type with the framing a
    // lone record showed; QEMU's machine type fixes both.
    std::string why;
    const auto machine = parse_machine(dest.machine.name, &why);
    if (!machine) return unsupported(why);
    if (machine->send_section_footer != dest.machine.send_section_footer ||
        machine->send_configuration != dest.machine.send_configuration)
      return unsupported("QEMU's " + dest.machine.name + " frames sections " +
                         (machine->send_section_footer ? "with" : "without") + " footers, the destination " +
                         (dest.machine.send_section_footer ? "with" : "without"));
    proc::TempDir dir("migcheck-qemu-");
    if (!dir.ok()) return unsupported("cannot create a temporary directory");
    std::string error;
    std::vector<std::string> ids;
    std::vector<std::string> args = qemu_arguments(dest, dir.path(), &ids, &error);
    if (args.empty()) return unsupported(error);
    const std::vector<std::uint8_t> stream = wrap_section_record(input, dest);
    if (!write_atomic(dir.file("bios.bin"), halting_bios(), &error) || !write_atomic(dir.file("stream.mig"), stream, &error))
      return unsupported(error);
    args.insert(args.begin(), binary_);
    const std::string qmp_path = dir.file("qmp.sock");
    args.insert(args.end(), {"-qmp", "unix:" + qmp_path + ",server=on,wait=off", "-qtest",
                             "unix:" + dir.file("qtest.sock") + ",server=on,wait=off", "-incoming", "defer"});
    proc::Limits limits;
    limits.memory_bytes = 0;  // QEMU maps far more than it touches; the timeout bounds it
    proc::Child qemu;
    const std::string log_path = dir.file("qemu.log");
    if (!qemu.start(args, log_path, limits, &error)) return unsupported(error);

    AdapterResult r = drive(qemu, dest, ids, dir.file("stream.mig"), qmp_path, log_path, after(timeout_));
    r.seconds = std::chrono::duration<double>(Clock::now() - start).count();
    if (keep_) {
      const std::string kept = dir.path() + "-kept";
      std::rename(dir.path().c_str(), kept.c_str());
      r.log += "\n(work directory kept: " + kept + ")";
    }
    return r;
  }

  // Everything after QEMU started: load over QMP, read the state back.
  AdapterResult drive(proc::Child& qemu, const Destination& dest, const std::vector<std::string>& ids,
                      const std::string& stream_path, const std::string& qmp_path, const std::string& log_path,
                      Clock::time_point deadline) {
    AdapterResult r;
    qemu::QmpClient qmp;
    auto finish = [&](double grace) {
      proc::Outcome o;
      qemu.finish(grace, o);
      r.log = read_text(log_path, 64u << 10);
      return o;
    };
    qemu::QmpReply up = qmp.open(qmp_path, deadline, [&] { return qemu.exited(); });
    if (up.status != qemu::QmpStatus::Ok) {
      const proc::Outcome o = finish(0.5);
      const auto lines = error_lines(r.log);
      // QEMU refusing the command line is not a load result.
      r.outcome = AdapterOutcome::Unsupported;
      r.reason = "QEMU did not come up (" + up.message + ", " + o.how() + ")" +
                 (lines.empty() ? "" : ": " + lines.front());
      return r;
    }
    qemu::QmpReply m = qmp.execute("migrate-incoming", {{"uri", "exec:cat " + proc::shell_quote(stream_path)}}, deadline);
    std::string status;
    while (m.status == qemu::QmpStatus::Ok) {
      m = qmp.execute("query-migrate", nullptr, deadline);
      if (m.status != qemu::QmpStatus::Ok) break;
      status = m.value.value("status", std::string());
      if (status == "completed" || status == "failed") break;
      std::this_thread::sleep_for(std::chrono::milliseconds(10));
    }
    if (m.status == qemu::QmpStatus::Timeout) {
      qemu.kill_now();
      finish(0);
      r.outcome = AdapterOutcome::Timeout;
      r.reason = "QEMU stopped answering QMP during the load; killed after " +
                 std::to_string(static_cast<int>(timeout_)) + " s";
      return r;
    }
    if (status == "completed") {
      r = read_state(qmp, dest, ids, deadline);
      qmp.execute("quit", nullptr, deadline);
      const proc::Outcome o = finish(2);
      if (o.signal && r.outcome == AdapterOutcome::Accepted) {
        r.outcome = AdapterOutcome::Crash;
        r.reason = "QEMU died after the load: " + o.how();
      }
      const auto lines = error_lines(r.log);
      if (r.outcome == AdapterOutcome::Accepted && !lines.empty()) r.reason = lines.front();
      return r;
    }
    // Failed: 7.2 exits(1) after "load of migration failed"; QMP closes.
    const proc::Outcome o = finish(timeout_);
    const auto lines = error_lines(r.log);
    if (o.timed_out) {
      r.outcome = AdapterOutcome::Timeout;
      r.reason = "QEMU neither finished nor exited; killed";
    } else if (o.signal) {
      r.outcome = AdapterOutcome::Crash;
      r.reason = o.how();
    } else if (o.exit_code == 1 || status == "failed") {
      r.outcome = AdapterOutcome::Rejected;
      r.reason = lines.empty() ? "incoming migration failed" : lines.front();
    } else {
      r.outcome = AdapterOutcome::Malformed;
      r.reason = "QEMU ended with " + o.how() + " and migration status '" + status + "'";
    }
    return r;
  }

  AdapterResult read_state(qemu::QmpClient& qmp, const Destination& dest, const std::vector<std::string>& ids,
                           Clock::time_point deadline) {
    AdapterResult r;
    r.outcome = AdapterOutcome::Malformed;
    for (std::size_t i = 0; i < ids.size() && i < dest.devices.size(); ++i) {
      const std::string path = "/machine/peripheral/" + ids[i] + "/virtio-backend";
      qemu::QmpReply st = qmp.execute("x-query-virtio-status", {{"path", path}}, deadline);
      if (st.status != qemu::QmpStatus::Ok) {
        r.reason = "x-query-virtio-status " + path + ": " + st.message;
        return r;
      }
      std::vector<nlohmann::json> queues;
      const std::uint64_t n = st.value.value("num-vqs", std::uint64_t{0});
      for (std::uint64_t q = 0; q < n && q < 1024; ++q) {
        qemu::QmpReply qs = qmp.execute("x-query-virtio-queue-status", {{"path", path}, {"queue", q}}, deadline);
        if (qs.status != qemu::QmpStatus::Ok) {
          r.reason = "x-query-virtio-queue-status " + path + " " + std::to_string(q) + ": " + qs.message;
          return r;
        }
        queues.push_back(std::move(qs.value));
      }
      std::string error;
      auto dev = qemu::device_json(st.value, queues, &error);
      if (!dev) {
        r.reason = error;
        return r;
      }
      (*dev)["idstr"] = dest.devices[i].idstr;
      (*dev)["instance-id"] = dest.devices[i].instance_id;
      r.devices.push_back(std::move(*dev));
    }
    r.outcome = AdapterOutcome::Accepted;
    return r;
  }

  std::string binary_;
  double timeout_;
  bool keep_;
  AdapterInfo info_;
};

}  // namespace

std::vector<std::uint8_t> halting_bios() {
  std::vector<std::uint8_t> b(65536, 0);
  const std::uint8_t reset[] = {0xfa, 0xf4, 0xeb, 0xfd};  // cli; hlt; jmp $-3
  std::copy(std::begin(reset), std::end(reset), b.begin() + 0xfff0);
  return b;
}

std::string qemu_unavailable(const std::string& binary) {
  if (proc::executable_exists(binary)) return {};
  return "'" + binary + "' not found (Debian: apt-get install qemu-system-x86)";
}

std::vector<std::string> qemu_arguments(const Destination& dest, const std::string& workdir,
                                        std::vector<std::string>* qom_ids, std::string* error) {
  std::vector<std::string> args = {"-machine", dest.machine.name, "-nodefaults", "-no-user-config",
                                   "-display", "none", "-S", "-accel", "tcg", "-m", "2",
                                   "-bios", workdir + "/bios.bin"};
  std::vector<std::string> devices;
  std::vector<std::string> netdevs;
  std::set<std::string> drives, chardevs;
  std::size_t n = 0;
  for (const std::string& a : dest.args) {
    auto [driver, props] = split_arg(a);
    std::string arg = a;
    if (is_virtio_pci(driver)) {
      const std::size_t index = n++;
      // migcheck's queues=N is the peer's queue count: give QEMU that peer, a
      // multiqueue tap without vnet header (as the reference models it; needs
      // /dev/net/tun and CAP_NET_ADMIN, else QEMU does not come up: unsupported).
      if (const std::string queues = prop(props, "queues"); driver.rfind("virtio-net", 0) == 0 && !queues.empty()) {
        const std::string netdev = "migcheck-net" + std::to_string(index);
        arg = without_prop(arg, "queues") + ",netdev=" + netdev;
        netdevs.push_back("tap,id=" + netdev + ",queues=" + queues +
                          ",vnet_hdr=off,vhost=off,script=no,downscript=no");
      }
      std::string id = prop(props, "id");
      if (id.empty()) {
        id = "migcheck-dev" + std::to_string(index);
        arg += ",id=" + id;
      }
      qom_ids->push_back(id);
      if (driver.rfind("virtio-blk", 0) == 0) {
        std::string drive = prop(props, "drive");
        if (drive.empty()) {
          drive = "migcheck-drive" + std::to_string(index);
          arg += ",drive=" + drive;
        }
        drives.insert(drive);
      }
    }
    if (std::string c = prop(props, "chardev"); !c.empty()) chardevs.insert(c);
    devices.insert(devices.end(), {"-device", arg});
  }
  // migcheck takes virtio-blk's drive as present and writable, and ports'
  // chardevs as attached: give QEMU the same (a sparse 1 MiB raw image).
  for (const std::string& d : drives) {
    const std::string image = workdir + "/" + d + ".img";
    std::ofstream(image, std::ios::binary).close();
    if (truncate(image.c_str(), 1 << 20) != 0) {
      *error = "cannot create " + image;
      return {};
    }
    args.insert(args.end(), {"-drive", "if=none,id=" + d + ",format=raw,file=" + image});
  }
  for (const std::string& c : chardevs) args.insert(args.end(), {"-chardev", "null,id=" + c});
  for (const std::string& nd : netdevs) args.insert(args.end(), {"-netdev", nd});
  args.insert(args.end(), devices.begin(), devices.end());
  return args;
}

std::unique_ptr<Adapter> open_qemu_adapter(const QemuOptions& options, std::string* error) {
  const std::string binary = options.binary.empty() ? adapter_limits().qemu_binary : options.binary;
  if (std::string why = qemu_unavailable(binary); !why.empty()) {
    *error = "qemu adapter: " + why;
    return nullptr;
  }
  const double timeout = options.timeout_seconds > 0 ? options.timeout_seconds : adapter_limits().timeout_seconds;
  return std::make_unique<QemuAdapter>(binary, timeout, options.keep_workdir);
}

}  // namespace migcheck::harness
