#include "diag/source-lines.h"

#include <cstring>

namespace vc {

SourceLines::SourceLines(std::string_view text) : text_(text) {
  const char* p = text.data();
  const char* end = p + text.size();
  if (p != end) starts_.push_back(0);
  while (p != end) {
    const void* nl = std::memchr(p, '\n', static_cast<size_t>(end - p));
    if (!nl) break;
    p = static_cast<const char*>(nl) + 1;
    if (p != end) starts_.push_back(static_cast<size_t>(p - text.data()));
  }
  // Where the line after the last one would start: just past its '\n', or past a virtual one.
  starts_.push_back(text.size() + (text.empty() || text.back() != '\n' ? 1 : 0));
}

std::string_view SourceLines::line(uint64_t n) const {
  if (n == 0 || n > count()) return {};
  size_t b = starts_[n - 1];
  size_t e = starts_[n] - 1;  // the '\n', or the end of a last line without one
  std::string_view s = text_.substr(b, e - b);
  if (!s.empty() && s.back() == '\r') s.remove_suffix(1);
  return s;
}

}  // namespace vc
