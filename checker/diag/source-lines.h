// The lines of a text, indexed once: a diagnostic's snippet costs O(1) however many there are
// (rescanning the text from the start for each one made bad inputs quadratic).
#pragma once

#include <cstdint>
#include <string_view>
#include <vector>

namespace vc {

class SourceLines {
 public:
  explicit SourceLines(std::string_view text);
  // Line `n` (1-based) without its "\n" or a "\r" before it; empty past the end.
  std::string_view line(uint64_t n) const;
  // Number of lines (a last line without "\n" counts; an empty text has none).
  uint64_t count() const { return starts_.size() - 1; }

 private:
  std::string_view text_;
  std::vector<size_t> starts_;  // start offset of each line, then where a next one would start
};

}  // namespace vc
