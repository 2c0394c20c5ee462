// Runs the ring fuzz target without libFuzzer (any compiler): replays every file of the given
// corpus files/directories, then (with --random N) N generated inputs: mostly-valid rings with a
// few corrupted bytes, which reach deeper into the parser than random bytes do.
//   ring_fuzz_replay [--random N] [--seed S] [--write-seeds DIR] PATH...
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <random>
#include <string>
#include <vector>

#include "ring_fuzz.h"
#include "split_queue.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size);

namespace {

using namespace vc::backend;
using namespace vc::backend::fuzz;

void Put(std::vector<uint8_t>& in, uint64_t mem_off, const void* p, size_t n) {
  const size_t at = kHeader + mem_off;
  if (in.size() < at + n) in.resize(at + n);
  std::memcpy(in.data() + at, p, n);
}

// A plausible ring: chains (some indirect) of in-range buffers, then a few random corruptions.
std::vector<uint8_t> Generate(std::mt19937_64& rng) {
  const uint32_t exp = rng() % 6;  // num 1..32
  const uint32_t num = 1u << exp;
  std::vector<uint8_t> in(kHeader + 0x2000, 0);
  in[0] = static_cast<uint8_t>(exp);
  in[1] = static_cast<uint8_t>(rng() % 4);
  const uint16_t base = static_cast<uint16_t>(rng() % 4 == 0 ? 65535 - rng() % 4 : rng() % 8);
  in[2] = static_cast<uint8_t>(base & 0xff);
  in[3] = static_cast<uint8_t>(base >> 8);
  for (uint32_t i = 0; i < num; ++i) {
    VringDesc d{0x2000 + 0x40 * (rng() % 64), static_cast<uint32_t>(rng() % 0x80),
                static_cast<uint16_t>(rng() % 2 ? kDescFlagWrite : 0),
                static_cast<uint16_t>(rng() % num)};
    if (rng() % 3 == 0) d.flags |= kDescFlagNext;
    if (rng() % 8 == 0) {
      // Indirect table in the data area.
      const uint32_t n = 1 + rng() % 4;
      d = VringDesc{0x3000 + 0x100 * (rng() % 8), 16 * n, kDescFlagIndirect, 0};
      for (uint32_t k = 0; k < n; ++k) {
        VringDesc id{0x2000 + 0x40 * (rng() % 64), static_cast<uint32_t>(rng() % 0x40),
                     kDescFlagWrite, static_cast<uint16_t>(k + 1)};
        if (k + 1 < n) id.flags |= kDescFlagNext;
        Put(in, d.addr + 16 * k, &id, sizeof id);
      }
    }
    Put(in, kDescOff + 16 * i, &d, sizeof d);
  }
  const uint16_t avail = static_cast<uint16_t>(base + rng() % (num + 1));
  Put(in, kAvailOff + 2, &avail, 2);
  for (uint32_t i = 0; i < num; ++i) {
    const uint16_t head = static_cast<uint16_t>(rng() % num);
    Put(in, kAvailOff + 4 + 2 * i, &head, 2);
  }
  const int flips = static_cast<int>(rng() % 6);
  for (int f = 0; f < flips; ++f) in[rng() % in.size()] = static_cast<uint8_t>(rng());
  in.resize(kHeader + rng() % (in.size() - kHeader + 1));
  return in;
}

bool RunFile(const std::filesystem::path& p) {
  std::ifstream f(p, std::ios::binary);
  if (!f) return false;
  std::vector<uint8_t> data((std::istreambuf_iterator<char>(f)), std::istreambuf_iterator<char>());
  LLVMFuzzerTestOneInput(data.data(), data.size());
  return true;
}

}  // namespace

int main(int argc, char** argv) {
  long random_inputs = 0;
  uint64_t seed = 1;
  std::string seeds_dir;
  std::vector<std::string> paths;
  for (int i = 1; i < argc; ++i) {
    const std::string a = argv[i];
    if (a == "--random" && i + 1 < argc) random_inputs = std::strtol(argv[++i], nullptr, 10);
    else if (a == "--seed" && i + 1 < argc) seed = std::strtoull(argv[++i], nullptr, 10);
    else if (a == "--write-seeds" && i + 1 < argc) seeds_dir = argv[++i];
    else paths.push_back(a);
  }
  size_t files = 0;
  for (const std::string& p : paths) {
    std::error_code ec;
    if (std::filesystem::is_directory(p, ec)) {
      for (const auto& e : std::filesystem::directory_iterator(p)) {
        if (e.is_regular_file() && RunFile(e.path())) ++files;
      }
    } else if (RunFile(p)) {
      ++files;
    } else {
      std::fprintf(stderr, "ring_fuzz_replay: cannot read %s\n", p.c_str());
      return 2;
    }
  }
  std::mt19937_64 rng(seed);
  for (long i = 0; i < random_inputs; ++i) {
    const std::vector<uint8_t> in = Generate(rng);
    LLVMFuzzerTestOneInput(in.data(), in.size());
    if (!seeds_dir.empty() && i < 16) {
      std::ofstream out(seeds_dir + "/gen-" + std::to_string(i), std::ios::binary);
      out.write(reinterpret_cast<const char*>(in.data()), static_cast<std::streamsize>(in.size()));
    }
  }
  std::printf("ring_fuzz_replay: %zu corpus files, %ld generated inputs, no crash\n", files,
              random_inputs);
  return 0;
}
