// The HTML report: one self-contained page (inline CSS and script, a Content-Security-Policy
// that forbids every network fetch), deterministic (no date, no random ids). Per run: the
// summary, an overview of the whole run (thread lanes over the recorded order, drawn on a canvas
// from a few kilobytes of embedded counts, whatever the run's length), then each violation as a
// small SVG of its events on thread lanes (report/picture.h) with the happens-before edges by
// kind, the pair nothing orders and the witness order, a witness table, and links to the trace
// and spec lines. Every string from a trace or spec is escaped (html() for markup, jsonData() for
// the embedded data); the script only ever sets textContent.
#include <algorithm>
#include <cctype>
#include <nlohmann/json.hpp>

#include "build-info/build-info.h"
#include "report/picture.h"
#include "report/report.h"

namespace vc {

// ---- The overview, recorded while reading -------------------------------------------------

namespace {
constexpr size_t kMaxLanes = 48;  // more threads share one last lane
}  // namespace

void OverviewRecorder::add(const Event& ev) {
  if (laneOf_.size() <= ev.thread) laneOf_.resize(ev.thread + 1, 0);
  uint32_t& lane = laneOf_[ev.thread];
  if (lane == 0) {
    if (o_.laneThreads.size() < kMaxLanes) {
      o_.laneThreads.push_back(ev.thread);
      o_.counts.emplace_back(o_.bucketTs.size(), 0);
    }
    lane = static_cast<uint32_t>(o_.laneThreads.size());  // the last lane takes the rest
  }
  if (o_.bucketTs.empty() || inBucket_ == o_.bucketEvents) {
    if (o_.bucketTs.size() == RunOverview::kMaxBuckets) {
      // Full: merge neighbours; each bucket now holds twice as many events (all are full).
      const size_t half = RunOverview::kMaxBuckets / 2;
      for (auto& c : o_.counts) {
        for (size_t j = 0; j < half; ++j) c[j] = c[2 * j] + c[2 * j + 1];
        c.resize(half);
      }
      for (size_t j = 0; j < half; ++j) {
        const bool first = o_.bucketHasTs[2 * j] != 0;
        o_.bucketTs[j] = first ? o_.bucketTs[2 * j] : o_.bucketTs[2 * j + 1];
        o_.bucketHasTs[j] = first ? 1 : o_.bucketHasTs[2 * j + 1];
      }
      o_.bucketTs.resize(half);
      o_.bucketHasTs.resize(half);
      o_.bucketEvents *= 2;
    }
    o_.bucketTs.push_back(0);
    o_.bucketHasTs.push_back(0);
    for (auto& c : o_.counts) c.push_back(0);
    inBucket_ = 0;
  }
  ++o_.counts[lane - 1].back();
  ++inBucket_;
  ++o_.events;
  if (ev.hasTs && !o_.bucketHasTs.back()) {
    o_.bucketTs.back() = ev.ts;
    o_.bucketHasTs.back() = 1;
  }
}

RunOverview OverviewRecorder::finish(const ThreadTable& threads) {
  RunOverview o = o_;
  size_t distinct = 0;
  for (uint32_t l : laneOf_) distinct += l != 0;
  for (size_t i = 0; i < o.laneThreads.size(); ++i) {
    const bool rest = i + 1 == kMaxLanes && distinct > kMaxLanes;
    o.lanes.push_back(rest ? std::to_string(distinct - kMaxLanes + 1) + " more threads"
                           : threads.label(o.laneThreads[i]));
  }
  return o;
}

// ---- Escaping ---------------------------------------------------------------------------

namespace {

// Text for HTML content and quoted attribute values: the five markup characters as entities,
// control characters as a visible \xNN (as the CLI prints them), invalid UTF-8 as U+FFFD.
std::string html(std::string_view s) {
  std::string o;
  o.reserve(s.size() + 16);
  for (size_t i = 0; i < s.size();) {
    const auto c = static_cast<unsigned char>(s[i]);
    if (c < 0x80) {
      switch (c) {
        case '&':
          o += "&amp;";
          break;
        case '<':
          o += "&lt;";
          break;
        case '>':
          o += "&gt;";
          break;
        case '"':
          o += "&quot;";
          break;
        case '\'':
          o += "&#39;";
          break;
        case '\n':
        case '\t':
          o += static_cast<char>(c);
          break;
        default:
          if (c < 0x20 || c == 0x7f) {
            static const char* hex = "0123456789abcdef";
            o += "\\x";
            o += hex[c >> 4];
            o += hex[c & 15];
          } else {
            o += static_cast<char>(c);
          }
      }
      ++i;
      continue;
    }
    // A UTF-8 sequence: copied if well formed (no overlong forms, no surrogates), else U+FFFD.
    size_t n = c >= 0xf0 && c <= 0xf4 ? 4 : c >= 0xe0 ? 3 : c >= 0xc2 && c <= 0xdf ? 2 : 0;
    bool ok = n != 0 && i + n <= s.size();
    for (size_t k = 1; ok && k < n; ++k) ok = (static_cast<unsigned char>(s[i + k]) & 0xc0) == 0x80;
    if (ok && n == 3) {
      const auto c1 = static_cast<unsigned char>(s[i + 1]);
      ok = !(c == 0xe0 && c1 < 0xa0) && !(c == 0xed && c1 >= 0xa0);
    }
    if (ok && n == 4) {
      const auto c1 = static_cast<unsigned char>(s[i + 1]);
      ok = !(c == 0xf0 && c1 < 0x90) && !(c == 0xf4 && c1 >= 0x90);
    }
    if (!ok) {
      o += "\xef\xbf\xbd";
      ++i;
      continue;
    }
    o.append(s.substr(i, n));
    i += n;
  }
  return o;
}

// A link to a file as given on the command line: relative paths stay relative (so the page
// opens them when it sits where the check ran), every byte outside [A-Za-z0-9/._~-] is
// percent-encoded, and a relative path starts with "./" (a file named "javascript:..." is
// only ever a file).
std::string href(const std::string& path) {
  static const char* hex = "0123456789ABCDEF";
  std::string o = path.empty() || path[0] == '/' ? "" : "./";
  for (char ch : path) {
    const auto c = static_cast<unsigned char>(ch);
    if (std::isalnum(c) || c == '/' || c == '.' || c == '_' || c == '~' || c == '-') {
      o += static_cast<char>(c);
    } else {
      o += '%';
      o += hex[c >> 4];
      o += hex[c & 15];
    }
  }
  return o;
}

// A file:line link (the line in the text and in data-line: a browser cannot jump to it).
std::string locLink(const std::string& file, uint64_t line, const char* cls) {
  std::string text = file + (line ? ":" + std::to_string(line) : std::string());
  return std::string("<a class=\"") + cls + "\" href=\"" + href(file) + "\" data-line=\"" + std::to_string(line) +
         "\">" + html(text) + "</a>";
}

// JSON inside <script type="application/json">: nothing in it can end the element or open a
// comment (every <, > and & is a \u escape), invalid UTF-8 becomes U+FFFD.
std::string jsonData(const nlohmann::ordered_json& j) {
  std::string s = j.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
  std::string o;
  o.reserve(s.size());
  for (char c : s) {
    if (c == '<')
      o += "\\u003c";
    else if (c == '>')
      o += "\\u003e";
    else if (c == '&')
      o += "\\u0026";
    else
      o += c;
  }
  return o;
}

std::string clip(const std::string& s, size_t n) { return s.size() <= n ? s : s.substr(0, n - 1) + "\xe2\x80\xa6"; }

// ---- The page ---------------------------------------------------------------------------

const char* kStyle = R"CSS(
:root { --fg:#1d2330; --muted:#5d6677; --line:#d8dde6; --bg:#ffffff; --panel:#f6f8fb;
  --observed:#c62828; --predicted:#b26a00; --pair:#fbe3a1; --culprit:#f4a6a6;
  --program:#000000; --message:#1f5fbf; --release:#2a8a2a; --spawn:#7b3fa0; --join:#7b3fa0;
  --trace:#8c564b; --path:#888888; --unordered:#e01010; --witness:#e07000; }
body { font: 14px/1.45 system-ui, sans-serif; color: var(--fg); background: var(--bg); margin: 0 24px 40px; }
h1 { font-size: 20px; margin: 16px 0 4px; } h2 { font-size: 17px; margin: 24px 0 8px; }
h3 { font-size: 15px; margin: 0 0 8px; } h4 { font-size: 13px; margin: 14px 0 6px; color: var(--muted); }
code, pre, .mono, table.witness td { font-family: ui-monospace, monospace; font-size: 12px; }
pre { background: var(--panel); padding: 8px; border: 1px solid var(--line); overflow-x: auto; }
.summary { font-weight: 600; } .verdict-bad { color: var(--observed); } .verdict-ok { color: #1b7f3b; }
.kind-observed { color: var(--observed); } .kind-predicted { color: var(--predicted); }
section.violation { border: 1px solid var(--line); border-left: 5px solid var(--predicted); padding: 10px 14px;
  margin: 14px 0; background: #fff; }
section.violation.observed { border-left-color: var(--observed); }
section.violation.hl { box-shadow: 0 0 0 3px #ffd54f; }
dl.facts { display: grid; grid-template-columns: 6em 1fr; gap: 2px 10px; margin: 0; }
dl.facts dt { color: var(--muted); } dl.facts dd { margin: 0; }
.lanes { overflow-x: auto; border: 1px solid var(--line); background: var(--panel); margin-top: 10px; }
.lanes svg text { font: 11px ui-monospace, monospace; fill: var(--fg); }
.lanes svg .lane-label { fill: var(--muted); }
.lanes svg .step { fill: var(--witness); font-weight: 700; }
.lanes svg .ev circle { stroke: #333; stroke-width: 1; fill: #fff; }
.lanes svg .ev.pair circle { fill: var(--pair); } .lanes svg .ev.culprit circle { fill: var(--culprit); stroke-width: 2.5; }
.lanes svg .ev.hl circle { stroke: #ffb300; stroke-width: 4; }
.e-program { stroke: var(--program); } .e-message { stroke: var(--message); } .e-release { stroke: var(--release); }
.e-spawn, .e-join { stroke: var(--spawn); } .e-trace { stroke: var(--trace); }
.e-path { stroke: var(--path); stroke-dasharray: 2 3; }
.e-unordered { stroke: var(--unordered); stroke-dasharray: 6 4; stroke-width: 2; fill: none; }
.e-witness { stroke: var(--witness); stroke-dasharray: 1 3; stroke-width: 2; fill: none; }
path.edge { fill: none; stroke-width: 1.5; }
ul.sync { margin: 0; padding-left: 20px; } ul.sync li.unordered { color: var(--unordered); }
.swatch { display: inline-block; width: 22px; height: 0; border-top: 2px solid; vertical-align: middle; margin-right: 4px; }
.sw-program { border-color: var(--program); } .sw-message { border-color: var(--message); }
.sw-release { border-color: var(--release); } .sw-spawn, .sw-join { border-color: var(--spawn); }
.sw-trace { border-color: var(--trace); } .sw-path { border-top-style: dotted; border-color: var(--path); }
.sw-unordered { border-top-style: dashed; border-color: var(--unordered); }
.sw-witness { border-top-style: dotted; border-color: var(--witness); }
.legend { color: var(--muted); font-size: 12px; margin: 8px 0; } .legend span.item { margin-right: 14px; white-space: nowrap; }
table { border-collapse: collapse; } table.witness th, table.witness td, table.list td, table.list th
  { border: 1px solid var(--line); padding: 2px 6px; text-align: left; vertical-align: top; }
table.witness tr.culprit td { background: #fdeaea; } table.witness tr.hl td { background: #fff3c4; }
table.witness td.cell { min-width: 14em; }
.overview { border: 1px solid var(--line); background: var(--panel); padding: 6px; margin: 8px 0; }
.overview canvas { display: block; width: 100%; cursor: pointer; }
.overview .axis { display: flex; justify-content: space-between; color: var(--muted); font-size: 11px; }
#tip { position: fixed; pointer-events: none; background: #222; color: #fff; padding: 3px 6px; font-size: 12px;
  border-radius: 3px; display: none; max-width: 60em; }
nav ol { margin: 4px 0; padding-left: 22px; } a { color: #1f5fbf; }
)CSS";

const char* kScript = R"JS(
(function () {
  'use strict';
  var tip = document.getElementById('tip');
  function showTip(e, text) { tip.textContent = text; tip.style.display = 'block';
    tip.style.left = (e.clientX + 12) + 'px'; tip.style.top = (e.clientY + 12) + 'px'; }
  function hideTip() { tip.style.display = 'none'; }
  // The overview: one lane per thread, the run's events over the recorded order, darker where
  // denser; a red or orange tick per violation; a click on a tick goes to its section.
  function fmtNs(ns) {
    var a = Math.abs(ns);
    if (a >= 1e9) return (ns / 1e9).toFixed(3) + ' s';
    if (a >= 1e6) return (ns / 1e6).toFixed(3) + ' ms';
    if (a >= 1e3) return (ns / 1e3).toFixed(1) + ' us';
    return ns + ' ns';
  }
  function drawOverview(box) {
    var d = JSON.parse(document.getElementById(box.getAttribute('data-for')).textContent);
    var canvas = box.querySelector('canvas');
    var n = d.ts.length, lanes = d.lanes.length, labelW = 220, laneH = 16, top = 4;
    var width = Math.max(600, box.clientWidth - 14);
    canvas.width = width; canvas.height = top + lanes * laneH + 4;
    canvas.style.height = canvas.height + 'px';
    var ctx = canvas.getContext('2d');
    var plotW = width - labelW - 8, bw = n ? plotW / n : plotW;
    var max = 1;
    d.counts.forEach(function (row) { row.forEach(function (c) { if (c > max) max = c; }); });
    ctx.font = '11px monospace';
    for (var l = 0; l < lanes; ++l) {
      var y = top + l * laneH;
      ctx.fillStyle = '#5d6677';
      var label = d.lanes[l]; if (label.length > 30) label = label.slice(0, 29) + '\u2026';
      ctx.fillText(label, 2, y + 12);
      ctx.fillStyle = '#e9edf3'; ctx.fillRect(labelW, y + 2, plotW, laneH - 4);
      for (var b = 0; b < n; ++b) {
        var c = d.counts[l][b];
        if (!c) continue;
        ctx.fillStyle = 'rgba(31,95,191,' + (0.2 + 0.8 * c / max).toFixed(3) + ')';
        ctx.fillRect(labelW + b * bw, y + 2, Math.max(1, bw), laneH - 4);
      }
    }
    var bucketOf = function (seq) { return Math.min(n - 1, Math.floor(seq / d.bucketEvents)); };
    d.marks.forEach(function (m) {
      var x = labelW + (bucketOf(m.seq) + 0.5) * bw, y = top + m.lane * laneH;
      ctx.fillStyle = m.kind === 'observed' ? '#c62828' : '#e07000';
      ctx.fillRect(x - 2, y, 4, laneH);
    });
    function markAt(ev) {
      var r = canvas.getBoundingClientRect(), sx = canvas.width / r.width;
      var x = (ev.clientX - r.left) * sx, y = (ev.clientY - r.top) * sx, best = null, bd = 8;
      d.marks.forEach(function (m) {
        var mx = labelW + (bucketOf(m.seq) + 0.5) * bw, my = top + m.lane * laneH + laneH / 2;
        var dd = Math.abs(mx - x) + Math.abs(my - y) / 2;
        if (dd < bd) { bd = dd; best = m; }
      });
      return best;
    }
    canvas.addEventListener('mousemove', function (ev) {
      var m = markAt(ev);
      if (m) showTip(ev, m.kind + ' violation of ' + m.rule + ' at event #' + m.seq); else hideTip();
    });
    canvas.addEventListener('mouseleave', hideTip);
    canvas.addEventListener('click', function (ev) {
      var m = markAt(ev); if (!m) return;
      var s = document.getElementById(m.id); if (!s) return;
      s.scrollIntoView(); s.classList.add('hl'); setTimeout(function () { s.classList.remove('hl'); }, 1500);
    });
    var axis = box.querySelector('.axis'), ticks = 6;
    for (var t = 0; t <= ticks; ++t) {
      var bk = Math.min(n - 1, Math.round(t * (n - 1) / ticks)), span = document.createElement('span');
      var text = 'event #' + (bk * d.bucketEvents);
      if (d.hasTs && d.hasTs[bk]) text += ' (+' + fmtNs(d.ts[bk] - d.ts0) + ')';
      span.textContent = text;
      axis.appendChild(span);
    }
    box.setAttribute('data-drawn', String(n));
  }
  Array.prototype.forEach.call(document.querySelectorAll('.overview[data-for]'), drawOverview);
  // An event's node and its witness row light up together.
  function hl(ev, on) {
    Array.prototype.forEach.call(document.querySelectorAll('[data-ev="' + ev + '"]'), function (el) {
      el.classList.toggle('hl', on);
    });
  }
  Array.prototype.forEach.call(document.querySelectorAll('[data-ev]'), function (el) {
    el.addEventListener('mouseenter', function () { hl(el.getAttribute('data-ev'), true); });
    el.addEventListener('mouseleave', function () { hl(el.getAttribute('data-ev'), false); });
  });
  document.body.setAttribute('data-ready', 'yes');
})();
)JS";

const char* kLegend =
    "<div class=\"legend\">"
    "<span class=\"item\"><span class=\"swatch sw-program\"></span>program order</span>"
    "<span class=\"item\"><span class=\"swatch sw-message\"></span>message sync</span>"
    "<span class=\"item\"><span class=\"swatch sw-release\"></span>release &rarr; acquire</span>"
    "<span class=\"item\"><span class=\"swatch sw-spawn\"></span>spawn / join</span>"
    "<span class=\"item\"><span class=\"swatch sw-trace\"></span>trace edge (after)</span>"
    "<span class=\"item\"><span class=\"swatch sw-path\"></span>through events not drawn</span>"
    "<span class=\"item\"><span class=\"swatch sw-unordered\"></span>unordered pair</span>"
    "<span class=\"item\"><span class=\"swatch sw-witness\"></span>witness order (w1, w2, &hellip;)</span>"
    "</div>\n";

// Violations drawn in full per run; the others are listed (each still with its location).
constexpr size_t kMaxDrawn = 200;

std::string num(double x) {
  // Coordinates are whole or half pixels: printed without locale or float noise.
  auto twice = static_cast<long long>(x * 2);
  return std::to_string(twice / 2) + (twice % 2 ? ".5" : "");
}

// The SVG of one violation: a lane per thread, the events left to right in the recorded order.
std::string lanesSvg(const ReportInput& in, const Picture& p, const std::string& vid) {
  const double labelW = 250, colW = 120, laneH = 64, top = 26;
  const double width = labelW + static_cast<double>(p.events.size()) * colW + 20;
  const double height = top + static_cast<double>(p.threads.size()) * laneH + 10;
  auto cx = [&](size_t i) { return labelW + colW / 2 + static_cast<double>(i) * colW; };
  auto cy = [&](size_t i) { return top + laneH / 2 + static_cast<double>(p.lane(i)) * laneH - 8; };
  std::string o = "<svg xmlns=\"http://www.w3.org/2000/svg\" class=\"lanes-svg\" width=\"" + num(width) +
                  "\" height=\"" + num(height) + "\" viewBox=\"0 0 " + num(width) + " " + num(height) + "\">\n";
  o += "<defs>";
  for (const char* k : {"program", "message", "release", "spawn", "join", "trace", "path", "witness"})
    o += std::string("<marker id=\"") + vid + "-arrow-" + k +
         "\" viewBox=\"0 0 10 10\" refX=\"10\" refY=\"5\" markerWidth=\"7\" markerHeight=\"7\" orient=\"auto\">"
         "<path d=\"M0,0 L10,5 L0,10 z\" class=\"e-" +
         k + "\" style=\"fill:var(--" + k + ")\"/></marker>";
  o += "</defs>\n";
  for (size_t l = 0; l < p.threads.size(); ++l) {
    const double y = top + static_cast<double>(l) * laneH;
    std::string label;
    for (const auto& e : p.events)
      if (e.thread == p.threads[l]) {
        label = e.threadLabel;
        break;
      }
    o += "<g class=\"lane\" data-thread=\"" + std::to_string(p.threads[l]) + "\"><rect x=\"0\" y=\"" + num(y) +
         "\" width=\"" + num(width) + "\" height=\"" + num(laneH) + "\" fill=\"" + (l % 2 ? "#eef1f6" : "#f8f9fb") +
         "\"/><text class=\"lane-label\" x=\"6\" y=\"" + num(y + laneH / 2 - 4) + "\">" + html(clip(label, 34)) +
         "<title>" + html(label) + "</title></text></g>\n";
  }
  // Edges first, under the events.
  auto edge = [&](size_t a, size_t b, const std::string& cls, const std::string& title, bool arrow) {
    const double x1 = cx(a), y1 = cy(a), x2 = cx(b), y2 = cy(b);
    std::string d;
    if (p.lane(a) == p.lane(b)) {
      d = "M" + num(x1 + 8) + "," + num(y1) + " L" + num(x2 - 8) + "," + num(y2);
    } else {
      // A curve from one lane to the other, ending at the edge of the target's circle.
      const double dy = y2 > y1 ? -8 : 8;
      d = "M" + num(x1) + "," + num(y1 - dy) + " C" + num(x1) + "," + num((y1 + y2) / 2) + " " + num(x2) + "," +
          num((y1 + y2) / 2) + " " + num(x2) + "," + num(y2 + dy);
    }
    o += "<path class=\"edge e-" + cls + "\" d=\"" + d + "\"" +
         (arrow ? " marker-end=\"url(#" + vid + "-arrow-" + cls + ")\"" : std::string()) + "><title>" + html(title) +
         "</title></path>\n";
  };
  for (const auto& e : p.edges) {
    const std::string cls = edgeKindClass(in.spec, e.kind);
    edge(e.from, e.to, cls,
         edgeKindText(in.spec, e.kind) + ": " + p.events[e.from].brief() + " -> " + p.events[e.to].brief(), true);
  }
  for (const auto& [a, b] : p.unordered) {
    // A dashed arc above the two events: nothing orders them.
    const double x1 = cx(a), y1 = cy(a), x2 = cx(b), y2 = cy(b);
    const double bend = std::min(y1, y2) - 22;
    o += "<path class=\"e-unordered\" d=\"M" + num(x1) + "," + num(y1) + " C" + num(x1) + "," + num(bend) + " " +
         num(x2) + "," + num(bend) + " " + num(x2) + "," + num(y2) + "\"><title>" +
         html("nothing orders " + p.events[a].brief() + " and " + p.events[b].brief()) + "</title></path>\n";
  }
  for (size_t s = 1; s < p.witness.size(); ++s)
    edge(p.witness[s - 1], p.witness[s], "witness",
         "witness step " + std::to_string(s) + " -> " + std::to_string(s + 1), true);
  std::vector<size_t> step(p.events.size(), 0);
  for (size_t s = 0; s < p.witness.size(); ++s) step[p.witness[s]] = s + 1;
  for (size_t i = 0; i < p.events.size(); ++i) {
    const EventRef& e = p.events[i];
    bool pair = false;
    for (const auto& [a, b] : p.unordered) pair |= a == i || b == i;
    std::string cls = "ev";
    if (i == p.culprit)
      cls += " culprit";
    else if (i == p.anchor)
      cls += " culprit anchor";
    if (pair) cls += " pair";
    o += "<g class=\"" + cls + "\" data-ev=\"" + vid + "-" + std::to_string(e.seq) + "\"><circle cx=\"" + num(cx(i)) +
         "\" cy=\"" + num(cy(i)) + "\" r=\"8\"/><text x=\"" + num(cx(i) - colW / 2 + 4) + "\" y=\"" + num(cy(i) + 22) +
         "\">" + html(clip(e.name, 16)) + "</text>";
    if (step[i])
      o += "<text class=\"step\" x=\"" + num(cx(i) + 10) + "\" y=\"" + num(cy(i) - 8) + "\">w" +
           std::to_string(step[i]) + "</text>";
    o += "<title>" + html(e.brief() + "\n" + e.threadLabel + "\n" + e.file + ":" + std::to_string(e.line)) +
         "</title></g>\n";
  }
  o += "</svg>";
  return o;
}

std::string paramsText(const std::vector<std::pair<std::string, std::string>>& params) {
  std::string s;
  for (const auto& [k, v] : params) s += (s.empty() ? "" : ", ") + k + "=" + v;
  return s;
}

void violationSection(std::string& o, const ReportInput& in, const Violation& v, const std::string& vid) {
  const Rule& r = in.spec.rules[v.rule];
  const Picture p = pictureOf(v);
  const std::string kind = kindName(v.kind);
  o += "<section class=\"violation " + kind + "\" id=\"" + vid + "\" data-rule=\"" + html(r.id) + "\" data-kind=\"" +
       kind + "\">\n<h3><span class=\"kind-" + kind + "\">" +
       (v.kind == ViolationKind::Observed ? "OBSERVED" : "PREDICTED") + "</span> violation of <code>" + html(r.id) +
       "</code> " + locLink(r.file, r.line, "spec-loc") + "</h3>\n";
  o += "<dl class=\"facts\">";
  if (!r.says.empty()) o += "<dt>rule</dt><dd class=\"says\">" + html(r.says) + "</dd>";
  if (!r.cite.empty()) o += "<dt>cite</dt><dd class=\"cite\">" + html(r.cite) + "</dd>";
  if (!v.params.empty()) o += "<dt>for</dt><dd class=\"mono\">" + html(paramsText(v.params)) + "</dd>";
  o += "<dt>what</dt><dd class=\"what\">" + html(v.message) + "</dd>";
  if (v.culprit)
    o += "<dt>at</dt><dd class=\"mono\">" + locLink(v.culprit->file, v.culprit->line, "trace-loc") + " " +
         html(v.culprit->brief()) + " [" + html(v.culprit->threadLabel) + "]</dd>";
  else
    o += "<dt>at</dt><dd>the end of the trace</dd>";
  o += "</dl>\n";
  if (!r.text.empty())
    o += "<details class=\"rule-text\"><summary>the rule, " + html(r.file + ":" + std::to_string(r.line)) +
         "</summary><pre>" + html(r.text) + "</pre></details>\n";
  if (!p.events.empty()) {
    o += "<div class=\"lanes\">" + lanesSvg(in, p, vid) + "</div>\n" + kLegend;
  }
  // What synchronises (the edges between threads, by kind) and what does not (the pairs).
  std::string syncs;
  for (const auto& e : p.edges) {
    if (e.kind.kind == EdgeKind::ProgramOrder) continue;
    const std::string cls = edgeKindClass(in.spec, e.kind);
    std::string what = html(edgeKindText(in.spec, e.kind));
    if (e.kind.kind == EdgeKind::Sync && e.kind.sync < in.spec.syncs.size()) {
      const SyncRule& s = in.spec.syncs[e.kind.sync];
      what = html(cls) + " sync " + locLink(syncFileShown(s), s.line, "sync-loc");
    }
    syncs += "<li class=\"edge " + cls + "\"><span class=\"swatch sw-" + cls + "\"></span><code>" +
             html(p.events[e.from].brief()) + "</code> &rarr; <code>" + html(p.events[e.to].brief()) +
             "</code>: " + what + "</li>\n";
  }
  for (const auto& [a, b] : p.unordered)
    syncs += "<li class=\"unordered\"><span class=\"swatch sw-unordered\"></span>nothing orders <code>" +
             html(p.events[a].brief()) + "</code> (" + locLink(p.events[a].file, p.events[a].line, "trace-loc") +
             ") and <code>" + html(p.events[b].brief()) + "</code> (" +
             locLink(p.events[b].file, p.events[b].line, "trace-loc") + ")</li>\n";
  if (!syncs.empty()) o += "<h4>What synchronises, and what does not</h4>\n<ul class=\"sync\">\n" + syncs + "</ul>\n";
  // The witness (predicted) or the recorded events (observed), one column per thread.
  std::vector<size_t> rows = p.witness;
  std::string heading = "Witness: a possible order of this run that breaks the rule";
  if (v.kind == ViolationKind::Predicted && v.witnessOmitted)
    heading +=
        " (after " + std::to_string(v.witnessOmitted) +
        (v.witnessOmittedRecorded ? " events as recorded)" : " earlier events, in an order happens-before allows)");
  if (rows.empty()) {
    heading = "As recorded";
    for (size_t i = 0; i < p.events.size(); ++i) rows.push_back(i);
  }
  if (!rows.empty()) {
    o += "<h4>" + html(heading) + "</h4>\n<table class=\"witness\"><tr><th>step</th><th>where</th>";
    for (size_t l = 0; l < p.threads.size(); ++l) {
      std::string label;
      for (const auto& e : p.events)
        if (e.thread == p.threads[l]) {
          label = e.threadLabel;
          break;
        }
      o += "<th>" + html(label) + "</th>";
    }
    o += "</tr>\n";
    for (size_t s = 0; s < rows.size(); ++s) {
      const size_t i = rows[s];
      const EventRef& e = p.events[i];
      o += "<tr class=\"step" + std::string(i == p.culprit ? " culprit" : "") + "\" data-step=\"" +
           std::to_string(s + 1) + "\" data-ev=\"" + vid + "-" + std::to_string(e.seq) + "\"><td>" +
           std::to_string(s + 1) + "</td><td>" + locLink(e.file, e.line, "trace-loc") + "</td>";
      for (size_t l = 0; l < p.threads.size(); ++l)
        o += "<td class=\"cell\">" +
             (l == p.lane(i) ? std::string(i == p.culprit ? "&rArr; " : "") + html(e.brief()) : std::string()) +
             "</td>";
      o += "</tr>\n";
    }
    o += "</table>\n";
  }
  o += "</section>\n";
}

void runSection(std::string& o, const ReportInput& in, size_t run, bool several) {
  const std::string rid = "r" + std::to_string(run);
  o += "<section class=\"run\" id=\"" + rid + "\">\n";
  std::string traces;
  for (const auto& t : in.traces) traces += (traces.empty() ? "" : ", ") + t;
  if (several) o += "<h2>" + html(traces.empty() ? std::string("run") : traces) + "</h2>\n";
  if (in.failed) {
    o += "<p class=\"summary verdict-bad\">NO VERDICT: the inputs could not be used (exit 2)</p>\n";
    if (in.diags) o += "<pre class=\"diagnostics\">" + html(renderAll(*in.diags, false)) + "</pre>\n";
    o += "</section>\n";
    return;
  }
  // The summary line is the text report's, word for word.
  ReportInput plain = in;
  plain.color = false;
  plain.verbose = false;
  std::string text = textReport(plain);
  if (!text.empty() && text.back() == '\n') text.pop_back();
  std::string summary = text.substr(text.rfind('\n') + 1);
  o += "<p class=\"summary " + std::string(in.result.violations.empty() ? "verdict-ok" : "verdict-bad") + "\">" +
       html(summary) + "</p>\n";
  if (in.noVerdict && in.diags) o += "<pre class=\"diagnostics\">" + html(renderAll(*in.diags, false)) + "</pre>\n";
  const auto& res = in.result;
  // The overview of the run, drawn by the script from the data below it.
  if (in.overview && !in.overview->lanes.empty()) {
    const RunOverview& ov = *in.overview;
    nlohmann::ordered_json d;
    d["events"] = ov.events;
    d["bucketEvents"] = ov.bucketEvents;
    d["lanes"] = ov.lanes;
    d["counts"] = ov.counts;
    int64_t ts0 = 0;
    bool any = false;
    for (size_t b = 0; b < ov.bucketTs.size() && !any; ++b)
      if (ov.bucketHasTs[b]) {
        ts0 = ov.bucketTs[b];
        any = true;
      }
    d["ts0"] = ts0;
    d["ts"] = ov.bucketTs;
    d["hasTs"] = ov.bucketHasTs;
    auto marks = nlohmann::ordered_json::array();
    for (size_t k = 0; k < res.violations.size(); ++k) {
      const Violation& v = res.violations[k];
      uint64_t seq = v.culprit ? v.culprit->seq : (ov.events ? ov.events - 1 : 0);
      size_t lane = 0;
      if (v.culprit) {
        auto it = std::find(ov.laneThreads.begin(), ov.laneThreads.end(), v.culprit->thread);
        lane =
            it == ov.laneThreads.end() ? ov.laneThreads.size() - 1 : static_cast<size_t>(it - ov.laneThreads.begin());
      }
      marks.push_back({{"id", rid + "-v" + std::to_string(k)},
                       {"rule", in.spec.rules[v.rule].id},
                       {"kind", kindName(v.kind)},
                       {"seq", seq},
                       {"lane", lane}});
    }
    d["marks"] = marks;
    o += "<h2>The run</h2>\n<div class=\"overview\" data-for=\"" + rid + "-data\"><canvas width=\"600\" height=\"" +
         std::to_string(8 + 16 * ov.lanes.size()) + "\"></canvas><div class=\"axis\"></div></div>\n";
    o += "<p class=\"legend\">" + std::to_string(ov.events) + " events on " + std::to_string(ov.lanes.size()) +
         (ov.lanes.size() == 1 ? " lane" : " lanes") +
         " over the recorded order (darker: more events); a tick per violation (click: go to it).</p>\n";
    o += "<script type=\"application/json\" id=\"" + rid + "-data\">" + jsonData(d) + "</script>\n";
  }
  if (!res.violations.empty()) {
    o += "<h2>Violations</h2>\n<nav><ol>\n";
    for (size_t k = 0; k < res.violations.size(); ++k) {
      const Violation& v = res.violations[k];
      const Rule& r = in.spec.rules[v.rule];
      o += "<li><a href=\"#" + rid + "-v" + std::to_string(k) + "\">" + kindName(v.kind) + " violation of " +
           html(r.id) + "</a>" +
           (v.culprit ? " at " + html(v.culprit->file + ":" + std::to_string(v.culprit->line)) : std::string()) +
           "</li>\n";
    }
    o += "</ol></nav>\n";
  }
  for (size_t k = 0; k < res.violations.size() && k < kMaxDrawn; ++k)
    violationSection(o, in, res.violations[k], rid + "-v" + std::to_string(k));
  if (res.violations.size() > kMaxDrawn) {
    o += "<h4>" + std::to_string(res.violations.size() - kMaxDrawn) + " more violations (drawn: the first " +
         std::to_string(kMaxDrawn) +
         "; the text and JSON reports have every one in full)</h4>\n<table class=\"list\">\n";
    for (size_t k = kMaxDrawn; k < res.violations.size(); ++k) {
      const Violation& v = res.violations[k];
      o += "<tr id=\"" + rid + "-v" + std::to_string(k) + "\"><td>" + kindName(v.kind) + "</td><td><code>" +
           html(in.spec.rules[v.rule].id) + "</code></td><td>" +
           (v.culprit ? locLink(v.culprit->file, v.culprit->line, "trace-loc") : std::string("end of trace")) +
           "</td><td>" + html(v.message) + "</td></tr>\n";
    }
    o += "</table>\n";
  }
  // What else the text report says: inconclusive instances, rules not exercised, known ones.
  std::string rest;
  for (const auto& ic : res.inconclusive)
    rest += "<li>INCONCLUSIVE prediction for <code>" + html(in.spec.rules[ic.rule].id) + "</code>" +
            (ic.params.empty() ? std::string() : " (" + html(paramsText(ic.params)) + ")") + ": " + html(ic.why) +
            "</li>\n";
  for (size_t i = 0; i < in.spec.rules.size(); ++i) {
    if (res.verdict(i) != RuleVerdict::NotExercised) continue;
    const Rule& r = in.spec.rules[i];
    rest += "<li>NOT EXERCISED <code>" + html(r.id) + "</code> " + locLink(r.file, r.line, "spec-loc") + ": " +
            html(res.ruleStats[i].notExercisedWhy) + "</li>\n";
  }
  for (const auto& v : knownViolations(in))
    rest += "<li>KNOWN (baseline) <code>" + html(in.spec.rules[v.rule].id) + "</code>" +
            (v.culprit ? " at " + locLink(v.culprit->file, v.culprit->line, "trace-loc") : std::string()) + "</li>\n";
  if (!rest.empty()) o += "<h2>Other verdicts</h2>\n<ul class=\"other\">\n" + rest + "</ul>\n";
  o += "<h2>Inputs</h2>\n<ul class=\"inputs\">\n";
  for (const auto& s : res.sources) o += "<li>read " + html(sourceText(s)) + "</li>\n";
  for (const auto& f : in.spec.files) o += "<li>spec " + locLink(f, 0, "spec-loc") + "</li>\n";
  for (const auto& f : res.syncFiles) o += "<li>sync " + locLink(f, 0, "sync-loc") + "</li>\n";
  o += "</ul>\n</section>\n";
}

}  // namespace

std::string htmlReport(const std::vector<ReportInput>& runs) {
  size_t violations = 0;
  for (const auto& r : runs) violations += r.failed ? 0 : r.result.violations.size();
  std::string o;
  o += "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n"
       "<meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; style-src 'unsafe-inline'; "
       "script-src 'unsafe-inline'; img-src data:\">\n"
       "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n<title>vconform: ";
  o += std::to_string(violations) + (violations == 1 ? " violation" : " violations") + "</title>\n<style>";
  o += kStyle;
  o += "</style>\n</head>\n<body>\n<h1>vconform report</h1>\n";
  for (size_t i = 0; i < runs.size(); ++i) runSection(o, runs[i], i, runs.size() > 1);
  o += "<footer class=\"legend\">" + html(std::string("vconform ") + versionString()) +
       ". Links open the trace and spec files relative to the folder the check ran in.</footer>\n"
       "<div id=\"tip\"></div>\n<script>";
  o += kScript;
  o += "</script>\n</body>\n</html>\n";
  return o;
}

}  // namespace vc
