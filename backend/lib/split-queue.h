// A split virtqueue (VIRTIO 1.2 §2.7) seen from the device side, over hostile guest memory.
// Everything the driver controls (indices, descriptor addresses, lengths, flags, next links,
// indirect tables) is validated before use; a bad ring yields an error, never an access outside
// the memory table. Each descriptor is copied out of guest memory once and used from the copy.
#pragma once

#include <cstdint>
#include <functional>
#include <string>
#include <utility>
#include <vector>

#include "guest-memory.h"

namespace vc::backend {

constexpr uint16_t kDescFlagNext = 1;
constexpr uint16_t kDescFlagWrite = 2;
constexpr uint16_t kDescFlagIndirect = 4;
constexpr uint16_t kAvailFlagNoInterrupt = 1;
constexpr uint32_t kMaxQueueSize = 32768;
// Largest indirect table accepted, in descriptors (a larger one is "oversized").
constexpr uint32_t kMaxIndirectDescs = 1024;

struct VringDesc {
  uint64_t addr;
  uint32_t len;
  uint16_t flags;
  uint16_t next;
};
static_assert(sizeof(VringDesc) == 16);

struct VringLayout {
  uint32_t num = 0;        // queue size (power of 2, <= kMaxQueueSize)
  uint64_t desc_user = 0;  // front-end virtual addresses (SET_VRING_ADDR)
  uint64_t avail_user = 0;
  uint64_t used_user = 0;
  bool event_idx = false;  // VIRTIO_RING_F_EVENT_IDX negotiated
  bool indirect = false;   // VIRTIO_RING_F_INDIRECT_DESC negotiated
};

// One guest buffer segment, already translated and bounds-checked.
struct BufferSegment {
  uint8_t* host;
  uint32_t len;
  bool writable;
};

struct DescChain {
  uint16_t head = 0;
  uint16_t avail_idx = 0;  // free-running avail index the head was taken from
  std::vector<BufferSegment> segments;
  uint64_t readable_bytes = 0;
  uint64_t writable_bytes = 0;
  uint32_t readable_descs = 0;  // descriptors of each kind, zero-length ones included
  uint32_t writable_descs = 0;
};

enum class PopStatus { kEmpty, kOk, kError };

class SplitQueue {
 public:
  // Translates and checks the ring addresses. `last_avail_idx` is the SET_VRING_BASE value;
  // the used index is read from the used ring. Returns false with `err` on a bad layout.
  bool attach(const GuestMemory* mem, const VringLayout& layout, uint16_t last_avail_idx, std::string* err);
  bool attached() const { return desc_ != nullptr; }

  // Takes the next available chain. kEmpty when the driver has made nothing new available.
  PopStatus pop(DescChain* chain, std::string* err);
  // Number of entries the driver made available that were not popped yet (or an error).
  bool pending(uint16_t* count, std::string* err) const;
  // Publishes a used element and returns the free-running used index it was written at.
  uint16_t pushUsed(uint16_t head, uint32_t len);
  // Whether the driver wants a used-buffer notification for the entries pushed since the last
  // call (VIRTIO 1.2 §2.7.7.2: flags, or used_event with EVENT_IDX).
  bool shouldNotify();
  // With EVENT_IDX, tells the driver to kick for the next entry after last_avail_idx, then
  // re-checks for entries that raced with it. Returns true when more entries are pending.
  bool armKick();

  uint16_t lastAvailIdx() const { return lastAvailIdx_; }
  uint16_t usedIdx() const { return usedIdx_; }

  // Called each time the driver's avail->idx is read from guest memory (by pop, pending and
  // armKick), with the value read and last_avail_idx at that moment, before the value is checked.
  using AvailReadHook = std::function<void(uint16_t idx, uint16_t last_avail_idx)>;
  void setAvailReadHook(AvailReadHook hook) { availReadHook_ = std::move(hook); }

 private:
  uint16_t readAvailIdx() const;
  bool readChain(uint16_t head, DescChain* chain, std::string* err);
  bool addSegment(const VringDesc& d, DescChain* chain, bool* seen_write, std::string* err);

  const GuestMemory* mem_ = nullptr;
  VringLayout layout_;
  uint8_t* desc_ = nullptr;
  uint8_t* avail_ = nullptr;
  uint8_t* used_ = nullptr;
  uint16_t lastAvailIdx_ = 0;
  uint16_t usedIdx_ = 0;
  uint16_t signalledUsed_ = 0;
  bool signalledValid_ = false;
  AvailReadHook availReadHook_;
};

}  // namespace vc::backend
