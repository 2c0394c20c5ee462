#include "rng-device.h"

#include <sys/random.h>

#include <cstdlib>
#include <cstring>

namespace vc::backend {

bool RngDevice::parseFill(const std::string& text, FillMode* mode, uint64_t* seed) {
  if (text == "random") {
    *mode = FillMode::kRandom;
    return true;
  }
  if (text == "counter") {
    *mode = FillMode::kCounter;
    return true;
  }
  for (const char* prefix : {"seed:", "seeded:"}) {
    const size_t n = std::strlen(prefix);
    if (text.compare(0, n, prefix) == 0 && text.size() > n) {
      char* end = nullptr;
      const unsigned long long v = std::strtoull(text.c_str() + n, &end, 0);
      if (end == nullptr || *end != '\0') return false;
      *mode = FillMode::kSeeded;
      *seed = v;
      return true;
    }
  }
  return false;
}

void RngDevice::fill(uint8_t* p, uint32_t len) {
  switch (mode_) {
    case FillMode::kCounter:
      for (uint32_t i = 0; i < len; ++i) p[i] = counter_++;
      break;
    case FillMode::kSeeded:
      for (uint32_t i = 0; i < len; ++i) {
        // xorshift64*: deterministic for a given seed and request sequence.
        state_ ^= state_ >> 12;
        state_ ^= state_ << 25;
        state_ ^= state_ >> 27;
        p[i] = static_cast<uint8_t>((state_ * 0x2545F4914F6CDD1Dull) >> 56);
      }
      break;
    case FillMode::kRandom: {
      uint32_t done = 0;
      while (done < len) {
        const ssize_t r = ::getrandom(p + done, len - done, 0);
        if (r <= 0) break;
        done += static_cast<uint32_t>(r);
      }
      break;
    }
  }
}

uint32_t RngDevice::handleChain(uint32_t /*vring*/, const DescChain& chain) {
  uint64_t written = 0;
  for (const BufferSegment& s : chain.segments) {
    if (!s.writable) continue;  // a driver never sends device-readable data to virtio-rng
    fill(s.host, s.len);
    written += s.len;
  }
  if (written > 0xffffffffu) written = 0xffffffffu;
  bytesServed_ += written;
  return static_cast<uint32_t>(written);
}

}  // namespace vc::backend
