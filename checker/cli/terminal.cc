#include "cli/terminal.h"

#include <sys/stat.h>
#include <unistd.h>

#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <string>

namespace vc::cli {

namespace {

bool wantsColor(const std::string& mode, int fd) {
  if (mode == "always") return true;
  if (mode == "never") return false;
  if (const char* nc = std::getenv("NO_COLOR"); nc && *nc) return false;  // https://no-color.org
  if (const char* term = std::getenv("TERM"); term && std::strcmp(term, "dumb") == 0) return false;
  return ::isatty(fd) == 1;
}

// Bytes this process has read so far (read(2) and friends; mmap'd CTF streams are not counted).
uint64_t bytesRead() {
  std::ifstream io("/proc/self/io");
  std::string key;
  uint64_t value = 0;
  while (io >> key >> value)
    if (key == "rchar:") return value;
  return 0;
}

std::string withCommas(uint64_t n) {
  // Built forwards: GCC 12's -Wrestrict misfires on string::insert here.
  const std::string digits = std::to_string(n);
  std::string out;
  for (size_t i = 0; i < digits.size(); ++i) {
    if (i && (digits.size() - i) % 3 == 0) out += ',';
    out += digits[i];
  }
  return out;
}

std::string mib(uint64_t bytes) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.1f", static_cast<double>(bytes) / (1024.0 * 1024.0));
  return buf;
}

std::string duration(double s) {
  auto t = static_cast<uint64_t>(std::llround(s));
  char buf[32];
  if (t >= 3600)
    std::snprintf(buf, sizeof buf, "%llu:%02llu:%02llu", static_cast<unsigned long long>(t / 3600),
                  static_cast<unsigned long long>(t / 60 % 60), static_cast<unsigned long long>(t % 60));
  else
    std::snprintf(buf, sizeof buf, "%llu:%02llu", static_cast<unsigned long long>(t / 60),
                  static_cast<unsigned long long>(t % 60));
  return buf;
}

}  // namespace

Terminal::Terminal(const std::string& colorMode, bool quiet) {
  colorOut_ = wantsColor(colorMode, STDOUT_FILENO);
  colorErr_ = wantsColor(colorMode, STDERR_FILENO);
  progress_ = !quiet && ::isatty(STDERR_FILENO) == 1;
  if (const char* e = std::getenv("VCONFORM_PROGRESS_AFTER_MS"); e && *e) afterMs_ = std::strtoull(e, nullptr, 10);
}

void Terminal::startProgress(const std::vector<std::string>& traces) {
  start_ = std::chrono::steady_clock::now();
  lastDraw_ = start_;
  bytes0_ = bytesRead();
  totalKnown_ = !traces.empty();
  for (const auto& t : traces) {
    struct stat st {};
    if (t == "-" || ::stat(t.c_str(), &st) != 0 || !S_ISREG(st.st_mode))
      totalKnown_ = false;
    else
      total_ += static_cast<uint64_t>(st.st_size);
  }
}

void Terminal::progress(const Progress& p) {
  if (!progress_) return;
  auto now = std::chrono::steady_clock::now();
  double elapsed = std::chrono::duration<double>(now - start_).count();
  if (p.events) events_ = p.events;
  if (elapsed * 1000.0 < static_cast<double>(afterMs_)) return;
  if (drawn_ && std::chrono::duration<double>(now - lastDraw_).count() < 0.2) return;
  lastDraw_ = now;
  std::string line = "vconform: ";
  if (std::strcmp(p.phase, "reading") == 0) {
    uint64_t bytes = bytesRead() - bytes0_;
    line += "reading: " + withCommas(events_) + " events (" +
            withCommas(static_cast<uint64_t>(static_cast<double>(events_) / elapsed)) + "/s)";
    if (totalKnown_ && total_) {
      uint64_t done = std::min(bytes, total_);
      double rate = static_cast<double>(done) / elapsed;
      line += ", " + mib(done) + " of " + mib(total_) + " MiB (" + std::to_string(done * 100 / total_) + "%), " +
              mib(static_cast<uint64_t>(rate)) + " MiB/s";
      if (rate > 0 && done < total_) line += ", ETA " + duration(static_cast<double>(total_ - done) / rate);
    } else if (bytes) {
      line += ", " + mib(bytes) + " MiB";
    }
  } else {
    line += std::string(p.phase) + ": " + withCommas(p.done) + " of " + withCommas(p.total) + ", " +
            withCommas(events_) + " events read, " + duration(elapsed) + " so far";
  }
  std::string out = "\r\x1b[K" + line;
  std::fwrite(out.data(), 1, out.size(), stderr);
  std::fflush(stderr);
  drawn_ = true;
}

void Terminal::endProgress() {
  if (!drawn_) return;
  std::fputs("\r\x1b[K", stderr);
  std::fflush(stderr);
  drawn_ = false;
}

}  // namespace vc::cli
