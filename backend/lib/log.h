// Logger: the only way the back-end library prints anything.
#pragma once

#include <cstdio>
#include <functional>
#include <mutex>
#include <string>
#include <string_view>

namespace vc::backend {

enum class LogLevel { kDebug = 0, kInfo = 1, kWarn = 2, kError = 3 };

// A small thread-safe logger. By default it writes "vhost-user-rng: LEVEL: message" lines to
// stderr; tests install a sink to capture messages instead.
class Logger {
 public:
  using Sink = std::function<void(LogLevel, std::string_view)>;

  Logger() = default;
  explicit Logger(Sink sink) : sink_(std::move(sink)) {}

  void setLevel(LogLevel level) { level_ = level; }
  void setPrefix(std::string prefix) { prefix_ = std::move(prefix); }

  void log(LogLevel level, std::string_view message);
  void debug(std::string_view m) { log(LogLevel::kDebug, m); }
  void info(std::string_view m) { log(LogLevel::kInfo, m); }
  void warn(std::string_view m) { log(LogLevel::kWarn, m); }
  void error(std::string_view m) { log(LogLevel::kError, m); }

 private:
  std::mutex mu_;
  LogLevel level_ = LogLevel::kInfo;
  std::string prefix_ = "vhost-user";
  Sink sink_;
};

}  // namespace vc::backend
