#include "check/prediction.h"

#include <algorithm>
#include <atomic>
#include <functional>
#include <thread>

#include "check/explain.h"

namespace vc {

namespace {

uint64_t keyHash(const std::string& key) { return std::hash<std::string>{}(key); }

void mergeCut(std::vector<std::pair<uint32_t, uint32_t>>& cut, uint32_t thread, uint32_t pos) {
  for (auto& [t, p] : cut)
    if (t == thread) {
      p = std::max(p, pos);
      return;
    }
  cut.emplace_back(thread, pos);
}

}  // namespace

StreamingPredictor::StreamingPredictor(const Spec& spec, const std::vector<RuleAutomaton>& autos, EventStore& store,
                                       const HappensBefore& hb, const TraceTables& tables, PredictionOptions opts)
    : spec_(spec), autos_(autos), store_(store), hb_(hb), tables_(tables), opts_(opts), nextSweep_(opts.settleKept) {
  explorers_.resize(std::max(1u, opts.jobs));
  runs_.resize(spec.rules.size());
  for (size_t r = 0; r < spec.rules.size(); ++r) {
    const Rule& rule = spec.rules[r];
    RuleRun& run = runs_[r];
    run.predictable = predictable(rule.rel);
    if (!run.predictable) continue;
    run.hasParams = !rule.params.empty();
    MonState probe = autos_[r].initial();
    run.canCollect = run.hasParams && rule.broadcastRoles == 0 && rule.partials.empty() && !autos_[r].finish(probe);
    run.all = static_cast<uint8_t>((1u << rule.params.size()) - 1);
    Instance fresh;
    fresh.boundary.push_back(Boundary{autos_[r].initial(), {}, 0, true});
    if (!run.hasParams)
      run.inst.emplace("", std::move(fresh));  // the single instance exists even without events
    else if (rule.broadcastRoles || !rule.partials.empty())
      run.templ = std::make_unique<Instance>(std::move(fresh));
  }
}

StreamingPredictor::~StreamingPredictor() {
  for (auto& run : runs_) {
    for (auto& [k, in] : run.inst) clear(in);
    if (run.templ) clear(*run.templ);
    for (auto& [lk, t] : run.partial) clear(*t);
  }
  for (auto& f : found_) {
    for (EventHandle h : f.order) store_.release(h);
    for (EventHandle h : f.left) store_.release(h);
    if (f.verdict.culprit != kNoRef) store_.release(static_cast<EventHandle>(f.verdict.culprit));
    if (f.verdict.anchor != kNoRef) store_.release(static_cast<EventHandle>(f.verdict.anchor));
  }
}

void StreamingPredictor::hold(const Boundary& b) {
  for (EventHandle h : b.tail) store_.acquire(h);
  for (uint64_t ref : b.state.refs())
    if (ref != kNoRef) store_.acquire(static_cast<EventHandle>(ref));
}

void StreamingPredictor::drop(const Boundary& b) {
  for (EventHandle h : b.tail) store_.release(h);
  for (uint64_t ref : b.state.refs())
    if (ref != kNoRef) store_.release(static_cast<EventHandle>(ref));
}

void StreamingPredictor::clear(Instance& in) {
  for (const auto& it : in.window) store_.release(it.h);
  in.window.clear();
  for (const auto& b : in.boundary) drop(b);
  in.boundary.clear();
}

bool StreamingPredictor::after(const KeptEvent& ev, const std::vector<std::pair<uint32_t, uint32_t>>& cut) {
  for (const auto& [t, p] : cut)
    if (p > clockAt(ev.clock, t)) return false;
  return true;
}

StreamingPredictor::Instance& StreamingPredictor::instanceFor(size_t r, const Match& m) {
  RuleRun& run = runs_[r];
  auto [it, fresh] = run.inst.try_emplace(m.key);
  if (!fresh) return it->second;
  Instance& in = it->second;
  if (run.templ) {
    // A copy of the template: the broadcast (and partly bound) events so far, settled or not.
    in.params = m.values();
    copyInstance(r, &it->first, *templateFor(r, in.params, SIZE_MAX), in);
    return in;
  } else {
    in.boundary.push_back(Boundary{autos_[r].initial(), {}, 0, true});
    // A key dropped while idle may come back: its new events must come after its old ones.
    if (auto d = run.dropped.find(keyHash(m.key)); d != run.dropped.end()) in.settled = d->second;
  }
  in.params = m.values();
  return in;
}

const StreamingPredictor::Instance* StreamingPredictor::templateFor(size_t r, const std::vector<Value>& params,
                                                                    size_t below) const {
  const RuleRun& run = runs_[r];
  const auto& levels = spec_.rules[r].partials;
  for (size_t l = std::min(below, levels.size()); l-- > 0;) {
    auto it = run.partial.find({l, projectKey(params, levels[l])});
    if (it != run.partial.end()) return it->second.get();
  }
  return run.templ.get();
}

void StreamingPredictor::copyInstance(size_t r, const std::string* key, const Instance& t, Instance& in) {
  std::vector<Value> params = std::move(in.params);
  in.boundary = t.boundary;
  for (const auto& b : in.boundary) hold(b);
  in.window = t.window;
  for (const auto& item : in.window) store_.acquire(item.h);
  in.participants = t.participants;
  in.settled = t.settled;
  in.explored = t.explored;
  in.params = std::move(params);
  if (t.dead) {
    if (key)
      giveUp(r, key, in, t.why, t.explored);
    else {
      in.dead = true;
      in.why = t.why;
    }
  }
}

void StreamingPredictor::add(const Event& ev, uint64_t seq, const Clock& clock, std::span<const Match> matches) {
  EventHandle h = kNoEvent;
  for (size_t i = 0; i < matches.size();) {
    const size_t r = matches[i].rule;
    size_t j = i;
    while (j < matches.size() && matches[j].rule == r) ++j;
    std::span<const Match> ms = matches.subspan(i, j - i);
    i = j;
    RuleRun& run = runs_[r];
    if (!run.predictable) continue;
    if (h == kNoEvent) h = store_.keep(ev, seq, clock);  // one reference, ours, until the end of add()
    const KeptEvent& kev = store_.at(h);
    const Roles bmask = broadcastRoles(ms);
    if (!spec_.rules[r].partials.empty() && (bmask || anyPartial(ms, run.all))) {
      const auto& levels = spec_.rules[r].partials;
      for (const auto& m : ms) {
        if (m.broadcast || m.bound == run.all) continue;
        const size_t l = static_cast<size_t>(std::find(levels.begin(), levels.end(), m.bound) - levels.begin());
        if (run.partial.count({l, m.key})) continue;
        auto t = std::make_unique<Instance>();
        t->params = m.values();
        copyInstance(r, nullptr, *templateFor(r, t->params, l), *t);
        run.partial.emplace(std::make_pair(l, m.key), std::move(t));
      }
      for (const auto& m : ms)
        if (!m.broadcast && m.bound == run.all) instanceFor(r, m);
      for (auto& [key, in] : run.inst)
        if (const Roles mask = rolesFor(ms, key, in.params, run.all, bmask)) addTo(r, &key, in, h, kev, mask);
      for (auto& [lk, t] : run.partial)
        if (const Roles mask = rolesFor(ms, lk.second, t->params, levels[lk.first], bmask))
          addTo(r, nullptr, *t, h, kev, mask);
      if (bmask && run.templ) addTo(r, nullptr, *run.templ, h, kev, bmask);
      continue;
    }
    if (bmask) {
      for (const auto& m : ms)
        if (!m.broadcast) instanceFor(r, m);
      for (auto& [key, in] : run.inst) {
        const Roles mask = rolesFor(ms, key, bmask);
        addTo(r, &key, in, h, kev, mask);
      }
      if (run.templ) addTo(r, nullptr, *run.templ, h, kev, bmask);
      continue;
    }
    for (const auto& m : ms) {
      Instance& in = instanceFor(r, m);
      addTo(r, &m.key, in, h, kev, Roles{m.mask, m.cond});
      if (idle(r, in)) dropIdle(r, m.key);
    }
  }
  if (h != kNoEvent) store_.release(h);
  if (store_.live() >= nextSweep_) {
    sweep();
    // The next sweep once half as many events again are kept (at least half the threshold):
    // each sweep scans every window, so sweeps stay amortised when little can be settled.
    const uint64_t live = store_.live();
    nextSweep_ = std::max<uint64_t>(opts_.settleKept, live + std::max<uint64_t>(live, opts_.settleKept) / 2);
  }
}

bool StreamingPredictor::idle(size_t r, const Instance& in) const {
  return runs_[r].canCollect && !in.dead && in.window.empty() && in.boundary.size() == 1 &&
         in.boundary[0].state.sameBehaviour(autos_[r].initial());
}

// An idle instance is dropped, as the observed check drops its own: a new one would behave the
// same, but for the events already settled, which its key's later events must come after.
void StreamingPredictor::dropIdle(size_t r, const std::string& key) {
  RuleRun& run = runs_[r];
  auto it = run.inst.find(key);
  // Two keys of one hash share a cut: the later of both, which asks more, never less.
  auto& cut = run.dropped[keyHash(key)];
  for (const auto& [t, p] : it->second.settled) mergeCut(cut, t, p);
  clear(it->second);
  run.inst.erase(it);
}

void StreamingPredictor::sweep() {
  std::vector<Job> jobs;
  for (size_t r = 0; r < runs_.size(); ++r) {
    RuleRun& run = runs_[r];
    if (!run.predictable) continue;
    if (run.templ) tryCollapse(r, nullptr, *run.templ);
    for (auto& [lk, t] : run.partial)
      if (!t->dead) tryCollapse(r, nullptr, *t);
    for (auto& [key, in] : run.inst)
      if (!in.dead)
        if (size_t k = settledPrefix(in)) jobs.push_back(prepare(r, &key, in, k, false));
  }
  runBatch(jobs);
  for (size_t r = 0; r < runs_.size(); ++r) {
    RuleRun& run = runs_[r];
    if (!run.predictable) continue;
    std::vector<std::string> idleKeys;
    for (auto& [key, in] : run.inst)
      if (idle(r, in)) idleKeys.push_back(key);
    for (const auto& k : idleKeys) dropIdle(r, k);
  }
}

void StreamingPredictor::kill(size_t rule, const std::string& key) {
  RuleRun& run = runs_[rule];
  auto it = run.inst.find(key);
  if (it == run.inst.end() || it->second.dead) return;
  it->second.dead = true;
  clear(it->second);
}

void StreamingPredictor::giveUp(size_t r, const std::string* key, Instance& in, std::string why, uint64_t states) {
  in.dead = true;
  clear(in);
  if (!key) {  // the template: the instances made from it will say so
    in.why = std::move(why);
    return;
  }
  inconclusive_.push_back(Inconclusive{r, paramText(spec_.rules[r], in.params), states, std::move(why)});
}

void StreamingPredictor::addTo(size_t r, const std::string* key, Instance& in, EventHandle h, const KeptEvent& ev,
                               Roles mask) {
  if (in.dead) return;
  if (std::find(in.participants.begin(), in.participants.end(), ev.thread) == in.participants.end()) {
    // A thread new to this instance: what was settled assumed its events come after.
    if (!in.settled.empty() && !after(ev, in.settled)) {
      giveUp(r, key, in,
             "an event of " + tables_.threads.label(ev.thread) +
                 " is unordered with events of this instance already settled: that thread gave it no event before",
             in.explored);
      return;
    }
    in.participants.push_back(ev.thread);
  }
  store_.acquire(h);
  in.window.push_back(Item{h, mask.mask, mask.cond});
  peakWindow_ = std::max<uint64_t>(peakWindow_, in.window.size());
  if (in.window.size() > opts_.window) {
    giveUp(r, key, in,
           "more than " + std::to_string(opts_.window) +
               " of its events were unordered with some later event at once (raise --predict-window)",
           in.explored);
    return;
  }
  if (in.window.size() >= std::max(opts_.settleWindow, in.nextTry)) {
    tryCollapse(r, key, in);
    if (!in.dead) in.nextTry = 2 * in.window.size();  // nothing (more) settled: wait for the window to double
  }
}

size_t StreamingPredictor::settledPrefix(const Instance& in) const {
  // Settled: happens before the latest event of every live participant (its own thread's latest
  // is at or after it).
  auto settled = [&](const KeptEvent& e) {
    const uint32_t p = e.pos();
    for (uint32_t t : in.participants) {
      if (t == e.thread || hb_.threadEnded(t)) continue;
      if (p > clockAt(hb_.threadClock(t), e.thread)) return false;
    }
    return true;
  };
  const size_t n = in.window.size();
  size_t s = 0;
  while (s < n && settled(store_.at(in.window[s].h))) ++s;
  if (s == 0) return 0;
  // The longest prefix of those whose events all happen before every later window event: for
  // each thread t of the prefix, its last event there must be at or before every later event's
  // clock entry for t. Linear: the prefix's per-thread maxima forward, the suffix minima backward.
  std::vector<uint32_t> threads;
  for (size_t i = 0; i < s; ++i) {
    uint32_t t = store_.at(in.window[i].h).thread;
    if (std::find(threads.begin(), threads.end(), t) == threads.end()) threads.push_back(t);
  }
  const size_t T = threads.size();
  std::vector<uint32_t> prefixMax((s + 1) * T, 0);  // row k: the prefix of k events
  for (size_t i = 0; i < s; ++i) {
    const KeptEvent& e = store_.at(in.window[i].h);
    std::copy_n(&prefixMax[i * T], T, &prefixMax[(i + 1) * T]);
    for (size_t x = 0; x < T; ++x)
      if (threads[x] == e.thread) prefixMax[(i + 1) * T + x] = std::max(prefixMax[(i + 1) * T + x], e.pos());
  }
  std::vector<uint32_t> suffixMin(T, UINT32_MAX);
  for (size_t j = s; j < n; ++j) {
    const KeptEvent& e = store_.at(in.window[j].h);
    for (size_t x = 0; x < T; ++x) suffixMin[x] = std::min(suffixMin[x], clockAt(e.clock, threads[x]));
  }
  size_t k = s;
  while (k > 0) {
    bool ok = true;
    for (size_t x = 0; x < T && ok; ++x) ok = prefixMax[k * T + x] <= suffixMin[x];
    if (ok) break;
    --k;
    const KeptEvent& e = store_.at(in.window[k].h);
    for (size_t x = 0; x < T; ++x) suffixMin[x] = std::min(suffixMin[x], clockAt(e.clock, threads[x]));
  }
  return k;
}

void StreamingPredictor::tryCollapse(size_t r, const std::string* key, Instance& in) {
  if (size_t k = settledPrefix(in)) collapse(r, key, in, k, false);
}

StreamingPredictor::Job StreamingPredictor::prepare(size_t r, const std::string* key, Instance& in, size_t k,
                                                    bool atEnd) const {
  Job j;
  j.rule = r;
  j.key = key;
  j.in = &in;
  j.k = k;
  j.atEnd = atEnd;
  j.seg.reserve(k);
  for (size_t i = 0; i < k; ++i) {
    const Item& it = in.window[i];
    j.seg.push_back(SegmentEvent{&store_.at(it.h), it.h, it.mask, it.cond});
  }
  for (const auto& b : in.boundary) j.starts.push_back(b.state);
  j.budget = opts_.budget > in.explored ? opts_.budget - in.explored : 0;
  return j;
}

void StreamingPredictor::collapse(size_t r, const std::string* key, Instance& in, size_t k, bool atEnd) {
  Job j = prepare(r, key, in, k, atEnd);
  j.res = explorers_[0].explore(autos_[r], j.seg, j.starts, j.atEnd, j.budget);
  apply(j);
}

// The jobs' searches on up to `jobs` threads (they only read the kept events and the automata),
// then their results applied in the jobs' order: the same output whatever the threads.
void StreamingPredictor::runBatch(std::vector<Job>& jobs) {
  const size_t n = std::min<size_t>(explorers_.size(), jobs.size());
  if (n <= 1) {
    for (auto& j : jobs) j.res = explorers_[0].explore(autos_[j.rule], j.seg, j.starts, j.atEnd, j.budget);
  } else {
    std::atomic<size_t> next{0};
    auto work = [&](size_t w) {
      for (size_t i; (i = next.fetch_add(1, std::memory_order_relaxed)) < jobs.size();) {
        Job& j = jobs[i];
        j.res = explorers_[w].explore(autos_[j.rule], j.seg, j.starts, j.atEnd, j.budget);
      }
    };
    std::vector<std::thread> pool;
    for (size_t w = 1; w < n; ++w) pool.emplace_back(work, w);
    work(0);
    for (auto& t : pool) t.join();
  }
  for (auto& j : jobs) apply(j);
}

void StreamingPredictor::apply(Job& job) {
  const size_t r = job.rule, k = job.k;
  const std::string* key = job.key;
  Instance& in = *job.in;
  const std::vector<SegmentEvent>& seg = job.seg;
  SegmentResult& res = job.res;
  in.explored += res.states;
  if (res.exhausted) {
    giveUp(r, key, in,
           "the search stopped after " + std::to_string(in.explored) + " explored states (raise --predict-budget)",
           in.explored);
    return;
  }
  if (res.violated) {
    const Boundary& from = in.boundary[res.from];
    FoundViolation f;
    f.rule = r;
    f.key = key ? *key : std::string();
    f.params = in.params;
    f.verdict = res.verdict;
    f.order = from.tail;
    size_t dev = res.order.size();
    for (size_t j = 0; j < res.order.size(); ++j)
      if (res.order[j] != j) {
        dev = j;
        break;
      }
    f.firstDeviation = from.recorded ? from.tail.size() + dev : 0;
    f.recorded = from.recorded && dev == res.order.size();
    f.before = from.count - from.tail.size();
    f.beforeRecorded = from.recorded;
    std::vector<uint8_t> taken(k, 0);
    for (uint32_t x : res.order) {
      taken[x] = 1;
      f.order.push_back(seg[x].ref);
    }
    f.culpritAt = res.verdict.culprit != kNoRef ? f.order.size() - 1 : SIZE_MAX;
    for (size_t x = 0; x < k; ++x)
      if (!taken[x]) f.left.push_back(static_cast<EventHandle>(seg[x].ref));
    // After the culprit, the events it had not taken, in recorded order: still a linearisation.
    size_t after = 0;
    for (EventHandle h : f.left)
      if (after++ < 4) f.order.push_back(h);
    for (EventHandle h : f.order) store_.acquire(h);
    for (EventHandle h : f.left) store_.acquire(h);
    if (f.verdict.culprit != kNoRef) store_.acquire(static_cast<EventHandle>(f.verdict.culprit));
    if (f.verdict.anchor != kNoRef) store_.acquire(static_cast<EventHandle>(f.verdict.anchor));
    found_.push_back(std::move(f));
    in.dead = true;
    clear(in);
    return;
  }
  // The states the segment can end in, each with the tail of an order reaching it.
  std::vector<Boundary> next;
  next.reserve(res.ends.size());
  for (auto& e : res.ends) {
    const Boundary& from = in.boundary[e.from];
    Boundary b;
    b.state = e.state;
    b.count = from.count + k;
    b.recorded = from.recorded && e.recorded;
    const size_t keep = std::min(opts_.tail, from.tail.size() + k);
    b.tail.resize(keep);
    // Fill from the end: the segment's order, then the older tail.
    size_t w = keep;
    for (size_t j = k; j > 0 && w > 0; --j)
      b.tail[--w] = static_cast<EventHandle>(seg[e.recorded ? j - 1 : e.order[j - 1]].ref);
    for (size_t j = from.tail.size(); j > 0 && w > 0; --j) b.tail[--w] = from.tail[j - 1];
    hold(b);
    next.push_back(std::move(b));
  }
  for (size_t i = 0; i < k; ++i) {
    const KeptEvent& ev = store_.at(in.window[i].h);
    mergeCut(in.settled, ev.thread, ev.pos());
  }
  for (const auto& b : in.boundary) drop(b);
  in.boundary = std::move(next);
  for (size_t i = 0; i < k; ++i) {
    store_.release(in.window.front().h);
    in.window.pop_front();
  }
}

void StreamingPredictor::finish() {
  std::vector<Job> jobs;
  for (size_t r = 0; r < runs_.size(); ++r) {
    RuleRun& run = runs_[r];
    if (!run.predictable) continue;
    std::vector<const std::string*> keys;
    for (const auto& kv : run.inst) keys.push_back(&kv.first);
    std::sort(keys.begin(), keys.end(), [](const std::string* a, const std::string* b) { return *a < *b; });
    for (const std::string* k : keys) {
      Instance& in = run.inst.find(*k)->second;
      if (!in.dead) jobs.push_back(prepare(r, k, in, in.window.size(), true));
    }
  }
  runBatch(jobs);
}

}  // namespace vc
