// Fuzz target: a CTF data stream (the bytes of one stream file) read with the metadata of the
// recorded LTTng sample (tests/data/readers/ctf/small). Slow per input (a babeltrace2 graph per
// run) but it reaches the packet and event decoders through vconform's reader.
#include <unistd.h>

#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <fstream>

#include "trace/ctf-reader.h"

namespace fs = std::filesystem;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
#ifdef VCONFORM_HAVE_CTF
  static const fs::path dir = [] {
    fs::path d = fs::temp_directory_path() / ("vconform-fuzz-ctf-" + std::to_string(::getpid()));
    fs::create_directories(d);
    fs::copy_file(std::string(VCONFORM_SOURCE_DIR) + "/tests/data/readers/ctf/small/ust/uid/0/64-bit/metadata",
                  d / "metadata", fs::copy_options::overwrite_existing);
    return d;
  }();
  {
    std::ofstream out(dir / "ch_0", std::ios::binary | std::ios::trunc);
    out.write(reinterpret_cast<const char*>(data), static_cast<std::streamsize>(size));
  }
  vc::TraceTables t;
  vc::Diagnostics d;
  uint32_t src = t.sources.add(vc::Source::make(dir.string(), "ctf"));
  auto r = vc::openCtfTrace(dir.string(), vc::ReaderOptions{}, src, t, d);
  if (r) {
    vc::Event ev;
    while (r->next(ev)) {
    }
  }
#else
  (void)data;
  (void)size;
#endif
  return 0;
}
