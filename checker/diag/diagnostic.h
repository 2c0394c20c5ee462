// Diagnostics: errors and warnings caused by user input (specs, traces, flags) are values, never
// exceptions. The library collects them; only the CLI prints them.
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace vc {

enum class Severity : uint8_t { Note, Warning, Error };

// A 1-based position in a named input. line == 0 means "the whole file"; col == 0 means "the
// whole line".
struct Location {
  std::string file;
  uint64_t line = 0;
  uint32_t col = 0;
};

struct Diagnostic {
  Severity severity = Severity::Error;
  std::string code;  // stable kebab-case id, e.g. "spec-syntax", "trace-json"
  Location loc;
  std::string message;  // what is wrong
  std::string help;     // how to fix it (may be empty)
  std::string snippet;  // the offending source line, if known (without newline)
  uint32_t span = 1;    // caret width under the snippet

  // Keeps the start of `line` as the snippet: what render() shows of it (a one-line binary file
  // must not be copied whole into each of its diagnostics).
  void setSnippet(std::string_view line);
};

// An ordered collection of diagnostics. Ordering is by insertion; renderers may sort.
class Diagnostics {
 public:
  Diagnostic& error(std::string code, Location loc, std::string message, std::string help = {});
  Diagnostic& warning(std::string code, Location loc, std::string message, std::string help = {});
  Diagnostic& note(std::string code, Location loc, std::string message, std::string help = {});
  // Adds a diagnostic made elsewhere (another collection's takeAll()), counted and limited like
  // the others.
  void append(Diagnostic d);
  // Moves the stored diagnostics out (oldest first); the counts (errorCount(), the per-code
  // limit, suppressed()) keep them.
  std::vector<Diagnostic> takeAll() { return std::exchange(list_, {}); }

  bool hasErrors() const { return errors_ > 0; }
  size_t errorCount() const { return errors_; }
  const std::vector<Diagnostic>& all() const { return list_; }
  void clear() {
    list_.clear();
    perCode_.clear();
    errors_ = 0;
    suppressed_ = 0;
  }
  // Removes the diagnostics `pred` selects (kept in order; the error count follows).
  template <class Pred>
  void removeIf(Pred pred) {
    std::erase_if(list_, [&](const Diagnostic& d) {
      if (!pred(d)) return false;
      if (d.severity == Severity::Error) --errors_;
      return true;
    });
  }
  // Cap on stored diagnostics per code so a garbage input cannot exhaust memory; the excess is
  // counted and summarised by render().
  void setLimitPerCode(size_t n) { limit_ = n; }
  size_t suppressed() const { return suppressed_; }

 private:
  Diagnostic& add(Severity s, std::string code, Location loc, std::string message, std::string help);
  std::vector<Diagnostic> list_;
  std::map<std::string, size_t, std::less<>> perCode_;  // diagnostics seen per code, kept or not
  size_t errors_ = 0;
  size_t limit_ = 50;
  size_t suppressed_ = 0;
  Diagnostic sink_;
};

// rustc/lnav-like rendering:
//   file:line:col: error: message
//     12 | source line
//        |      ^^^
//     = help: how to fix
// Control characters in the file name, message, help and snippet are shown as \xNN: a path
// holding a newline cannot split its file:line:col, a binary input cannot garble a terminal.
// With `color`, ANSI colours for a terminal (severity, location, help).
std::string render(const Diagnostic& d, bool color = false);
std::string renderAll(const Diagnostics& ds, bool color = false);
const char* severityName(Severity s);  // "note", "warning", "error"
// `s` with control characters (and DEL) written as \xNN; tabs become a space if `tabsAsSpace`.
std::string escapeControl(std::string_view s, bool tabsAsSpace = false);

}  // namespace vc
