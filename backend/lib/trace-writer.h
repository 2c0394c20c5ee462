// JSON-lines trace writer (trace format v1, read by vconform):
//   {"name":"set_vring_enable","ts":<CLOCK_REALTIME ns>,"pid":P,"tid":T,"thread":"vu-socket",
//    "fields":{"vring":0,"enable":1}}
// One mutex-protected buffer: each event is formatted and appended whole while the lock is held,
// and its timestamp is taken under the same lock, so lines are atomic, timestamps never go
// backwards in file order, and each thread's program order is kept.
#pragma once

#include <cstdint>
#include <cstdio>
#include <initializer_list>
#include <mutex>
#include <string>
#include <string_view>
#include <type_traits>
#include <variant>

namespace vc::backend {

struct TraceField {
  using Value = std::variant<int64_t, uint64_t, std::string_view, bool>;
  std::string_view key;
  Value value;

  template <typename T>
  requires(std::is_integral_v<T> && !std::is_same_v<T, bool>) TraceField(std::string_view k, T v)
      : key(k), value(std::is_signed_v<T> ? Value(static_cast<int64_t>(v)) : Value(static_cast<uint64_t>(v))) {}
  TraceField(std::string_view k, std::string_view v) : key(k), value(v) {}
  TraceField(std::string_view k, const char* v) : key(k), value(std::string_view(v)) {}
  TraceField(std::string_view k, bool v) : key(k), value(v) {}
};

// Appends `s` to `out` as a JSON string literal (with quotes).
void appendJsonString(std::string* out, std::string_view s);

class TraceWriter {
 public:
  TraceWriter() = default;
  ~TraceWriter();
  TraceWriter(const TraceWriter&) = delete;
  TraceWriter& operator=(const TraceWriter&) = delete;

  // Opens (truncates) `path`. Returns false and fills `err` on failure.
  bool open(const std::string& path, std::string* err);
  bool isOpen() const { return file_ != nullptr; }

  void emit(std::string_view name, std::initializer_list<TraceField> fields);
  // Writes the buffer out and fflush()es the file.
  void flush();
  void close();

  // Formats one event line (without the newline); exposed for tests.
  static void formatLine(std::string* out, std::string_view name, int64_t ts, int64_t pid, int64_t tid,
                         std::string_view thread, std::initializer_list<TraceField> fields);

 private:
  void flushLocked();

  std::mutex mu_;
  std::FILE* file_ = nullptr;
  std::string buffer_;
};

// The calling thread's kernel thread id (gettid), cached per thread.
int64_t currentTid();
// A human name for the calling thread, recorded as "thread" in every event it emits.
void setCurrentThreadName(std::string name);
const std::string& currentThreadName();
// CLOCK_REALTIME in nanoseconds.
int64_t realtimeNs();

}  // namespace vc::backend
