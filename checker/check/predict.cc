#include "check/predict.h"

#include <algorithm>
#include <unordered_map>
#include <cstring>
#include <string>
#include <string_view>

namespace vc {

PredictResult predict(const RuleAutomaton& a, const std::vector<PredictEvent>& ev, uint64_t budget) {
  PredictResult res;
  const uint32_t n = static_cast<uint32_t>(ev.size());
  // Threads of this instance, numbered locally.
  std::unordered_map<uint32_t, uint32_t> local;
  std::vector<uint32_t> globalOf;
  std::vector<uint32_t> lt(n);
  std::vector<std::vector<uint32_t>> lists;
  for (uint32_t i = 0; i < n; ++i) {
    auto [it, fresh] = local.emplace(ev[i].thread, static_cast<uint32_t>(globalOf.size()));
    if (fresh) {
      globalOf.push_back(ev[i].thread);
      lists.emplace_back();
    }
    lt[i] = it->second;
    lists[it->second].push_back(i);
  }
  const uint32_t k = static_cast<uint32_t>(globalOf.size());
  auto clockOf = [&](uint32_t i, uint32_t g) { return g < ev[i].clockLen ? ev[i].clock[g] : 0u; };
  // own[u][j]: the thread-u component of u's j-th event; increasing along the thread.
  std::vector<std::vector<uint32_t>> own(k);
  std::vector<uint32_t> posInThread(n);
  for (uint32_t u = 0; u < k; ++u)
    for (uint32_t j = 0; j < lists[u].size(); ++j) {
      own[u].push_back(clockOf(lists[u][j], globalOf[u]));
      posInThread[lists[u][j]] = j;
    }
  // need[i*k+u]: how many of thread u's events happen before event i.
  std::vector<uint32_t> need(static_cast<size_t>(n) * k);
  for (uint32_t i = 0; i < n; ++i)
    for (uint32_t u = 0; u < k; ++u) {
      uint32_t v;
      if (u == lt[i]) v = posInThread[i];
      else {
        uint32_t c = clockOf(i, globalOf[u]);
        v = static_cast<uint32_t>(std::upper_bound(own[u].begin(), own[u].end(), c) - own[u].begin());
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
    std::sort(out.begin(), out.end(), [&](uint32_t x, uint32_t y) {
      return ev[lists[x][pos[x]]].seq < ev[lists[y][pos[y]]].seq;
    });
  };
  // The memo: (cut, state) keys stored back to back in an arena, found through an open-addressing
  // table of offsets (no allocation per state).
  std::string keyBuf;
  std::vector<char> arena;
  std::vector<uint64_t> table(1024, 0);  // 0 = empty, else (offset + 1); length is stored in the arena
  size_t used = 0;
  auto hashOf = [](std::string_view key) { return std::hash<std::string_view>{}(key); };
  auto insertKey = [&](const MonState& s) -> bool {  // true if new
    keyBuf.assign(reinterpret_cast<const char*>(pos.data()), pos.size() * sizeof(uint32_t));
    s.appendKey(keyBuf);
    if ((used + 1) * 2 > table.size()) {
      std::vector<uint64_t> bigger(table.size() * 2, 0);
      for (uint64_t e : table) {
        if (!e) continue;
        uint32_t len;
        std::memcpy(&len, arena.data() + (e - 1), sizeof len);
        size_t h = hashOf(std::string_view(arena.data() + (e - 1) + sizeof len, len)) & (bigger.size() - 1);
        while (bigger[h]) h = (h + 1) & (bigger.size() - 1);
        bigger[h] = e;
      }
      table.swap(bigger);
    }
    size_t h = hashOf(keyBuf) & (table.size() - 1);
    while (table[h]) {
      uint64_t e = table[h];
      uint32_t len;
      std::memcpy(&len, arena.data() + (e - 1), sizeof len);
      if (len == keyBuf.size() && std::memcmp(arena.data() + (e - 1) + sizeof len, keyBuf.data(), len) == 0) return false;
      h = (h + 1) & (table.size() - 1);
    }
    uint32_t len = static_cast<uint32_t>(keyBuf.size());
    table[h] = arena.size() + 1;
    arena.insert(arena.end(), reinterpret_cast<const char*>(&len), reinterpret_cast<const char*>(&len) + sizeof len);
    arena.insert(arena.end(), keyBuf.begin(), keyBuf.end());
    ++used;
    return true;
  };

  // The DFS stack: one frame per depth; candidates of all frames in one shared vector.
  struct Frame {
    MonState state;
    size_t candBegin, candEnd, next;
  };
  std::vector<Frame> stack;
  std::vector<uint32_t> cands;
  std::vector<uint32_t> scratch;
  std::vector<uint32_t> path;
  auto pushFrame = [&](const MonState& s) {
    enabled(scratch);
    size_t b = cands.size();
    cands.insert(cands.end(), scratch.begin(), scratch.end());
    stack.push_back(Frame{s, b, cands.size(), b});
  };

  auto done = [&](const Verdict& v) {
    res.violated = true;
    res.verdict = v;
    res.path = path;
    res.recordedOrder = true;
    for (uint32_t j = 0; j < path.size(); ++j)
      if (path[j] != j) { res.recordedOrder = false; break; }
    return res;
  };

  MonState init = a.initial();
  if (k == 1) {
    // One thread: the recorded order is the only linearisation.
    MonState s = init;
    for (uint32_t i = 0; i < n; ++i) {
      path.push_back(i);
      Verdict v = a.step(s, StepInput{ev[i].mask, i, ev[i].hasTs, ev[i].ts});
      if (v) return done(v);
    }
    Verdict v = a.finish(s);
    if (v) return done(v);
    return res;
  }
  if (n == 0) {
    Verdict v = a.finish(init);
    if (v) return done(v);
    return res;
  }
  pushFrame(init);
  insertKey(init);
  while (!stack.empty()) {
    Frame& f = stack.back();
    if (f.next == f.candEnd) {
      cands.resize(f.candBegin);
      stack.pop_back();
      if (!path.empty()) {
        --pos[lt[path.back()]];
        path.pop_back();
      }
      continue;
    }
    uint32_t u = cands[f.next++];
    uint32_t i = lists[u][pos[u]];
    MonState s = f.state;
    Verdict v = a.step(s, StepInput{ev[i].mask, i, ev[i].hasTs, ev[i].ts});
    path.push_back(i);
    ++pos[u];
    if (v) return done(v);
    if (path.size() == n) {
      Verdict fv = a.finish(s);
      if (fv) return done(fv);
      --pos[u];
      path.pop_back();
      continue;
    }
    if (!insertKey(s)) {
      --pos[u];
      path.pop_back();
      continue;
    }
    if (++res.states > budget) {
      res.exhausted = true;
      return res;
    }
    pushFrame(s);
  }
  return res;
}

}  // namespace vc
