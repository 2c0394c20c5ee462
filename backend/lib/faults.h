// Fault injection: each flag makes the back-end break one vhost-user rule on purpose, so that real
// recorded traces of known bugs exist. docs/backend-events.md documents each with its rule.
#pragma once

#include <string>
#include <string_view>

namespace vc::backend {

struct Faults {
  // Drop a kick read while the ring is disabled and do not rescan the ring when it is enabled
  // (the 2023 virtiofsd behaviour). Breaks vu-kick-handled; with QEMU 7.2 the guest hangs.
  bool drop_kick_when_disabled = false;
  // Process (pop, add_used, notify) a started ring while it is still disabled. Breaks vu-enable.
  bool process_before_enable = false;
  // Send a used-buffer notification after GET_VRING_BASE stopped the ring. Breaks vu-stop.
  bool notify_after_stop = false;
  // Never send the REPLY_ACK reply a need_reply message asks for. Breaks vu-reply-ack; QEMU 7.2
  // waits forever for the SET_MEM_TABLE ack, so the guest never gets its bytes.
  bool skip_reply = false;
  // Check the ring state under the ring lock but process the ring after dropping it (a
  // check-then-act race). The recorded order usually looks right; no recorded synchronisation
  // orders the worker's add_used before a later ring_disable / ring_stop, so vu-enable and
  // vu-stop can be broken by another interleaving of the same run (a predicted violation).
  bool process_outside_lock = false;
  // Faults for rules about data (issue 11): the event order is right, a value is wrong.
  // The first used element of a connection gets a length one byte larger than the writable part
  // of its chain (add_used len > the pop's in_len). Linux 6.1's virtio-rng trusts it (it reads
  // one byte past its buffer); the guest still reads its bytes.
  bool used_len_exceeds_writable = false;
  // GET_VRING_BASE replies one more than the ring's last avail index (and get_vring_base records
  // that reply): base != SET_VRING_BASE + buffers taken (mod 2^16). QEMU 7.2 resets the index
  // before it starts the ring again after a driver reload, so the guest still reads its bytes.
  bool vring_base_off_by_one = false;

  bool any() const {
    return drop_kick_when_disabled || process_before_enable || notify_after_stop || skip_reply ||
           process_outside_lock || used_len_exceeds_writable || vring_base_off_by_one;
  }
};

// Sets the flag named `name` ("drop-kick-when-disabled", ...). False for an unknown name.
inline bool enableFault(Faults* f, std::string_view name) {
  if (name == "drop-kick-when-disabled")
    f->drop_kick_when_disabled = true;
  else if (name == "process-before-enable")
    f->process_before_enable = true;
  else if (name == "notify-after-stop")
    f->notify_after_stop = true;
  else if (name == "skip-reply")
    f->skip_reply = true;
  else if (name == "process-outside-lock")
    f->process_outside_lock = true;
  else if (name == "used-len-exceeds-writable")
    f->used_len_exceeds_writable = true;
  else if (name == "vring-base-off-by-one")
    f->vring_base_off_by_one = true;
  else
    return false;
  return true;
}

inline constexpr const char* kFaultNames[] = {
    "drop-kick-when-disabled", "process-before-enable",     "notify-after-stop",    "skip-reply",
    "process-outside-lock",    "used-len-exceeds-writable", "vring-base-off-by-one"};

}  // namespace vc::backend
