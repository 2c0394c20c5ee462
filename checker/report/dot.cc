// Graphviz output: for each violation, the events it involves and the happens-before edges among
// them (covering edges only), built as a Boost.Graph graph and written with write_graphviz.
#include <boost/graph/adjacency_list.hpp>
// GCC 12 -O2 warns inside Boost's edge iterator (a known false positive); keep our build clean.
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wmaybe-uninitialized"
#include <boost/graph/graphviz.hpp>
#pragma GCC diagnostic pop
#include <sstream>

#include "report/report.h"

namespace vc {

namespace {

std::string esc(const std::string& s) {
  std::string o;
  for (char c : s) {
    if (c == '"' || c == '\\') o += '\\';
    if (c == '\n') { o += "\\n"; continue; }
    o += c;
  }
  return o;
}

}  // namespace

std::string dotReport(const ReportInput& in) {
  std::ostringstream out;
  out << "digraph vconform {\n  rankdir=TB;\n  node [shape=box, fontname=\"monospace\", fontsize=10];\n";
  size_t k = 0;
  for (const auto& v : in.result.violations) {
    const Rule& r = in.spec.rules[v.rule];
    std::vector<EventRef> evs = v.graph.empty() ? v.witness : v.graph;
    std::vector<std::pair<size_t, size_t>> edges = v.graph.empty() ? v.witnessEdges : v.graphEdges;
    if (evs.empty()) {
      if (v.anchor) evs.push_back(*v.anchor);
      if (v.culprit) evs.push_back(*v.culprit);
      std::sort(evs.begin(), evs.end(), [](const EventRef& a, const EventRef& b) { return a.seq < b.seq; });
      for (size_t i = 1; i < evs.size(); ++i)
        if (evs[i - 1].thread == evs[i].thread) edges.emplace_back(i - 1, i);
    }
    using Graph = boost::adjacency_list<boost::vecS, boost::vecS, boost::directedS>;
    Graph g(evs.size());
    for (auto [a, b] : edges) boost::add_edge(a, b, g);
    std::ostringstream sub;
    auto vertexWriter = [&](std::ostream& os, Graph::vertex_descriptor d) {
      const EventRef& e = evs[d];
      bool bad = (v.culprit && e.seq == v.culprit->seq) || (v.anchor && e.seq == v.anchor->seq);
      bool pair = false;
      for (const auto& p : v.unordered) pair |= p.first.seq == e.seq || p.second.seq == e.seq;
      os << "[label=\"" << esc(e.brief() + "\n" + e.threadLabel + "\n" + e.file + ":" + std::to_string(e.line)) << "\"";
      if (bad) os << ", style=filled, fillcolor=\"#f4a6a6\", penwidth=2";
      else if (pair) os << ", style=filled, fillcolor=\"#fbe3a1\"";
      os << "]";
    };
    boost::write_graphviz(sub, g, vertexWriter);
    // Re-home the standalone digraph's body as a cluster with prefixed vertex names.
    std::string body = sub.str();
    size_t open = body.find('{'), close = body.rfind('}');
    body = body.substr(open + 1, close - open - 1);
    std::string prefixed;
    std::istringstream lines(body);
    std::string line;
    while (std::getline(lines, line)) {
      if (line.empty()) continue;
      // Lines look like `0[label=...];` or `0->1 ;`.
      std::string outLine;
      size_t i = 0;
      auto emitId = [&]() {
        size_t j = i;
        while (j < line.size() && std::isdigit(static_cast<unsigned char>(line[j]))) ++j;
        outLine += "v" + std::to_string(k) + "_" + line.substr(i, j - i);
        i = j;
      };
      emitId();
      if (line.compare(i, 2, "->") == 0) {
        outLine += "->";
        i += 2;
        emitId();
      }
      outLine += line.substr(i);
      prefixed += "    " + outLine + "\n";
    }
    out << "  subgraph cluster_" << k << " {\n    label=\""
        << esc(std::string(kindName(v.kind)) + " violation of " + r.id + ": " + v.message) << "\";\n"
        << prefixed;
    for (const auto& p : v.unordered) {
      // A dashed red line between the events nothing orders.
      size_t a = SIZE_MAX, b = SIZE_MAX;
      for (size_t i = 0; i < evs.size(); ++i) {
        if (evs[i].seq == p.first.seq) a = i;
        if (evs[i].seq == p.second.seq) b = i;
      }
      if (a != SIZE_MAX && b != SIZE_MAX)
        out << "    v" << k << "_" << a << "->v" << k << "_" << b
            << " [style=dashed, color=red, dir=none, constraint=false, label=\"unordered\"];\n";
    }
    out << "  }\n";
    ++k;
  }
  out << "}\n";
  return out.str();
}

}  // namespace vc
