// The vhost-user message-stream fuzz target (protocol-fuzz.cc describes the input format),
// shared by the libFuzzer entry point and the corpus replay driver.
#pragma once

#include <cstddef>
#include <cstdint>
#include <random>
#include <vector>

namespace vc::backend::fuzz {

// Larger inputs are ignored (libFuzzer's default -max_len stays well below).
constexpr size_t kMaxInput = 60000;

// Serves one input's messages (with their fds) through VhostUserServer::serve; aborts on a hang.
int runProtocolInput(const uint8_t* data, size_t size);
// A QEMU-like session (negotiation, a memfd memory table holding rings, eventfds, enable, stop),
// sometimes with its memfd shrunk under the running ring, then a few corrupted bytes.
std::vector<uint8_t> generateProtocolInput(std::mt19937_64& rng);

}  // namespace vc::backend::fuzz
