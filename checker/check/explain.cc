#include "check/explain.h"

#include <cstdio>

namespace vc {

std::vector<std::pair<std::string, std::string>> paramText(const Rule& r, const std::vector<Value>& params) {
  std::vector<std::pair<std::string, std::string>> out;
  for (size_t i = 0; i < params.size() && i < r.params.size(); ++i) out.emplace_back(r.params[i], params[i].toString());
  return out;
}

std::string formatDuration(int64_t ns) {
  char buf[64];
  auto fmt = [&](double v, const char* unit) {
    if (v == static_cast<double>(static_cast<int64_t>(v)))
      std::snprintf(buf, sizeof buf, "%lld %s", static_cast<long long>(v), unit);
    else
      std::snprintf(buf, sizeof buf, "%.3f %s", v, unit);
    return std::string(buf);
  };
  uint64_t a = ns < 0 ? 0 - static_cast<uint64_t>(ns) : static_cast<uint64_t>(ns);  // INT64_MIN too
  if (a >= 1000000000) return fmt(static_cast<double>(ns) / 1e9, "s");
  if (a >= 1000000) return fmt(static_cast<double>(ns) / 1e6, "ms");
  if (a >= 1000) return fmt(static_cast<double>(ns) / 1e3, "us");
  return fmt(static_cast<double>(ns), "ns");
}

namespace {

std::string ordinal(int64_t k) {
  std::string suf = "th";
  if (k % 100 < 11 || k % 100 > 13) {
    if (k % 10 == 1)
      suf = "st";
    else if (k % 10 == 2)
      suf = "nd";
    else if (k % 10 == 3)
      suf = "rd";
  }
  return std::to_string(k) + suf;
}

std::string side(const std::vector<Matcher>& ms) {
  std::string s;
  for (const auto& m : ms) s += (s.empty() ? "" : " | ") + m.text;
  return s;
}

}  // namespace

std::string explain(const Rule& r, const Verdict& v, const EventRef* culprit, const EventRef* anchor) {
  const std::string L = side(r.roles[0]), R = side(r.roles[1]);
  std::string scope;
  switch (r.scope) {
    case ScopeKind::Globally:
      break;
    case ScopeKind::Before:
      scope = " before " + side(r.roles[3]);
      break;
    case ScopeKind::After:
      scope = " after " + side(r.roles[2]);
      break;
    case ScopeKind::Between:
      scope = " between " + side(r.roles[2]) + " and " + side(r.roles[3]);
      break;
    case ScopeKind::AfterUntil:
      scope = " after " + side(r.roles[2]) + " until " + side(r.roles[3]);
      break;
  }
  const std::string c = culprit ? culprit->brief() : std::string("an event");
  const std::string a = anchor ? anchor->brief() : std::string("an earlier event");
  const bool strict = r.rel == RelKind::Precedes || r.rel == RelKind::Alternates;
  switch (v.reason) {
    case Reason::None:
      return "holds";
    case Reason::Occurred:
      return c + " occurred" + scope + ", where " + L + " must never occur";
    case Reason::Missing:
      return "no " + L + " occurred" + scope;
    case Reason::TooMany:
      return c + " is occurrence " + std::to_string(v.detail) + " of " + L + scope + "; at most " +
             std::to_string(r.count) + " are allowed";
    case Reason::NoEarlier:
      return c + " occurred" + scope + " with no " + L + " before it";
    case Reason::NoResponse:
      return a + " was never followed by " + R + scope;
    case Reason::TooLate:
      return c + " came " + (v.detail == INT64_MAX ? "more than " : "") + formatDuration(v.detail) + " after " + a +
             "; " + R + " must follow within " + formatDuration(*r.withinNs);
    case Reason::OutsideState:
      return c + " occurred while state " + r.stateName + " was not open" + scope;
    case Reason::CountAhead:
      return c + " is the " + ordinal(v.detail) + " " + R + ", but the " + ordinal(v.detail) + " " + L +
             (strict ? " had not occurred strictly before it" : " had not occurred before it or at its instant") +
             scope;
    case Reason::AlternationLost:
      return c + " is the " + ordinal(v.detail) + " " + L + ", but the " + ordinal(v.detail - 1) + " " + R +
             " had not occurred strictly before it" + scope;
    case Reason::SameInstant:
      return c + " and " + a + " occurred at the same instant" + scope;
    case Reason::NotCoincident:
      if (r.rel == RelKind::Subclock) return c + " occurred at an instant without " + R + scope;
      return c + " occurred at an instant without " + (v.detail ? L : R) + scope;
  }
  return "broken";
}

}  // namespace vc
