// Near-valid streams: a valid one (generated, a lone section record, or a
// real capture) with up to two named structured corruptions.
#include <algorithm>
#include <filesystem>
#include <fstream>

#include "migcheck/generators/generators.h"
#include "migcheck/generators/mutations.h"
#include "migcheck/stream/infer.h"
#include "migcheck/stream/save.h"

namespace migcheck::gen {

std::vector<Seed> capture_seeds(const std::string& capture_dir) {
  namespace fs = std::filesystem;
  std::vector<Seed> seeds;
  std::error_code ec;
  const fs::path dir = fs::path(capture_dir) / "streams";
  if (!fs::is_directory(dir, ec)) return seeds;
  std::vector<fs::path> files;
  for (const auto& e : fs::directory_iterator(dir, ec))
    if (e.path().extension() == ".mig") files.push_back(e.path());
  std::sort(files.begin(), files.end());
  for (const fs::path& f : files) {
    std::ifstream in(f, std::ios::binary);
    std::vector<std::uint8_t> bytes((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    const InferredSetup setup = infer_setup(bytes, profile_7_2());
    harness::DestinationSpec spec{setup.machine, setup.devices, "qemu-7.2", TransportKind::Pci};
    std::string error;
    if (!harness::build_destination(spec, &error)) continue;
    seeds.push_back({f.stem().string(), std::move(spec), std::move(bytes)});
  }
  return seeds;
}

rc::Gen<StreamCase> near_valid_stream(std::span<const Seed> seeds) {
  // The seeds are referred to, not copied: they are whole captures (a few
  // MB together), and a copy per case was most of an ASan run's time.
  return rc::gen::exec([seeds] {
    StreamCase c;
    const int base = *rc::gen::weightedElement<int>({{6, 0}, {2, 1}, {seeds.empty() ? 0u : 3u, 2}});
    if (base == 2) {
      const Seed& s = seeds[*rc::gen::inRange<std::size_t>(0, seeds.size())];
      c.spec = s.spec;
      c.base = "capture:" + s.name;
      c.bytes = s.bytes;
    } else {
      const ScenarioCase sc = *scenario({});
      c.spec = sc.spec;
      if (base == 0) {
        c.base = "generated";
        c.bytes = harness::save_scenario(sc.scenario);
      } else {  // the first device's section record, as a destination meets it mid-stream
        c.base = "section";
        virtio::VirtioDevice d = sc.scenario.states.front();
        d.profile = sc.scenario.writer.profile;
        const VirtioDeviceSpec& spec = sc.scenario.writer.devices.front();
        c.bytes = save_section(d, {.section_id = 2, .idstr = spec.idstr, .instance_id = spec.instance_id,
                                   .footer = sc.scenario.writer.machine.send_section_footer});
      }
    }
    std::string error;
    const auto dest = harness::build_destination(c.spec, &error);
    if (!dest) throw rc::GenerationFailure("destination of a valid stream: " + error);
    const int count = *rc::gen::weightedElement<int>({{2, 0}, {5, 1}, {2, 2}});
    for (int i = 0; i < count; ++i) {
      std::string m = mutate(c.bytes, *dest);
      if (!m.empty()) c.mutations.push_back(std::move(m));
    }
    // Another release's loader reading the same bytes.
    if (*rc::gen::weightedElement<int>({{5, 0}, {1, 1}})) {
      const Profile* p = *rc::gen::elementOf(std::vector<const Profile*>{
          find_profile("qemu-2.0"), find_profile("qemu-2.1"), find_profile("qemu-2.4"), &profile_7_2()});
      // A release loads only the machine types it had.
      if (dest->machine.version <= p->release && c.spec.profile != p->name &&
          harness::build_destination({c.spec.machine, c.spec.devices, std::string(p->name), c.spec.transport}, &error)) {
        c.mutations.push_back("load-with-profile:" + std::string(p->name));
        c.spec.profile = std::string(p->name);
      }
    }
    return c;
  });
}

}  // namespace migcheck::gen
