// Graphviz output: a legend, then for each violation a cluster with the events it involves (see
// report/picture.h), the happens-before edges among them by kind (program order, each kind of
// sync with the sync file's line, the trace's own edges, paths through events not drawn), the
// pair nothing orders, and the witness order.
#include <sstream>

#include "report/picture.h"
#include "report/report.h"

namespace vc {

namespace {

std::string esc(const std::string& s) {
  std::string o;
  for (char c : s) {
    if (c == '"' || c == '\\') o += '\\';
    if (c == '\n') {
      o += "\\n";
      continue;
    }
    if (c == '\r') continue;
    o += c;
  }
  return o;
}

// Edge attributes of each kind (edgeKindClass), shared by the legend and the pictures.
std::string edgeStyle(const std::string& cls) {
  if (cls == "program") return "color=\"#000000\"";
  if (cls == "message") return "color=\"#1f5fbf\", penwidth=1.5";
  if (cls == "release") return "color=\"#2a8a2a\", penwidth=1.5";
  if (cls == "spawn" || cls == "join") return "color=\"#7b3fa0\", penwidth=1.5";
  if (cls == "trace") return "color=\"#8c564b\", penwidth=1.5";
  return "color=\"#888888\", style=dotted";  // path
}
const char* kUnorderedStyle = "style=dashed, color=red, dir=none, constraint=false, penwidth=2";
const char* kWitnessStyle = "style=dotted, color=\"#e07000\", constraint=false, fontcolor=\"#e07000\"";
const char* kCulpritFill = "style=filled, fillcolor=\"#f4a6a6\", penwidth=2";
const char* kPairFill = "style=filled, fillcolor=\"#fbe3a1\"";

void legend(std::ostringstream& out) {
  out << "  subgraph cluster_legend {\n    label=\"legend\";\n    style=dashed;\n"
      << "    node [shape=plaintext, fontsize=9];\n    edge [fontsize=9];\n"
      << "    legend_culprit [shape=box, label=\"the event that breaks the rule\", " << kCulpritFill << "];\n"
      << "    legend_pair [shape=box, label=\"an event of the pair nothing orders\", " << kPairFill << "];\n";
  const std::pair<const char*, const char*> kinds[] = {
      {"program", "program order (one thread)"}, {"message", "message sync: send -> receive"},
      {"release", "release -> acquire sync"},    {"spawn", "spawn / join sync"},
      {"trace", "the trace's own edge (after)"}, {"path", "happens-before through events not drawn"},
  };
  int n = 0;
  for (const auto& [cls, text] : kinds) {
    out << "    legend_" << n << "a [label=\"\", shape=point];\n    legend_" << n << "b [label=\"" << text << "\"];\n"
        << "    legend_" << n << "a->legend_" << n << "b [" << edgeStyle(cls) << "];\n";
    ++n;
  }
  out << "    legend_" << n << "a [label=\"\", shape=point];\n    legend_" << n
      << "b [label=\"unordered: nothing orders the pair\"];\n    legend_" << n << "a->legend_" << n << "b ["
      << kUnorderedStyle << "];\n";
  ++n;
  out << "    legend_" << n << "a [label=\"\", shape=point];\n    legend_" << n
      << "b [label=\"witness order: a possible order that breaks the rule (w1, w2, ...)\"];\n    legend_" << n
      << "a->legend_" << n << "b [" << kWitnessStyle << "];\n  }\n";
}

}  // namespace

std::string dotReport(const ReportInput& in) {
  std::ostringstream out;
  out << "digraph vconform {\n  rankdir=TB;\n  node [shape=box, fontname=\"monospace\", fontsize=10];\n"
      << "  edge [fontname=\"monospace\", fontsize=9];\n";
  legend(out);
  size_t k = 0;
  for (const auto& v : in.result.violations) {
    const Rule& r = in.spec.rules[v.rule];
    const Picture p = pictureOf(v);
    const std::string id = "v" + std::to_string(k) + "_";
    out << "  subgraph cluster_" << k << " {\n    label=\""
        << esc(std::string(kindName(v.kind)) + " violation of " + r.id + " (" + r.file + ":" + std::to_string(r.line) +
               "): " + v.message)
        << "\";\n";
    std::vector<size_t> step(p.events.size(), 0);
    for (size_t s = 0; s < p.witness.size(); ++s) step[p.witness[s]] = s + 1;
    for (size_t i = 0; i < p.events.size(); ++i) {
      const EventRef& e = p.events[i];
      bool pair = false;
      for (const auto& [a, b] : p.unordered) pair |= a == i || b == i;
      std::string label = (step[i] ? "w" + std::to_string(step[i]) + "  " : std::string()) + e.brief() + "\n" +
                          e.threadLabel + "\n" + e.file + ":" + std::to_string(e.line);
      out << "    " << id << i << " [label=\"" << esc(label) << "\"";
      if (i == p.culprit || i == p.anchor)
        out << ", " << kCulpritFill;
      else if (pair)
        out << ", " << kPairFill;
      out << "];\n";
    }
    for (const auto& e : p.edges) {
      const std::string cls = edgeKindClass(in.spec, e.kind);
      out << "    " << id << e.from << "->" << id << e.to << " [" << edgeStyle(cls);
      if (cls != "program") out << ", label=\"" << esc(edgeKindText(in.spec, e.kind)) << "\"";
      out << "];\n";
    }
    for (const auto& [a, b] : p.unordered)
      out << "    " << id << a << "->" << id << b << " [" << kUnorderedStyle << ", label=\"unordered\"];\n";
    for (size_t s = 1; s < p.witness.size(); ++s)
      out << "    " << id << p.witness[s - 1] << "->" << id << p.witness[s] << " [" << kWitnessStyle << ", label=\"w"
          << s << "->w" << s + 1 << "\"];\n";
    out << "  }\n";
    ++k;
  }
  out << "}\n";
  return out.str();
}

}  // namespace vc
