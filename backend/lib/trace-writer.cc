#include "trace-writer.h"

#include <pthread.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

#include <cinttypes>

namespace vc::backend {

namespace {
thread_local int64_t t_tid = 0;
thread_local std::string t_name;
constexpr size_t kFlushThreshold = 1 << 16;
}  // namespace

int64_t currentTid() {
  if (t_tid == 0) t_tid = static_cast<int64_t>(::syscall(SYS_gettid));
  return t_tid;
}

void setCurrentThreadName(std::string name) {
  // Also the kernel's thread name (15 chars), which LTTng records as the procname context.
  ::pthread_setname_np(::pthread_self(), name.substr(0, 15).c_str());
  t_name = std::move(name);
}
const std::string& currentThreadName() { return t_name; }

int64_t realtimeNs() {
  timespec ts{};
  ::clock_gettime(CLOCK_REALTIME, &ts);
  return static_cast<int64_t>(ts.tv_sec) * 1000000000 + ts.tv_nsec;
}

void appendJsonString(std::string* out, std::string_view s) {
  static const char kHex[] = "0123456789abcdef";
  out->push_back('"');
  for (unsigned char c : s) {
    switch (c) {
      case '"':
        out->append("\\\"");
        break;
      case '\\':
        out->append("\\\\");
        break;
      case '\n':
        out->append("\\n");
        break;
      case '\r':
        out->append("\\r");
        break;
      case '\t':
        out->append("\\t");
        break;
      default:
        if (c < 0x20) {
          out->append("\\u00");
          out->push_back(kHex[c >> 4]);
          out->push_back(kHex[c & 0xf]);
        } else {
          out->push_back(static_cast<char>(c));
        }
    }
  }
  out->push_back('"');
}

TraceWriter::~TraceWriter() { close(); }

bool TraceWriter::open(const std::string& path, std::string* err) {
  std::lock_guard<std::mutex> lock(mu_);
  file_ = std::fopen(path.c_str(), "w");
  if (file_ == nullptr) {
    if (err) *err = "cannot open trace file " + path;
    return false;
  }
  // The metadata record (docs/trace-format.md): the recorder's name selects its sync file
  // (specs/sync/backend.sync), which says how this back-end's threads synchronise.
  buffer_ += "{\"meta\":{\"recorder\":\"backend\",\"clock\":\"realtime\"}}\n";
  return true;
}

void TraceWriter::formatLine(std::string* out, std::string_view name, int64_t ts, int64_t pid, int64_t tid,
                             std::string_view thread, std::initializer_list<TraceField> fields) {
  char num[32];
  out->append("{\"name\":");
  appendJsonString(out, name);
  std::snprintf(num, sizeof num, "%" PRId64, ts);
  out->append(",\"ts\":").append(num);
  std::snprintf(num, sizeof num, "%" PRId64, pid);
  out->append(",\"pid\":").append(num);
  std::snprintf(num, sizeof num, "%" PRId64, tid);
  out->append(",\"tid\":").append(num);
  if (!thread.empty()) {
    out->append(",\"thread\":");
    appendJsonString(out, thread);
  }
  out->append(",\"fields\":{");
  bool first = true;
  for (const TraceField& f : fields) {
    if (!first) out->push_back(',');
    first = false;
    appendJsonString(out, f.key);
    out->push_back(':');
    if (const auto* i = std::get_if<int64_t>(&f.value)) {
      std::snprintf(num, sizeof num, "%" PRId64, *i);
      out->append(num);
    } else if (const auto* u = std::get_if<uint64_t>(&f.value)) {
      std::snprintf(num, sizeof num, "%" PRIu64, *u);
      out->append(num);
    } else if (const auto* s = std::get_if<std::string_view>(&f.value)) {
      appendJsonString(out, *s);
    } else {
      out->append(std::get<bool>(f.value) ? "true" : "false");
    }
  }
  out->append("}}");
}

void TraceWriter::emit(std::string_view name, std::initializer_list<TraceField> fields) {
  if (file_ == nullptr) return;
  const int64_t tid = currentTid();
  static const int64_t pid = static_cast<int64_t>(::getpid());
  std::lock_guard<std::mutex> lock(mu_);
  if (file_ == nullptr) return;
  formatLine(&buffer_, name, realtimeNs(), pid, tid, currentThreadName(), fields);
  buffer_.push_back('\n');
  if (buffer_.size() >= kFlushThreshold) flushLocked();
}

void TraceWriter::flushLocked() {
  if (file_ == nullptr) return;
  if (!buffer_.empty()) {
    std::fwrite(buffer_.data(), 1, buffer_.size(), file_);
    buffer_.clear();
  }
  std::fflush(file_);
}

void TraceWriter::flush() {
  std::lock_guard<std::mutex> lock(mu_);
  flushLocked();
}

void TraceWriter::close() {
  std::lock_guard<std::mutex> lock(mu_);
  flushLocked();
  if (file_ != nullptr) {
    std::fclose(file_);
    file_ = nullptr;
  }
}

}  // namespace vc::backend
