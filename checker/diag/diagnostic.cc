#include "diag/diagnostic.h"

#include <map>

namespace vc {

Diagnostic& Diagnostics::add(Severity s, std::string code, Location loc, std::string message, std::string help) {
  if (s == Severity::Error) ++errors_;
  auto it = perCode_.find(code);
  if (it == perCode_.end()) it = perCode_.emplace(code, 0).first;
  if (it->second++ >= limit_) {
    ++suppressed_;
    sink_ = Diagnostic{};
    return sink_;
  }
  list_.push_back(Diagnostic{s, std::move(code), std::move(loc), std::move(message), std::move(help), {}, 1});
  return list_.back();
}

void Diagnostics::append(Diagnostic d) {
  Diagnostic& to = add(d.severity, std::move(d.code), std::move(d.loc), std::move(d.message), std::move(d.help));
  if (&to != &sink_) {
    to.snippet = std::move(d.snippet);
    to.span = d.span;
  }
}

Diagnostic& Diagnostics::error(std::string code, Location loc, std::string message, std::string help) {
  return add(Severity::Error, std::move(code), std::move(loc), std::move(message), std::move(help));
}
Diagnostic& Diagnostics::warning(std::string code, Location loc, std::string message, std::string help) {
  return add(Severity::Warning, std::move(code), std::move(loc), std::move(message), std::move(help));
}
Diagnostic& Diagnostics::note(std::string code, Location loc, std::string message, std::string help) {
  return add(Severity::Note, std::move(code), std::move(loc), std::move(message), std::move(help));
}

void Diagnostic::setSnippet(std::string_view line) {
  // render() shows 200 bytes and "..." when there are more.
  snippet.assign(line.substr(0, 256));
}

const char* severityName(Severity s) {
  switch (s) {
    case Severity::Note:
      return "note";
    case Severity::Warning:
      return "warning";
    case Severity::Error:
      return "error";
  }
  return "error";
}

std::string escapeControl(std::string_view s, bool tabsAsSpace) {
  std::string out;
  out.reserve(s.size());
  for (char ch : s) {
    unsigned char c = static_cast<unsigned char>(ch);
    if (c == '\t' && tabsAsSpace)
      out += ' ';
    else if (c < 0x20 || c == 0x7f) {
      static const char* hex = "0123456789abcdef";
      out += "\\x";
      out += hex[c >> 4];
      out += hex[c & 15];
    } else
      out += ch;
  }
  return out;
}

// A snippet: its first `max` bytes, printable.
static std::string printable(const std::string& s, size_t max = 200) {
  std::string out = escapeControl(std::string_view(s).substr(0, max), true);
  if (s.size() > max) out += "...";
  return out;
}

std::string render(const Diagnostic& d, bool color) {
  // SGR sequences: bold, then red / yellow / cyan for error / warning / note and help.
  const char* bold = color ? "\x1b[1m" : "";
  const char* reset = color ? "\x1b[0m" : "";
  const char* sev = !color                            ? ""
                    : d.severity == Severity::Error   ? "\x1b[1;31m"
                    : d.severity == Severity::Warning ? "\x1b[1;33m"
                                                      : "\x1b[1;36m";
  std::string out = bold;
  out += d.loc.file.empty() ? std::string("vconform") : escapeControl(d.loc.file);
  if (d.loc.line) {
    out += ':' + std::to_string(d.loc.line);
    if (d.loc.col) out += ':' + std::to_string(d.loc.col);
  }
  out += ": ";
  out += reset;
  out += sev;
  out += severityName(d.severity);
  out += reset;
  out += ": ";
  out += escapeControl(d.message);
  if (!d.code.empty()) out += " [" + d.code + "]";
  out += '\n';
  if (!d.snippet.empty() && d.loc.line) {
    std::string num = std::to_string(d.loc.line);
    std::string pad(num.size(), ' ');
    std::string text = printable(d.snippet);
    out += ' ' + num + " | " + text + '\n';
    if (d.loc.col && d.loc.col <= 201) {
      out += ' ' + pad + " | " + std::string(d.loc.col - 1, ' ') + std::string(d.span ? d.span : 1, '^') + '\n';
    }
  }
  if (!d.help.empty())
    out += std::string("  = ") + (color ? "\x1b[1;36mhelp\x1b[0m" : "help") + ": " + escapeControl(d.help) + '\n';
  return out;
}

std::string renderAll(const Diagnostics& ds, bool color) {
  std::string out;
  for (const auto& d : ds.all()) out += render(d, color);
  if (ds.suppressed())
    out += "vconform: note: " + std::to_string(ds.suppressed()) +
           " further diagnostics of the same kinds were not shown\n";
  return out;
}

}  // namespace vc
