#include "split-queue.h"

#include <atomic>
#include <cstring>

namespace vc::backend {

namespace {

uint16_t loadU16(const uint8_t* p) {
  // Ring fields are naturally aligned (checked in attach); the driver writes them concurrently.
  return __atomic_load_n(reinterpret_cast<const uint16_t*>(p), __ATOMIC_RELAXED);
}
void storeU16(uint8_t* p, uint16_t v) { __atomic_store_n(reinterpret_cast<uint16_t*>(p), v, __ATOMIC_RELAXED); }
VringDesc loadDesc(const uint8_t* p) {
  VringDesc d;
  std::memcpy(&d, p, sizeof d);
  // Keep the copy: the compiler must not re-read guest memory for these fields.
  std::atomic_signal_fence(std::memory_order_seq_cst);
  return d;
}

}  // namespace

bool SplitQueue::attach(const GuestMemory* mem, const VringLayout& layout, uint16_t last_avail_idx, std::string* err) {
  desc_ = avail_ = used_ = nullptr;
  const uint32_t n = layout.num;
  if (n == 0 || n > kMaxQueueSize || (n & (n - 1)) != 0) {
    *err = "queue size " + std::to_string(n) + " is not a power of 2 in 1..32768";
    return false;
  }
  if (layout.desc_user % 16 != 0 || layout.avail_user % 2 != 0 || layout.used_user % 4 != 0) {
    *err = "misaligned ring address";
    return false;
  }
  uint8_t* d = mem->translateUser(layout.desc_user, uint64_t{16} * n);
  // avail: flags, idx, ring[n], used_event; used: flags, idx, ring[n] (8 bytes each), avail_event
  uint8_t* a = mem->translateUser(layout.avail_user, 6 + uint64_t{2} * n);
  uint8_t* u = mem->translateUser(layout.used_user, 6 + uint64_t{8} * n);
  if (d == nullptr || a == nullptr || u == nullptr) {
    *err = std::string("ring ") +
           (d == nullptr   ? "descriptor table"
            : a == nullptr ? "avail ring"
                           : "used ring") +
           " is outside the memory table";
    return false;
  }
  mem_ = mem;
  layout_ = layout;
  desc_ = d;
  avail_ = a;
  used_ = u;
  lastAvailIdx_ = last_avail_idx;
  usedIdx_ = loadU16(used_ + 2);
  signalledValid_ = false;
  return true;
}

uint16_t SplitQueue::readAvailIdx() const {
  const uint16_t idx = loadU16(avail_ + 2);
  // Ring entries read after this must not be older than the index (pairs with the driver's
  // write barrier before it publishes avail->idx).
  std::atomic_thread_fence(std::memory_order_acquire);
  if (availReadHook_) availReadHook_(idx, lastAvailIdx_);
  return idx;
}

bool SplitQueue::pending(uint16_t* count, std::string* err) const {
  const uint16_t n = static_cast<uint16_t>(readAvailIdx() - lastAvailIdx_);
  if (n > layout_.num) {
    *err = "avail index moved by " + std::to_string(n) + " > queue size " + std::to_string(layout_.num);
    return false;
  }
  *count = n;
  return true;
}

PopStatus SplitQueue::pop(DescChain* chain, std::string* err) {
  uint16_t n = 0;
  if (!pending(&n, err)) return PopStatus::kError;
  if (n == 0) return PopStatus::kEmpty;
  const uint16_t slot = static_cast<uint16_t>(lastAvailIdx_ % layout_.num);
  const uint16_t head = loadU16(avail_ + 4 + size_t{2} * slot);
  if (head >= layout_.num) {
    *err = "avail ring entry " + std::to_string(slot) + " names descriptor " + std::to_string(head) + " >= queue size";
    return PopStatus::kError;
  }
  chain->head = head;
  chain->avail_idx = lastAvailIdx_;
  chain->segments.clear();
  chain->readable_bytes = chain->writable_bytes = 0;
  chain->readable_descs = chain->writable_descs = 0;
  if (!readChain(head, chain, err)) return PopStatus::kError;
  ++lastAvailIdx_;
  if (layout_.event_idx) {
    // avail_event lives after the used ring entries.
    storeU16(used_ + 4 + size_t{8} * layout_.num, lastAvailIdx_);
  }
  return PopStatus::kOk;
}

bool SplitQueue::addSegment(const VringDesc& d, DescChain* chain, bool* seen_write, std::string* err) {
  const bool writable = (d.flags & kDescFlagWrite) != 0;
  if (!writable && *seen_write) {
    *err = "device-readable descriptor after a device-writable one";
    return false;
  }
  *seen_write = *seen_write || writable;
  uint8_t* host = mem_->translateGuest(d.addr, d.len);
  if (host == nullptr) {
    *err = "descriptor buffer outside the memory table";
    return false;
  }
  ++(writable ? chain->writable_descs : chain->readable_descs);
  if (d.len == 0) return true;
  chain->segments.push_back({host, d.len, writable});
  (writable ? chain->writable_bytes : chain->readable_bytes) += d.len;
  return true;
}

bool SplitQueue::readChain(uint16_t head, DescChain* chain, std::string* err) {
  const uint32_t n = layout_.num;
  bool seen_write = false;
  uint32_t index = head;
  // A chain visits at most `n` descriptors of the main table: more means a loop.
  for (uint32_t visited = 0;; ++visited) {
    if (visited >= n) {
      *err = "descriptor chain longer than the queue size (loop?)";
      return false;
    }
    const VringDesc d = loadDesc(desc_ + size_t{16} * index);
    if (d.flags & kDescFlagIndirect) {
      if (!layout_.indirect) {
        *err = "indirect descriptor without VIRTIO_RING_F_INDIRECT_DESC";
        return false;
      }
      if (d.flags & kDescFlagNext) {
        *err = "descriptor has both INDIRECT and NEXT";
        return false;
      }
      if (d.len == 0 || d.len % 16 != 0) {
        *err = "indirect table length " + std::to_string(d.len) + " is not a non-zero multiple of 16";
        return false;
      }
      const uint32_t count = d.len / 16;
      if (count > kMaxIndirectDescs) {
        *err = "indirect table of " + std::to_string(count) + " descriptors is oversized";
        return false;
      }
      if (d.addr % 16 != 0) {
        *err = "misaligned indirect table";
        return false;
      }
      const uint8_t* table = mem_->translateGuest(d.addr, d.len);
      if (table == nullptr) {
        *err = "indirect table outside the memory table";
        return false;
      }
      uint32_t i = 0;
      for (uint32_t ivisited = 0;; ++ivisited) {
        if (ivisited >= count) {
          *err = "indirect descriptor chain loops";
          return false;
        }
        const VringDesc id = loadDesc(table + size_t{16} * i);
        if (id.flags & kDescFlagIndirect) {
          *err = "nested indirect descriptor";
          return false;
        }
        if (!addSegment(id, chain, &seen_write, err)) return false;
        if (!(id.flags & kDescFlagNext)) break;
        if (id.next >= count) {
          *err = "indirect descriptor next " + std::to_string(id.next) + " out of table";
          return false;
        }
        i = id.next;
      }
      return true;  // an indirect descriptor ends the chain (NEXT is rejected above)
    }
    if (!addSegment(d, chain, &seen_write, err)) return false;
    if (!(d.flags & kDescFlagNext)) return true;
    if (d.next >= n) {
      *err = "descriptor next " + std::to_string(d.next) + " >= queue size";
      return false;
    }
    index = d.next;
  }
}

uint16_t SplitQueue::pushUsed(uint16_t head, uint32_t len) {
  const uint16_t at = usedIdx_;
  uint8_t* elem = used_ + 4 + size_t{8} * (at % layout_.num);
  const uint32_t id = head;
  std::memcpy(elem, &id, 4);
  std::memcpy(elem + 4, &len, 4);
  // The element (and the data written into the buffer) must be visible before the index.
  std::atomic_thread_fence(std::memory_order_release);
  usedIdx_ = static_cast<uint16_t>(at + 1);
  storeU16(used_ + 2, usedIdx_);
  return at;
}

bool SplitQueue::shouldNotify() {
  // The used index store must be visible before we read the driver's suppression state.
  std::atomic_thread_fence(std::memory_order_seq_cst);
  if (!layout_.event_idx) {
    return (loadU16(avail_) & kAvailFlagNoInterrupt) == 0;
  }
  const uint16_t old = signalledUsed_;
  const bool valid = signalledValid_;
  const uint16_t now = usedIdx_;
  signalledUsed_ = now;
  signalledValid_ = true;
  if (!valid) return true;
  const uint16_t used_event = loadU16(avail_ + 4 + size_t{2} * layout_.num);
  // vring_need_event(): notify when used_event lies in [old, now).
  return static_cast<uint16_t>(now - used_event - 1) < static_cast<uint16_t>(now - old);
}

bool SplitQueue::armKick() {
  if (layout_.event_idx) storeU16(used_ + 4 + size_t{8} * layout_.num, lastAvailIdx_);
  std::atomic_thread_fence(std::memory_order_seq_cst);
  return static_cast<uint16_t>(readAvailIdx() - lastAvailIdx_) != 0;
}

}  // namespace vc::backend
