#include "app/flags.h"

#include <charconv>
#include <string>

namespace vc {

namespace {

bool allDigits(std::string_view s) {
  if (s.empty()) return false;
  for (char c : s)
    if (c < '0' || c > '9') return false;
  return true;
}

}  // namespace

bool parseCountFlag(std::string_view flag, std::string_view text, uint64_t min, uint64_t max, uint64_t& out,
                    Diagnostics& diags, std::string_view help) {
  uint64_t v = 0;
  bool ok = allDigits(text);
  if (ok) {
    auto [p, ec] = std::from_chars(text.data(), text.data() + text.size(), v);
    ok = ec == std::errc() && p == text.data() + text.size() && v >= min && v <= max;
  }
  if (!ok) {
    diags.error("flag-" + std::string(flag.substr(flag.find_first_not_of('-'))), Location{},
                std::string(flag) + " takes a whole number from " + std::to_string(min) + " to " + std::to_string(max) +
                    ", not '" + std::string(text) + "'",
                std::string(help));
    return false;
  }
  out = v;
  return true;
}

bool parseInt64(std::string_view text, int64_t& out) {
  if (!text.empty() && text[0] == '+') {
    text.remove_prefix(1);
    if (!allDigits(text)) return false;
  }
  std::string_view digits = !text.empty() && text[0] == '-' ? text.substr(1) : text;
  if (!allDigits(digits)) return false;
  int64_t v = 0;
  auto [p, ec] = std::from_chars(text.data(), text.data() + text.size(), v);
  if (ec != std::errc() || p != text.data() + text.size()) return false;
  out = v;
  return true;
}

}  // namespace vc
