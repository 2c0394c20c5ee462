#include "log.h"

namespace vc::backend {

namespace {
const char* levelName(LogLevel level) {
  switch (level) {
    case LogLevel::kDebug:
      return "debug";
    case LogLevel::kInfo:
      return "info";
    case LogLevel::kWarn:
      return "warning";
    case LogLevel::kError:
      return "error";
  }
  return "?";
}
}  // namespace

void Logger::log(LogLevel level, std::string_view message) {
  if (level < level_) return;
  std::lock_guard<std::mutex> lock(mu_);
  if (sink_) {
    sink_(level, message);
    return;
  }
  std::fprintf(stderr, "%s: %s: %.*s\n", prefix_.c_str(), levelName(level), static_cast<int>(message.size()),
               message.data());
}

}  // namespace vc::backend
