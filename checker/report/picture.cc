// The events and edges of a violation's picture, shared by the DOT and HTML reports.
#include "report/picture.h"

#include <algorithm>
#include <map>

namespace vc {

size_t Picture::lane(size_t event) const {
  return static_cast<size_t>(std::find(threads.begin(), threads.end(), events[event].thread) - threads.begin());
}

Picture pictureOf(const Violation& v) {
  Picture p;
  std::map<uint64_t, EventRef> bySeq;  // the events, each once, in the judged order
  auto add = [&](const EventRef& e) { bySeq.emplace(e.seq, e); };
  for (const auto& e : v.context) add(e);
  if (v.anchor) add(*v.anchor);
  if (v.culprit) add(*v.culprit);
  for (const auto& e : v.witness) add(e);
  for (const auto& e : v.graph) add(e);
  for (const auto& u : v.unordered) {
    add(u.first);
    add(u.second);
  }
  std::map<uint64_t, size_t> index;
  for (auto& [seq, e] : bySeq) {
    index[seq] = p.events.size();
    if (std::find(p.threads.begin(), p.threads.end(), e.thread) == p.threads.end()) p.threads.push_back(e.thread);
    p.events.push_back(std::move(e));
  }
  auto at = [&](uint64_t seq) { return index.at(seq); };
  if (v.culprit) p.culprit = at(v.culprit->seq);
  if (v.anchor) p.anchor = at(v.anchor->seq);
  // Program order: each event after the previous drawn event of its thread.
  std::map<uint32_t, size_t> last;
  for (size_t i = 0; i < p.events.size(); ++i) {
    auto it = last.find(p.events[i].thread);
    if (it != last.end()) p.edges.push_back(PictureEdge{it->second, i, EdgeKind{EdgeKind::ProgramOrder}});
    last[p.events[i].thread] = i;
  }
  // Happens-before between threads, from the neighbourhood and the witness (each edge once).
  auto addEdges = [&](const std::vector<EventRef>& evs, const std::vector<std::pair<size_t, size_t>>& edges,
                      const std::vector<EdgeKind>& kinds) {
    for (size_t k = 0; k < edges.size(); ++k) {
      const EventRef& a = evs[edges[k].first];
      const EventRef& b = evs[edges[k].second];
      if (a.thread == b.thread) continue;  // program order, drawn above
      size_t from = at(a.seq), to = at(b.seq);
      EdgeKind kind = k < kinds.size() ? kinds[k] : EdgeKind{};
      auto same = std::find_if(p.edges.begin(), p.edges.end(),
                               [&](const PictureEdge& e) { return e.from == from && e.to == to; });
      if (same == p.edges.end())
        p.edges.push_back(PictureEdge{from, to, kind});
      else if (same->kind.kind == EdgeKind::Path)
        same->kind = kind;
    }
  };
  addEdges(v.graph, v.graphEdges, v.graphEdgeKinds);
  addEdges(v.witness, v.witnessEdges, v.witnessEdgeKinds);
  for (const auto& e : v.witness) p.witness.push_back(at(e.seq));
  for (const auto& u : v.unordered) p.unordered.emplace_back(at(u.first.seq), at(u.second.seq));
  return p;
}

std::string syncFileShown(const SyncRule& s) {
  if (!s.shipped) return s.file;
  const size_t slash = s.file.rfind('/');
  return "specs/sync/" + (slash == std::string::npos ? s.file : s.file.substr(slash + 1));
}

std::string edgeKindClass(const Spec& spec, const EdgeKind& k) {
  switch (k.kind) {
    case EdgeKind::ProgramOrder:
      return "program";
    case EdgeKind::TraceEdge:
      return "trace";
    case EdgeKind::Path:
      return "path";
    case EdgeKind::Sync:
      if (k.sync < spec.syncs.size()) return spec::syncName(spec.syncs[k.sync].kind);
      return "path";
  }
  return "path";
}

std::string edgeKindText(const Spec& spec, const EdgeKind& k) {
  switch (k.kind) {
    case EdgeKind::ProgramOrder:
      return "program order";
    case EdgeKind::TraceEdge:
      return "trace edge (after)";
    case EdgeKind::Path:
      return "happens-before through events not drawn";
    case EdgeKind::Sync:
      if (k.sync < spec.syncs.size()) {
        const SyncRule& s = spec.syncs[k.sync];
        return std::string(spec::syncName(s.kind)) + " sync (" + syncFileShown(s) + ":" + std::to_string(s.line) + ")";
      }
      return "happens-before through events not drawn";
  }
  return "";
}

}  // namespace vc
