// Runs a fuzz target without libFuzzer (any compiler): replays every file of the given corpus
// files/directories, then (with --random N) N inputs from the target's generateInput(): mostly
// valid inputs with a few corrupted bytes, which reach deeper than random bytes do.
//   <target>_replay [--random N] [--seed S] [--write-seeds DIR] PATH...
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

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size);
// Defined next to each target.
std::vector<uint8_t> generateInput(std::mt19937_64& rng);

namespace {

bool runFile(const std::filesystem::path& p) {
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
    if (a == "--random" && i + 1 < argc)
      random_inputs = std::strtol(argv[++i], nullptr, 10);
    else if (a == "--seed" && i + 1 < argc)
      seed = std::strtoull(argv[++i], nullptr, 10);
    else if (a == "--write-seeds" && i + 1 < argc)
      seeds_dir = argv[++i];
    else
      paths.push_back(a);
  }
  size_t files = 0;
  for (const std::string& p : paths) {
    std::error_code ec;
    if (std::filesystem::is_directory(p, ec)) {
      for (const auto& e : std::filesystem::directory_iterator(p)) {
        if (e.is_regular_file() && runFile(e.path())) ++files;
      }
    } else if (runFile(p)) {
      ++files;
    } else {
      std::fprintf(stderr, "fuzz replay: cannot read %s\n", p.c_str());
      return 2;
    }
  }
  std::mt19937_64 rng(seed);
  for (long i = 0; i < random_inputs; ++i) {
    const std::vector<uint8_t> in = generateInput(rng);
    LLVMFuzzerTestOneInput(in.data(), in.size());
    if (!seeds_dir.empty() && i < 16) {
      std::ofstream out(seeds_dir + "/gen-" + std::to_string(i), std::ios::binary);
      out.write(reinterpret_cast<const char*>(in.data()), static_cast<std::streamsize>(in.size()));
    }
  }
  std::printf("fuzz replay: %zu corpus files, %ld generated inputs, no crash\n", files, random_inputs);
  return 0;
}
