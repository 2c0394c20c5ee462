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

  void SetLevel(LogLevel level) { level_ = level; }
  void SetPrefix(std::string prefix) { prefix_ = std::move(prefix); }

  void Log(LogLevel level, std::string_view message);
  void Debug(std::string_view m) { Log(LogLevel::kDebug, m); }
  void Info(std::string_view m) { Log(LogLevel::kInfo, m); }
  void Warn(std::string_view m) { Log(LogLevel::kWarn, m); }
  void Error(std::string_view m) { Log(LogLevel::kError, m); }

 private:
  std::mutex mu_;
  LogLevel level_ = LogLevel::kInfo;
  std::string prefix_ = "vhost-user";
  Sink sink_;
};

}  // namespace vc::backend
