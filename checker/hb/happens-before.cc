#include "hb/happens-before.h"

#include <boost/graph/adjacency_list.hpp>
#include <boost/graph/depth_first_search.hpp>

namespace vc {

HappensBefore::HappensBefore(const Spec& spec, const TraceTables& tables, Diagnostics& diags, Sink sink, HbOptions opts)
    : spec_(spec), tables_(tables), diags_(diags), sink_(std::move(sink)), opts_(opts) {
  syncUses_.assign(spec.syncs.size(), 0);
  firstUnmatchedRecv_.assign(spec.syncs.size(), {0, {}});
  for (size_t i = 0; i < spec.syncs.size(); ++i) {
    auto index = [&](const std::vector<Matcher>& ms, bool from) {
      for (const auto& m : ms)
        for (Symbol n : m.names) {
          if (byName_.size() <= n) byName_.resize(n + 1);
          auto& list = byName_[n];
          if (list.empty() || list.back() != std::make_pair(i, from)) list.emplace_back(i, from);
        }
    };
    index(spec.syncs[i].from, true);
    index(spec.syncs[i].to, false);
  }
}

void HappensBefore::matchSyncs(const Event& ev, std::vector<SyncMatch>& out) {
  out.clear();
  Symbol name =
      names_.resolve(ev.name, tables_.symbols, [&](Symbol s) { return s < byName_.size() && !byName_[s].empty(); });
  if (name >= byName_.size()) return;
  std::vector<const Value*> params;
  for (auto [i, from] : byName_[name]) {
    const SyncRule& s = spec_.syncs[i];
    for (const auto& m : from ? s.from : s.to) {
      params.assign(s.keySize, nullptr);
      if (m.matches(ev, params, name)) {
        std::string key;
        appendKey(params, key);
        out.push_back(SyncMatch{i, from, std::move(key)});
        break;
      }
    }
  }
}

std::string HappensBefore::describe(const Event& ev) const {
  std::string s = tables_.symbols.name(ev.name);
  const auto& src = tables_.sources.at(ev.origin.source);
  return s + " [" + src.path + ":" + std::to_string(ev.origin.line) + "]";
}

HappensBefore::Wait HappensBefore::tryProcess(Held& h, bool force) {
  Event& ev = h.ev;
  const uint32_t t = ev.thread;
  if (threadClock_.size() <= t) {
    threadClock_.resize(t + 1);
    threadStarted_.resize(t + 1, 0);
  }
  matchSyncs(ev, scratch_);
  curName_ =
      names_.resolve(ev.name, tables_.symbols, [&](Symbol s) { return s < byName_.size() && !byName_[s].empty(); });
  // Phase 1: is every incoming edge's source known?
  if (!force) {
    for (const auto& id : ev.after)
      if (!ids_.count(id)) return Wait::BlockedAfter;
    // A receive recorded before its send can only be clock skew between two traces; within one
    // trace it means the send was not recorded, and holding back would keep its releases from
    // the other threads. So only a check of several traces waits.
    for (const auto& m : scratch_)
      if (!m.from && spec_.syncs[m.sync].kind == SyncKind::Message && tables_.sources.size() > 1) {
        auto it = channels_.find({m.sync, m.key});
        if (it == channels_.end() || it->second.empty()) return Wait::BlockedReceive;
      }
  }
  // Phase 2: commit.
  if (t < threadEnded_.size()) threadEnded_[t] = 0;  // a joined thread id in use again
  Clock& c = threadClock_[t];
  if (c.size() <= t) c.resize(t + 1, 0);
  c[t] += 1;
  incoming_.clear();
  auto edgeFrom = [&](const Stamped& s, uint32_t sync) {
    clockJoin(c, s.clock);
    incoming_.push_back(HbEdgeIn{s.thread, s.pos, sync});
  };
  for (const auto& id : ev.after) {
    auto it = ids_.find(id);
    if (it != ids_.end()) {
      edgeFrom(it->second, HbEdgeIn::kTraceEdge);
      ++stats_.traceEdges;
    } else if (!inCycle_.count(id)) {
      auto& d = diags_.warning("hb-missing-id", Location{tables_.sources.at(ev.origin.source).path, ev.origin.line, 0},
                               "event " + tables_.symbols.name(ev.name) + " happens after id '" + id +
                                   "', which no earlier event of the trace has",
                               "the edge is ignored; check the trace writer's ids");
      (void)d;
    }
  }
  const auto& ti = tables_.threads.at(t);
  if (!threadStarted_[t]) {
    threadStarted_[t] = 1;
    auto it = spawned_.find({ti.source, ti.pid, ti.tid});
    if (it != spawned_.end()) {
      edgeFrom(it->second, it->second.sync);
      ++stats_.syncEdges;
    }
  }
  for (const auto& m : scratch_) {
    const SyncRule& s = spec_.syncs[m.sync];
    ++syncUses_[m.sync];
    if (m.from) continue;
    if (s.kind == SyncKind::Message) {
      auto it = channels_.find({m.sync, m.key});
      if (it != channels_.end() && !it->second.empty()) {
        edgeFrom(it->second.front().at, static_cast<uint32_t>(m.sync));
        if (it->second.front().source != ev.origin.source)
          stats_.linkedSources.emplace(it->second.front().source, ev.origin.source);
        it->second.pop_front();
        ++stats_.syncEdges;
      } else {
        ++stats_.unmatchedReceives;
        auto& f = firstUnmatchedRecv_[m.sync];
        if (f.first++ == 0) f.second = describe(ev);
      }
    } else if (s.kind == SyncKind::Release) {
      auto it = released_.find({m.sync, m.key});
      if (it != released_.end()) {
        edgeFrom(it->second, static_cast<uint32_t>(m.sync));
        ++stats_.syncEdges;
      }
    }
  }
  // Join: the `from` side of a join sync names the child whose last event comes before it.
  for (const auto& m : scratch_) {
    const SyncRule& s = spec_.syncs[m.sync];
    if (!m.from) continue;
    if (s.kind == SyncKind::Join) {
      const Value* child = nullptr;
      std::vector<const Value*> params(1, nullptr);
      for (const auto& mm : s.from)
        if (mm.matches(ev, params, curName_)) {
          child = params[0];
          break;
        }
      if (child && child->kind == Value::Kind::Int) {
        // Find the child's thread among the known ones (same source and process).
        for (uint32_t u = 0; u < threadClock_.size() && u < tables_.threads.size(); ++u) {
          const auto& tu = tables_.threads.at(u);
          if (tu.source == ti.source && tu.pid == ti.pid && tu.tid == child->i && u != t) {
            edgeFrom(Stamped{threadClock_[u], u, clockAt(threadClock_[u], u)}, static_cast<uint32_t>(m.sync));
            ++stats_.syncEdges;
            if (threadEnded_.size() <= u) threadEnded_.resize(u + 1, 0);
            threadEnded_[u] = 1;  // joined: no event of it comes after
          }
        }
      }
    }
  }
  // Outgoing edges.
  // (Made only where an edge leaves: most events send nothing, and copy no clock.)
  auto here = [&] { return Stamped{c, t, c[t], HbEdgeIn::kTraceEdge}; };
  for (const auto& m : scratch_) {
    if (!m.from) continue;
    const SyncRule& s = spec_.syncs[m.sync];
    if (s.kind == SyncKind::Message)
      channels_[{m.sync, m.key}].push_back(Sent{here(), ev.origin.source});
    else if (s.kind == SyncKind::Release)
      released_[{m.sync, m.key}] = here();
    else if (s.kind == SyncKind::Spawn) {
      std::vector<const Value*> params(1, nullptr);
      for (const auto& mm : s.from)
        if (mm.matches(ev, params, curName_)) {
          if (params[0] && params[0]->kind == Value::Kind::Int) {
            Stamped spawn = here();
            spawn.sync = static_cast<uint32_t>(m.sync);
            spawned_[{ti.source, ti.pid, params[0]->i}] = std::move(spawn);
          }
          break;
        }
    }
  }
  if (!ev.id.empty()) {
    if (!ids_.emplace(ev.id, here()).second)
      diags_.warning("hb-duplicate-id", Location{tables_.sources.at(ev.origin.source).path, ev.origin.line, 0},
                     "event id '" + ev.id + "' is used twice; edges go to its first event", "");
  }
  ++stats_.events;
  sink_(ev, h.seq, c);
  return Wait::Ready;
}

bool HappensBefore::place(Held&& h) {
  const uint32_t t = h.ev.thread;
  if (auto it = threadHeld_.find(t); it != threadHeld_.end()) {
    it->second.push_back(std::move(h));
    return false;
  }
  switch (tryProcess(h, false)) {
    case Wait::Ready:
      return true;
    case Wait::BlockedAfter:
      threadHeld_[t].push_back(std::move(h));
      return false;
    case Wait::BlockedReceive:
      sourceHeld_[h.ev.origin.source].push_front(std::move(h));
      return false;
  }
  return false;
}

void HappensBefore::drain() {
  bool progress = true;
  while (progress) {
    progress = false;
    for (auto it = sourceHeld_.begin(); it != sourceHeld_.end();) {
      auto& q = it->second;
      while (!q.empty()) {
        Held h = std::move(q.front());
        q.pop_front();
        const uint32_t t = h.ev.thread;
        if (auto th = threadHeld_.find(t); th != threadHeld_.end()) {
          th->second.push_back(std::move(h));
          progress = true;
          continue;
        }
        Wait w = tryProcess(h, false);
        if (w == Wait::BlockedReceive) {
          q.push_front(std::move(h));
          break;
        }
        if (w == Wait::BlockedAfter) threadHeld_[t].push_back(std::move(h));
        progress = true;
      }
      it = q.empty() ? sourceHeld_.erase(it) : std::next(it);
    }
    for (auto it = threadHeld_.begin(); it != threadHeld_.end();) {
      auto& q = it->second;
      while (!q.empty() && tryProcess(q.front(), false) == Wait::Ready) {
        q.pop_front();
        progress = true;
      }
      it = q.empty() ? threadHeld_.erase(it) : std::next(it);
    }
  }
}

void HappensBefore::forceOldest() {
  std::deque<Held>* oldest = nullptr;
  bool fromSource = false;
  for (auto* held : {&sourceHeld_, &threadHeld_})
    for (auto& [k, q] : *held)
      if (!q.empty() && (!oldest || q.front().seq < oldest->front().seq)) {
        oldest = &q;
        fromSource = held == &sourceHeld_;
      }
  if (!oldest) return;
  Held h = std::move(oldest->front());
  oldest->pop_front();
  if (fromSource && threadHeld_.count(h.ev.thread)) {
    // Its thread waits for an `after` id: the thread's oldest event goes first.
    threadHeld_[h.ev.thread].push_back(std::move(h));
  } else {
    tryProcess(h, true);
  }
  for (auto* held : {&sourceHeld_, &threadHeld_})
    for (auto it = held->begin(); it != held->end();) it = it->second.empty() ? held->erase(it) : std::next(it);
  drain();
}

void HappensBefore::add(Event&& ev, uint64_t seq) {
  lastSeq_ = seq;
  Held h{std::move(ev), seq};
  if (auto it = sourceHeld_.find(h.ev.origin.source); it != sourceHeld_.end()) {
    it->second.push_back(std::move(h));  // behind its source's waiting receive
    ++stats_.heldBack;
  } else if (place(std::move(h))) {
    if (!sourceHeld_.empty() || !threadHeld_.empty()) drain();
  } else {
    ++stats_.heldBack;
  }
  // A source or thread held back too long goes on without its edge.
  for (;;) {
    uint64_t first = UINT64_MAX;
    for (auto* held : {&sourceHeld_, &threadHeld_})
      for (auto& [k, q] : *held)
        if (!q.empty()) first = std::min(first, q.front().seq);
    if (first == UINT64_MAX || seq - first < opts_.holdWindow) break;
    forceOldest();
  }
}

void HappensBefore::reportCycle() {
  // Held events wait on ids of other held events: find a cycle with a DFS over them.
  std::vector<const Held*> nodes;
  std::unordered_map<std::string, size_t> byId;
  for (auto* held : {&threadHeld_, &sourceHeld_})
    for (auto& [t, q] : *held)
      for (auto& h : q) {
        if (!h.ev.id.empty()) byId[h.ev.id] = nodes.size();
        nodes.push_back(&h);
      }
  using Graph = boost::adjacency_list<boost::vecS, boost::vecS, boost::directedS>;
  Graph g(nodes.size());
  for (size_t i = 0; i < nodes.size(); ++i)
    for (const auto& a : nodes[i]->ev.after) {
      auto it = byId.find(a);
      if (it != byId.end()) boost::add_edge(it->second, i, g);
    }
  // Program order of the held events of one thread orders them too (and a held source keeps its
  // own order).
  size_t base = 0;
  for (auto* held : {&threadHeld_, &sourceHeld_})
    for (auto& [t, q] : *held) {
      for (size_t k = 1; k < q.size(); ++k) boost::add_edge(base + k - 1, base + k, g);
      base += q.size();
    }
  struct CycleFound {
    size_t from, to;
  };
  std::vector<size_t> parent(nodes.size(), SIZE_MAX);
  struct Visitor : boost::default_dfs_visitor {
    std::vector<size_t>* parent;
    void tree_edge(Graph::edge_descriptor e, const Graph& gr) {
      (*parent)[boost::target(e, gr)] = boost::source(e, gr);
    }
    void back_edge(Graph::edge_descriptor e, const Graph& gr) {
      throw CycleFound{boost::source(e, gr), boost::target(e, gr)};
    }
  };
  Visitor vis;
  vis.parent = &parent;
  try {
    boost::depth_first_search(g, boost::visitor(vis));
  } catch (const CycleFound& c) {
    // The cycle: c.to -> ... -> c.from (tree edges) -> c.to (the back edge).
    std::vector<size_t> cyc;
    for (size_t v = c.from; v != SIZE_MAX && v != c.to; v = parent[v]) cyc.push_back(v);
    cyc.push_back(c.to);
    std::string path;
    for (auto it = cyc.rbegin(); it != cyc.rend(); ++it) {
      path += describe(nodes[*it]->ev) + " -> ";
      if (!nodes[*it]->ev.id.empty()) inCycle_.insert(nodes[*it]->ev.id);
    }
    path += describe(nodes[c.to]->ev);
    const Event& a = nodes[c.to]->ev;
    diags_.error("hb-cycle", Location{tables_.sources.at(a.origin.source).path, a.origin.line, 0},
                 "the happens-before edges of the trace form a cycle: " + path,
                 "an event's 'after' list must name events that really happened before it");
  }
}

void HappensBefore::finish() {
  if (!threadHeld_.empty()) reportCycle();
  while (!sourceHeld_.empty() || !threadHeld_.empty()) forceOldest();
  stats_.threads = threadClock_.size();
  for (size_t i = 0; i < spec_.syncs.size(); ++i) {
    const SyncRule& s = spec_.syncs[i];
    if (syncUses_[i] == 0 && !s.shipped) {
      diags_.warning("hb-sync-unused", Location{s.file, s.line, 0},
                     "this sync declaration matched no event of the trace",
                     "check its event names and fields against `vconform events TRACE`");
    }
    if (firstUnmatchedRecv_[i].first) {
      diags_.warning("hb-unmatched-receive", Location{s.file, s.line, 0},
                     std::to_string(firstUnmatchedRecv_[i].first) + " receive(s) had no matching send, first " +
                         firstUnmatchedRecv_[i].second,
                     "those events get no edge; was the sender traced?");
    }
  }
  std::map<size_t, uint64_t> unsent;
  for (const auto& [k, q] : channels_)
    if (!q.empty()) unsent[k.first] += q.size();
  for (const auto& [i, n] : unsent) {
    stats_.unmatchedSends += n;
    const SyncRule& s = spec_.syncs[i];
    diags_.warning("hb-unmatched-send", Location{s.file, s.line, 0}, std::to_string(n) + " send(s) were never received",
                   "the trace may have ended before they were");
  }
}

}  // namespace vc
