#include "input.h"

#include <fstream>
#include <iostream>

#include "migcheck/stream/infer.h"

namespace migcheck::cli {

void add_destination_options(CLI::App& cmd, DestinationOptions& o) {
  cmd.add_option("--machine", o.machine, "destination machine type (e.g. pc-i440fx-7.2, q35); default: inferred");
  std::string drivers;
  for (std::string_view d : supported_drivers()) (drivers += drivers.empty() ? "" : ", ") += d;
  cmd.add_option("--device", o.devices,
                 "destination device as for qemu -device (repeatable), e.g. virtio-net-pci,disable-legacy=on,mq=on; "
                 "default: inferred from the stream. Drivers: " + drivers)
      ->allow_extra_args(false);  // one value per --device: a FILE after it stays a FILE
  cmd.add_option("--profile", o.profile, "QEMU release whose loader to emulate: qemu-2.0, qemu-2.1, qemu-2.4, qemu-7.2")
      ->capture_default_str();
}

std::optional<std::vector<std::uint8_t>> read_file(const std::string& path, std::string* error) {
  std::ifstream in(path, std::ios::binary | std::ios::ate);
  if (!in) {
    *error = "cannot open '" + path + "'";
    return std::nullopt;
  }
  const std::streamoff size = in.tellg();
  if (size < 0 || size > (std::streamoff{1} << 30)) {
    *error = "'" + path + "' is not a readable file of at most 1 GiB";
    return std::nullopt;
  }
  std::vector<std::uint8_t> bytes(static_cast<std::size_t>(size));
  in.seekg(0);
  if (size && !in.read(reinterpret_cast<char*>(bytes.data()), size)) {
    *error = "error reading '" + path + "'";
    return std::nullopt;
  }
  return bytes;
}

std::optional<Destination> choose_destination(const DestinationOptions& o, const std::vector<std::uint8_t>& input,
                                              std::string* error) {
  const Profile* profile = find_profile(o.profile);
  if (!profile) {
    *error = "unknown profile '" + o.profile + "' (known: qemu-2.0, qemu-2.1, qemu-2.4, qemu-7.2)";
    return std::nullopt;
  }
  if (!o.devices.empty()) {
    const std::string machine = o.machine.empty() ? "pc" : o.machine;
    return make_destination(machine, o.devices, *profile, error);
  }
  auto dest = infer_destination(input, *profile, error, o.machine);
  if (!dest) *error = "inferring the destination: " + *error;
  return dest;
}

std::optional<Input> open_input(const std::string& path, const DestinationOptions& options) {
  std::string error;
  auto bytes = read_file(path, &error);
  if (bytes) {
    if (auto dest = choose_destination(options, *bytes, &error)) return Input{std::move(*bytes), std::move(*dest)};
  }
  std::cerr << "migcheck: " << error << "\n";
  return std::nullopt;
}

}  // namespace migcheck::cli
