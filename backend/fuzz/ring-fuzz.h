// The split-ring parser fuzz target's input format, shared by the libFuzzer entry point and the
// corpus replay driver:
//   byte 0: queue size exponent (num = 1 << (b % 9), so 1..256)
//   byte 1: bit 0 EVENT_IDX, bit 1 INDIRECT_DESC
//   bytes 2-3: last_avail_idx (SET_VRING_BASE), little endian
//   the rest: the first bytes of a 16 KiB guest memory region (guest-physical 0) that holds the
//   descriptor table at 0x0, the avail ring at 0x1000 and the used ring at 0x1800.
#pragma once

#include <cstddef>
#include <cstdint>

namespace vc::backend::fuzz {

constexpr size_t kHeader = 4;
constexpr size_t kMemSize = 0x4000;
constexpr uint64_t kDescOff = 0x0;
constexpr uint64_t kAvailOff = 0x1000;
constexpr uint64_t kUsedOff = 0x1800;
constexpr uint64_t kUserBase = 0x7f0000000000;

// Runs the parser over one input; aborts if the parser ever hands out a buffer outside guest
// memory (so the check holds without sanitizers too).
int runRingInput(const uint8_t* data, size_t size);

}  // namespace vc::backend::fuzz
