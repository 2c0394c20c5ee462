// virtio-rng (VIRTIO 1.2 §5.4): one request queue; the device fills each device-writable buffer
// with random bytes.
#pragma once

#include <cstdint>
#include <string>

#include "server.h"

namespace vc::backend {

enum class FillMode { kRandom, kCounter, kSeeded };

class RngDevice : public VirtioDevice {
 public:
  RngDevice(FillMode mode, uint64_t seed) : mode_(mode), state_(seed ? seed : 0x9e3779b97f4a7c15) {}

  uint32_t handleChain(uint32_t vring, const DescChain& chain) override;
  uint64_t bytesServed() const { return bytesServed_; }

  // Parses "random", "counter", "seed:N" (or "seeded:N"). False on anything else.
  static bool parseFill(const std::string& text, FillMode* mode, uint64_t* seed);

 private:
  void fill(uint8_t* p, uint32_t len);

  FillMode mode_;
  uint64_t state_;
  uint8_t counter_ = 0;
  uint64_t bytesServed_ = 0;
};

}  // namespace vc::backend
