// Builds happens-before online, as events stream in recorded order: program order per thread,
// plus the spec's `sync` edges (message send -> receive, FIFO per key; release -> acquire of the
// same key; spawn -> the child's first event; the child's last event -> join) and the trace's
// own edges (`id` / `after`). Each event leaves with its vector clock.
//
// When several traces are merged, a receive recorded before its send (skewed clocks) holds its
// whole source back until the send arrives: the merged order is re-ordered by the sender's clock,
// and the receiving trace keeps its own order, so none of its edges is lost. After a window of
// events it goes on without the edge, with a warning. Within one trace such a receive gets no
// edge at once (its send was not recorded). An `after` id recorded later holds only its thread.
#pragma once

#include <cstdint>
#include <deque>
#include <functional>
#include <map>
#include <set>
#include <string>
#include <tuple>
#include <unordered_map>
#include <vector>

#include "diag/diagnostic.h"
#include "hb/clock.h"
#include "spec/model.h"
#include "trace/event.h"

namespace vc {

struct HbOptions {
  size_t holdWindow = 200000;  // events a held-back thread may wait for its send
};

struct HbStats {
  uint64_t events = 0;
  uint64_t syncEdges = 0;
  uint64_t traceEdges = 0;
  uint64_t unmatchedReceives = 0;
  uint64_t unmatchedSends = 0;
  uint64_t heldBack = 0;  // events that waited for a send recorded after them
  size_t threads = 0;
  std::set<std::pair<uint32_t, uint32_t>> linkedSources;  // (send source, receive source) of messages across traces
};

// An edge into an event other than program order: from the event at position `pos` of thread
// `thread` (its own clock entry), made by sync `sync` (an index into Spec::syncs) or, with
// kTraceEdge, by the trace's own `after` ids. Reports name the kind of each edge they draw.
struct HbEdgeIn {
  static constexpr uint32_t kTraceEdge = UINT32_MAX;
  uint32_t thread = 0, pos = 0;
  uint32_t sync = kTraceEdge;
};

class HappensBefore {
 public:
  using Sink = std::function<void(Event& ev, uint64_t seq, const Clock& clock)>;

  HappensBefore(const Spec& spec, const TraceTables& tables, Diagnostics& diags, Sink sink, HbOptions opts = {});
  // Takes events in recorded order; `seq` is the event's index in that order.
  void add(Event&& ev, uint64_t seq);
  // The end of the input: releases held events, reports unmatched sync and cycles.
  void finish();
  const HbStats& stats() const { return stats_; }
  // The edges into the event the sink is being given (valid during that call only).
  const std::vector<HbEdgeIn>& incoming() const { return incoming_; }
  // The clock of thread t's latest processed event (empty before its first), and whether the
  // thread has ended (a join named it): prediction's settled frontier is computed from these.
  size_t threadCount() const { return threadClock_.size(); }
  const Clock& threadClock(uint32_t t) const { return threadClock_[t]; }
  bool threadEnded(uint32_t t) const { return t < threadEnded_.size() && threadEnded_[t]; }
  // Whether events of this source or thread are waiting: later ones must queue behind them.
  bool holding(uint32_t source, uint32_t thread) const {
    return sourceHeld_.count(source) || threadHeld_.count(thread);
  }

 private:
  struct Held {
    Event ev;
    uint64_t seq;
  };
  struct SyncMatch {
    size_t sync;
    bool from;
    std::string key;
  };
  enum class Wait { Ready, BlockedAfter, BlockedReceive };

  void matchSyncs(const Event& ev, std::vector<SyncMatch>& out);
  Wait tryProcess(Held& h, bool force);
  // Routes an event that is not behind its held source: behind its thread's held events, into a
  // hold, or processed now. Returns true if it was processed.
  bool place(Held&& h);
  void drain();
  // Processes the oldest held event without its missing edges (the window ran out, or the end).
  void forceOldest();
  std::string describe(const Event& ev) const;
  void reportCycle();

  const Spec& spec_;
  const TraceTables& tables_;
  Diagnostics& diags_;
  Sink sink_;
  HbOptions opts_;
  HbStats stats_;
  std::vector<std::vector<std::pair<size_t, bool>>> byName_;  // symbol -> (sync index, is `from` side)
  std::vector<Clock> threadClock_;
  std::vector<uint8_t> threadStarted_;
  std::vector<uint8_t> threadEnded_;
  // A clock as some event left it, and that event (thread, position): the source of an edge.
  struct Stamped {
    Clock clock;
    uint32_t thread = 0, pos = 0;
    uint32_t sync = HbEdgeIn::kTraceEdge;
  };
  struct Sent {
    Stamped at;
    uint32_t source;
  };
  std::map<std::pair<size_t, std::string>, std::deque<Sent>> channels_;  // message queues
  std::map<std::pair<size_t, std::string>, Stamped> released_;           // last release per key
  std::map<std::tuple<uint32_t, int64_t, int64_t>, Stamped> spawned_;    // child (source,pid,tid) -> spawner clock
  std::unordered_map<std::string, Stamped> ids_;                         // trace event ids
  std::map<uint32_t, std::deque<Held>> sourceHeld_;                      // per source: a receive waits for its send
  std::map<uint32_t, std::deque<Held>> threadHeld_;                      // per thread: an event waits for an `after` id
  std::vector<uint64_t> syncUses_;
  std::vector<std::pair<uint64_t, std::string>> firstUnmatchedRecv_;  // per sync: count, example
  uint64_t lastSeq_ = 0;
  std::set<std::string> inCycle_;  // ids of events on a reported cycle (no "missing id" warnings)
  std::vector<SyncMatch> scratch_;
  std::vector<HbEdgeIn> incoming_;
  NameResolver names_;
  Symbol curName_ = kNoSymbol;
};

}  // namespace vc
