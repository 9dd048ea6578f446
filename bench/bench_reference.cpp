// bench_reference: load, and load+save, of the real virtio section records,
// in MB/s, next to memcpy of the same bytes (the ratio is what to compare
// across machines); and fuzz_load's work per input without instrumentation:
// the load with every property check (harness::load_properties), and
// totality alone; the structure-aware mutator's work per mutation; the
// destination inference it does per input when no destination is fixed;
// building the largest destination; and the load of fuzz inputs that once
// made a run slow.
#include <benchmark/benchmark.h>

#include <algorithm>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <string>
#include <string_view>
#include <vector>

#include "migcheck/harness/oracle.h"
#include "migcheck/harness/properties.h"
#include "migcheck/profile/destination.h"
#include "migcheck/stream/infer.h"
#include "migcheck/stream/loader.h"
#include "migcheck/stream/save.h"

namespace {

struct Sample {
  std::string name;
  std::vector<std::uint8_t> bytes;
  migcheck::Destination dest;
};

// The files of `dir` whose names start with `prefix`, each with the
// destination inferred from it under qemu-7.2, in name order.
std::vector<Sample> read_samples(const std::string& dir, std::string_view prefix) {
  std::vector<Sample> v;
  std::vector<std::filesystem::path> paths;
  for (const auto& e : std::filesystem::directory_iterator(dir))
    if (e.path().filename().string().starts_with(prefix)) paths.push_back(e.path());
  std::sort(paths.begin(), paths.end());
  for (const auto& p : paths) {
    std::ifstream in(p, std::ios::binary);
    std::vector<std::uint8_t> b{std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
    std::string error;
    auto dest = migcheck::infer_destination(b, migcheck::profile_7_2(), &error);
    if (!dest) {
      std::cerr << p << ": " << error << "\n";
      continue;
    }
    v.push_back({p.filename().string().substr(0, p.filename().string().find('.')), std::move(b), std::move(*dest)});
  }
  return v;
}

// The real captures' virtio sections.
std::vector<Sample>& samples() {
  static std::vector<Sample> all =
      read_samples(std::string(MIGCHECK_SOURCE_DIR) + "/corpora/qemu-7.2/sections", "");
  return all;
}

// Fuzz inputs that once made a run slow (corpora/regression/fuzz_load/slow-*).
std::vector<Sample>& slow_samples() {
  static std::vector<Sample> all =
      read_samples(std::string(MIGCHECK_SOURCE_DIR) + "/corpora/regression/fuzz_load", "slow-");
  return all;
}

// One load with the parsed state kept, then the section re-encoded into
// `out` (reused across iterations, as a fuzzer's loop would).
void load_and_save(const Sample& s, migcheck::wire::Writer& out) {
  auto r = migcheck::load_section_record(s.bytes, s.dest, {.keep_parsed = true});
  const auto& d = r.devices.front();
  out.clear();
  migcheck::save_section(*d.parsed, {.section_id = d.section_id, .idstr = d.idstr, .instance_id = d.instance_id,
                                     .version_id = d.version_id, .footer = d.footer},
                         out);
  benchmark::DoNotOptimize(out.written().data());
}

void load(benchmark::State& state, const Sample* s) {
  for (auto _ : state) {
    auto r = migcheck::load_section_record(s->bytes, s->dest);
    benchmark::DoNotOptimize(r.verdict);
  }
  state.SetBytesProcessed(static_cast<std::int64_t>(state.iterations() * s->bytes.size()));
}

void load_save(benchmark::State& state, const Sample* s) {
  migcheck::wire::Writer out(s->bytes.size());
  for (auto _ : state) load_and_save(*s, out);
  state.SetBytesProcessed(static_cast<std::int64_t>(state.iterations() * s->bytes.size()));
}

// What fuzz_load does per input with a fixed destination under qemu-7.2.
void checks(benchmark::State& state, const Sample* s, bool every) {
  const migcheck::harness::LoadChecks c{.sanitization = every, .roundtrip_bytes = every, .old_reader = every};
  for (auto _ : state) {
    auto v = migcheck::harness::load_properties(s->bytes, s->dest, c);
    benchmark::DoNotOptimize(v.totality.holds);
  }
  state.SetBytesProcessed(static_cast<std::int64_t>(state.iterations() * s->bytes.size()));
}

// What the structure-aware mutator (fuzzers/common/structured_mutator.cpp)
// does on every fourth mutation: decode the input into field spans, then
// change one to three fields.
void structured_mutate(benchmark::State& state, const Sample* s) {
  std::uint64_t seed = 0;
  for (auto _ : state) {
    const auto fields = migcheck::harness::field_spans(s->bytes, s->dest);
    auto out = migcheck::harness::mutate(s->bytes, fields, ++seed);
    benchmark::DoNotOptimize(out.data());
  }
}

// Building a destination, which fuzz_load does for each new setup it
// infers: here the largest device, a virtio-blk with 1024 queues.
void destination(benchmark::State& state, const char* device) {
  const std::vector<std::string> args = {device};
  for (auto _ : state) {
    std::string error;
    auto dest = migcheck::make_destination("pc-i440fx-7.2", args, migcheck::profile_7_2(), &error);
    if (!dest) state.SkipWithError(error.c_str());
    benchmark::DoNotOptimize(dest);
  }
}

// What fuzz_load does first for each input and reader when the destination
// is not fixed: infer the setup (then look it up in its cache of built
// destinations, fuzzers/common/destination_cache.cpp).
void infer(benchmark::State& state, const Sample* s) {
  for (auto _ : state) {
    auto setup = migcheck::infer_setup(s->bytes, migcheck::profile_7_2(), /*with_notes=*/false);
    benchmark::DoNotOptimize(setup.devices.data());
  }
}

void copy(benchmark::State& state, const Sample* s) {
  std::vector<std::uint8_t> dst(s->bytes.size());
  for (auto _ : state) {
    std::memcpy(dst.data(), s->bytes.data(), s->bytes.size());
    benchmark::DoNotOptimize(dst.data());
    benchmark::ClobberMemory();
  }
  state.SetBytesProcessed(static_cast<std::int64_t>(state.iterations() * s->bytes.size()));
}

// All real sections in turn: the aggregate figure (bytes of every record
// over the time of every load / load+save).
void all(benchmark::State& state, bool save) {
  std::size_t bytes = 0;
  for (const Sample& s : samples()) bytes += s.bytes.size();
  migcheck::wire::Writer out(1 << 20);
  for (auto _ : state) {
    for (const Sample& s : samples()) {
      if (save) {
        load_and_save(s, out);
      } else {
        auto r = migcheck::load_section_record(s.bytes, s.dest);
        benchmark::DoNotOptimize(r.verdict);
      }
    }
  }
  state.SetBytesProcessed(static_cast<std::int64_t>(state.iterations() * bytes));
}

void all_memcpy(benchmark::State& state) {
  std::size_t bytes = 0;
  for (const Sample& s : samples()) bytes += s.bytes.size();
  std::vector<std::uint8_t> dst(1 << 20);
  for (auto _ : state) {
    for (const Sample& s : samples()) {
      std::memcpy(dst.data(), s.bytes.data(), s.bytes.size());
      benchmark::DoNotOptimize(dst.data());
      benchmark::ClobberMemory();
    }
  }
  state.SetBytesProcessed(static_cast<std::int64_t>(state.iterations() * bytes));
}

const bool registered = [] {
  benchmark::RegisterBenchmark("load/all-sections", all, false);
  benchmark::RegisterBenchmark("load_save/all-sections", all, true);
  benchmark::RegisterBenchmark("memcpy/all-sections", all_memcpy);
  benchmark::RegisterBenchmark("make_destination/blk-1024-queues", destination,
                               "virtio-blk-pci,num-queues=1024");
  benchmark::RegisterBenchmark("make_destination/net-legacy-msix", destination,
                               "virtio-net-pci,addr=2.0,disable-modern=on,vectors=4");
  for (const Sample& s : samples()) {
    benchmark::RegisterBenchmark(("load/" + s.name).c_str(), load, &s);
    benchmark::RegisterBenchmark(("load_save/" + s.name).c_str(), load_save, &s);
    benchmark::RegisterBenchmark(("memcpy/" + s.name).c_str(), copy, &s);
    benchmark::RegisterBenchmark(("fuzz_load_checks/" + s.name).c_str(), checks, &s, true);
    benchmark::RegisterBenchmark(("fuzz_load_totality/" + s.name).c_str(), checks, &s, false);
    benchmark::RegisterBenchmark(("structured_mutate/" + s.name).c_str(), structured_mutate, &s);
    benchmark::RegisterBenchmark(("infer_setup/" + s.name).c_str(), infer, &s);
  }
  for (const Sample& s : slow_samples()) benchmark::RegisterBenchmark(("load/" + s.name).c_str(), load, &s);
  return true;
}();

}  // namespace

BENCHMARK_MAIN();
