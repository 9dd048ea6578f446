#include "lib_adapter.h"

#include <dlfcn.h>

#include <chrono>
#include <cstring>

#include "c_destination.h"
#include "forked_adapter.h"
#include "migcheck/adapter.h"
#include "migcheck/stream/loader.h"
#include "result_json.h"

namespace migcheck::harness {

namespace {

constexpr std::size_t kMaxString = 1u << 20;  // a C string from the adapter, bounded

std::string c_string(const char* s) { return s ? std::string(s, strnlen(s, kMaxString)) : std::string(); }

std::vector<std::string> c_list(const char* const* list) {
  std::vector<std::string> out;
  for (std::size_t i = 0; list && list[i] && i < 256; ++i) out.push_back(c_string(list[i]));
  return out;
}

// The descriptor, checked: version, size, the mandatory members.
const migcheck_adapter* describe(void* handle, AdapterInfo& info, std::string* error) {
  void* sym = dlsym(handle, MIGCHECK_ADAPTER_ENTRY);
  if (!sym) {
    *error = std::string("no symbol " MIGCHECK_ADAPTER_ENTRY " (see <migcheck/adapter.h>)");
    return nullptr;
  }
  const auto entry = reinterpret_cast<migcheck_adapter_entry_fn>(sym);
  const migcheck_adapter* d = entry();
  if (!d) {
    *error = MIGCHECK_ADAPTER_ENTRY "() returned NULL";
    return nullptr;
  }
  if (d->abi_version != MIGCHECK_ADAPTER_ABI_VERSION) {
    *error = "ABI version " + std::to_string(d->abi_version) + ", migcheck speaks " +
             std::to_string(MIGCHECK_ADAPTER_ABI_VERSION);
    return nullptr;
  }
  if (d->struct_size < offsetof(migcheck_adapter, release) || !d->load || !d->name) {
    *error = "descriptor without name or load";
    return nullptr;
  }
  info.name = c_string(d->name);
  info.version = c_string(d->version);
  info.devices = c_list(d->devices);
  info.transports = c_list(d->transports);
  info.profiles = c_list(d->profiles);
  const bool has_save = d->struct_size >= sizeof(migcheck_adapter) && d->save && d->free_buffer;
  info.can_save = (d->flags & MIGCHECK_CAP_SAVE) && has_save;
  info.section_records = d->flags & MIGCHECK_CAP_SECTION_RECORDS;
  return d;
}

class LibAdapter final : public Adapter {
 public:
  LibAdapter(void* handle, const migcheck_adapter* desc, void* ctx, AdapterInfo info)
      : handle_(handle), desc_(desc), ctx_(ctx), info_(std::move(info)) {}
  ~LibAdapter() override {
    if (desc_->open && desc_->close) desc_->close(ctx_);
    dlclose(handle_);
  }
  const AdapterInfo& info() const override { return info_; }

  AdapterResult load(std::span<const std::uint8_t> stream, const Destination& dest) override {
    const auto start = std::chrono::steady_clock::now();
    AdapterResult r = call_load(stream, dest);
    r.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    return r;
  }

  std::optional<std::vector<std::uint8_t>> save(std::span<const std::uint8_t> stream, const Destination& dest,
                                                std::string* error) override {
    if (!info_.can_save) return Adapter::save(stream, dest, error);
    CDestination cd(dest);
    std::uint8_t* buf = nullptr;
    std::size_t len = 0;
    if (desc_->save(ctx_, stream.data(), stream.size(), cd.get(), &buf, &len) != 0 || (!buf && len)) {
      *error = info_.name + ": save failed";
      if (buf) desc_->free_buffer(ctx_, buf);
      return std::nullopt;
    }
    std::vector<std::uint8_t> out(buf, buf + len);
    if (buf) desc_->free_buffer(ctx_, buf);
    return out;
  }

 private:
  AdapterResult call_load(std::span<const std::uint8_t> stream, const Destination& dest) {
    AdapterResult r;
    if (std::string gap = capability_gap(info_, dest); !gap.empty()) {
      r.outcome = AdapterOutcome::Unsupported;
      r.reason = "outside its declared capabilities: " + gap;
      return r;
    }
    if (!info_.section_records && !is_full_stream(stream)) {
      r.outcome = AdapterOutcome::Unsupported;
      r.reason = "takes only full streams (no MIGCHECK_CAP_SECTION_RECORDS)";
      return r;
    }
    CDestination cd(dest);
    migcheck_result out{};
    out.outcome = -1;
    const int rc = desc_->load(ctx_, stream.data(), stream.size(), cd.get(), &out);
    r.outcome = AdapterOutcome::Malformed;
    if (rc != 0) {
      r.reason = "load returned " + std::to_string(rc);
    } else if (out.outcome < MIGCHECK_ACCEPTED || out.outcome > MIGCHECK_UNSUPPORTED) {
      r.reason = "outcome " + std::to_string(out.outcome) + " is not accepted, rejected or unsupported";
    } else {
      r.rule = c_string(out.rule);
      r.reason = c_string(out.reason);
      nlohmann::json devices;
      const std::string bad = out.outcome == MIGCHECK_ACCEPTED ? parse_state(c_string(out.state_json), devices) : "";
      if (!bad.empty()) {
        r.reason = bad;
      } else {
        r.outcome = out.outcome == MIGCHECK_ACCEPTED   ? AdapterOutcome::Accepted
                    : out.outcome == MIGCHECK_REJECTED ? AdapterOutcome::Rejected
                                                       : AdapterOutcome::Unsupported;
        if (r.outcome == AdapterOutcome::Accepted) r.devices = std::move(devices);
      }
    }
    if (desc_->release) desc_->release(ctx_, &out);
    return r;
  }

  void* handle_;
  const migcheck_adapter* desc_;
  void* ctx_;
  AdapterInfo info_;
};

// dlopen + describe + open, in this process.
std::unique_ptr<Adapter> open_here(const std::string& path, std::string* error) {
  void* handle = dlopen(path.c_str(), RTLD_NOW | RTLD_LOCAL);
  if (!handle) {
    const char* why = dlerror();
    *error = "cannot load '" + path + "': " + (why ? why : "?");
    return nullptr;
  }
  AdapterInfo info;
  const migcheck_adapter* desc = describe(handle, info, error);
  if (!desc) {
    *error = path + ": " + *error;
    dlclose(handle);
    return nullptr;
  }
  info.spec = "lib:" + path;
  void* ctx = desc->open ? desc->open() : nullptr;
  return std::make_unique<LibAdapter>(handle, desc, ctx, std::move(info));
}

}  // namespace

std::unique_ptr<Adapter> open_lib_adapter(const std::string& path, bool fork, std::string* error) {
  if (!fork) return open_here(path, error);
  // A trial opening in a worker: its constructors, entry point and open()
  // run once where a crash or hang costs nothing.
  const proc::Limits limits = current_limits();
  const proc::Outcome trial = proc::run_forked(
      [&](int fd) {
        std::string why;
        proc::write_all(fd, open_here(path, &why) ? "ok" : "E" + why);
      },
      limits);
  if (!trial.exited_cleanly() || trial.exit_code != 0 || trial.output.empty()) {
    *error = "opening '" + path + "' in a worker: " + trial.how() +
             (trial.log.empty() ? "" : ": " + excerpt(trial.log, 300));
    return nullptr;
  }
  if (trial.output != "ok") {
    *error = trial.output.substr(1);
    return nullptr;
  }
  auto here = open_here(path, error);
  if (!here) return nullptr;
  return make_forked(std::move(here), limits);
}

}  // namespace migcheck::harness
