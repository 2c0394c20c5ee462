#include "check/predict.h"

#include <algorithm>
#include <cstring>
#include <string_view>
#include <unordered_map>

namespace vc {

namespace {

size_t hashOf(std::string_view key) { return std::hash<std::string_view>{}(key); }

bool isIdentity(const std::vector<uint32_t>& order) {
  for (uint32_t j = 0; j < order.size(); ++j)
    if (order[j] != j) return false;
  return true;
}

}  // namespace

bool readKeptInt(const void* event, Symbol field, int64_t& out) {
  for (const auto& f : static_cast<const KeptEvent*>(event)->fields)
    if (f.key == field) {
      if (f.kind == Value::Kind::Str) return false;
      out = f.i;
      return true;
    }
  return false;
}

bool Explorer::insertKey(const std::vector<uint32_t>& pos, const MonState& s) {
  keyBuf_.assign(reinterpret_cast<const char*>(pos.data()), pos.size() * sizeof(uint32_t));
  s.appendKey(keyBuf_);
  if ((used_ + 1) * 2 > table_.size()) {
    std::vector<uint64_t> bigger(std::max<size_t>(1024, table_.size() * 2), 0);
    for (uint64_t e : table_) {
      if (!e) continue;
      uint32_t len;
      std::memcpy(&len, arena_.data() + (e - 1), sizeof len);
      size_t h = hashOf(std::string_view(arena_.data() + (e - 1) + sizeof len, len)) & (bigger.size() - 1);
      while (bigger[h]) h = (h + 1) & (bigger.size() - 1);
      bigger[h] = e;
    }
    table_.swap(bigger);
  }
  size_t h = hashOf(keyBuf_) & (table_.size() - 1);
  while (table_[h]) {
    uint64_t e = table_[h];
    uint32_t len;
    std::memcpy(&len, arena_.data() + (e - 1), sizeof len);
    if (len == keyBuf_.size() && std::memcmp(arena_.data() + (e - 1) + sizeof len, keyBuf_.data(), len) == 0)
      return false;
    h = (h + 1) & (table_.size() - 1);
  }
  uint32_t len = static_cast<uint32_t>(keyBuf_.size());
  table_[h] = arena_.size() + 1;
  arena_.insert(arena_.end(), reinterpret_cast<const char*>(&len), reinterpret_cast<const char*>(&len) + sizeof len);
  arena_.insert(arena_.end(), keyBuf_.begin(), keyBuf_.end());
  ++used_;
  return true;
}

SegmentResult Explorer::explore(const RuleAutomaton& a, const std::vector<SegmentEvent>& ev,
                                const std::vector<MonState>& starts, bool atEnd, uint64_t budget) {
  SegmentResult res;
  const uint32_t n = static_cast<uint32_t>(ev.size());
  auto step = [&](MonState& s, uint32_t i) {
    return a.step(s,
                  StepInput{ev[i].mask, ev[i].ref, ev[i].ev->hasTs, ev[i].ev->ts, ev[i].cond, ev[i].ev, readKeptInt});
  };
  auto violation = [&](const Verdict& v, uint32_t from, std::vector<uint32_t> order) {
    res.violated = true;
    res.verdict = v;
    res.from = from;
    res.order = std::move(order);
    res.ends.clear();
    return res;
  };
  // The segment's events form one chain (each happens after the one recorded before it): a
  // single linearisation, the recorded order. The common case; no search.
  bool chain = true;
  for (uint32_t i = 1; i < n && chain; ++i) chain = ev[i - 1].ev->before(*ev[i].ev);
  if (chain) {
    std::vector<uint32_t> order;
    for (uint32_t f = 0; f < starts.size(); ++f) {
      MonState s = starts[f];
      order.clear();
      for (uint32_t i = 0; i < n; ++i) {
        order.push_back(i);
        if (Verdict v = step(s, i)) return violation(v, f, order);
      }
      if (atEnd)
        if (Verdict v = a.finish(s)) return violation(v, f, order);
      bool seen = false;
      std::string k1, k2;
      s.appendKey(k1);
      for (const auto& e : res.ends) {
        k2.clear();
        e.state.appendKey(k2);
        if (k1 == k2) {
          seen = true;
          break;
        }
      }
      if (!seen) res.ends.push_back(SegmentEnd{s, f, true, {}});
      res.states += n;
    }
    return res;
  }

  // Threads of the segment, numbered locally; need[i*k+u]: how many of thread u's events happen
  // before event i.
  std::unordered_map<uint32_t, uint32_t> local;
  std::vector<uint32_t> lt(n);
  std::vector<std::vector<uint32_t>> lists;
  for (uint32_t i = 0; i < n; ++i) {
    auto [it, fresh] = local.emplace(ev[i].ev->thread, static_cast<uint32_t>(lists.size()));
    if (fresh) lists.emplace_back();
    lt[i] = it->second;
    lists[it->second].push_back(i);
  }
  const uint32_t k = static_cast<uint32_t>(lists.size());
  std::vector<uint32_t> need(static_cast<size_t>(n) * k);
  for (uint32_t i = 0; i < n; ++i)
    for (uint32_t u = 0; u < k; ++u) {
      uint32_t v = 0;
      if (u == lt[i]) {
        v = static_cast<uint32_t>(std::find(lists[u].begin(), lists[u].end(), i) - lists[u].begin());
      } else {
        // Thread u's events before i: those that happen before i (a prefix of u's list).
        const auto& lu = lists[u];
        v = static_cast<uint32_t>(
            std::partition_point(lu.begin(), lu.end(), [&](uint32_t j) { return ev[j].ev->before(*ev[i].ev); }) -
            lu.begin());
      }
      need[static_cast<size_t>(i) * k + u] = v;
    }

  std::vector<uint32_t> pos(k, 0);
  auto enabled = [&](std::vector<uint32_t>& out) {
    out.clear();
    for (uint32_t u = 0; u < k; ++u) {
      if (pos[u] >= lists[u].size()) continue;
      uint32_t i = lists[u][pos[u]];
      bool ok = true;
      for (uint32_t v = 0; v < k && ok; ++v)
        if (v != u && pos[v] < need[static_cast<size_t>(i) * k + v]) ok = false;
      if (ok) out.push_back(u);
    }
    // Recorded order first: the first path explored is the recorded one.
    std::sort(out.begin(), out.end(), [&](uint32_t x, uint32_t y) { return lists[x][pos[x]] < lists[y][pos[y]]; });
  };

  // The memo is per call (cuts of this segment), its storage reused.
  std::fill(table_.begin(), table_.end(), 0);
  arena_.clear();
  used_ = 0;

  struct Frame {
    MonState state;
    size_t candBegin, candEnd, next;
  };
  std::vector<Frame> stack;
  std::vector<uint32_t> cands, scratch, path;
  for (uint32_t f = 0; f < starts.size(); ++f) {
    std::fill(pos.begin(), pos.end(), 0);
    path.clear();
    if (!insertKey(pos, starts[f])) continue;  // an earlier start reached the same state
    enabled(scratch);
    cands.assign(scratch.begin(), scratch.end());
    stack.clear();
    stack.push_back(Frame{starts[f], 0, cands.size(), 0});
    while (!stack.empty()) {
      Frame& fr = stack.back();
      if (fr.next == fr.candEnd) {
        cands.resize(fr.candBegin);
        stack.pop_back();
        if (!path.empty()) {
          --pos[lt[path.back()]];
          path.pop_back();
        }
        continue;
      }
      uint32_t u = cands[fr.next++];
      uint32_t i = lists[u][pos[u]];
      MonState s = fr.state;
      Verdict v = step(s, i);
      path.push_back(i);
      ++pos[u];
      if (v) return violation(v, f, path);
      bool fresh = insertKey(pos, s);
      if (fresh && ++res.states > budget) {
        res.exhausted = true;
        res.ends.clear();
        return res;
      }
      if (fresh && path.size() == n) {
        if (atEnd)
          if (Verdict fv = a.finish(s)) return violation(fv, f, path);
        SegmentEnd e{s, f, isIdentity(path), {}};
        if (!e.recorded) e.order = path;
        res.ends.push_back(std::move(e));
      }
      if (!fresh || path.size() == n) {
        --pos[u];
        path.pop_back();
        continue;
      }
      enabled(scratch);
      size_t b = cands.size();
      cands.insert(cands.end(), scratch.begin(), scratch.end());
      stack.push_back(Frame{s, b, cands.size(), b});
    }
  }
  return res;
}

}  // namespace vc
