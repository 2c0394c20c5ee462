#include "trace/text-reader.h"

#include <unistd.h>

#include <cerrno>
#include <cstring>

namespace vc {

namespace {
constexpr size_t kChunk = 1 << 20;
}

TextTraceReader::TextTraceReader(int fd, std::shared_ptr<const MapFile> map, uint32_t source, TraceTables& tables,
                                 Diagnostics& diags, size_t maxLineBytes)
    : fd_(fd), mapper_(std::move(map), tables), source_(source), tables_(tables), diags_(diags),
      maxLine_(maxLineBytes) {
  buf_.resize(2 * kChunk);
}

TextTraceReader::~TextTraceReader() {
  if (fd_ > 2) ::close(fd_);
}

// Makes room and reads more; false at the end of the input.
bool TextTraceReader::fill() {
  if (eof_) return false;
  if (begin_ > 0) {
    std::memmove(buf_.data(), buf_.data() + begin_, end_ - begin_);
    end_ -= begin_;
    begin_ = 0;
  }
  if (buf_.size() - end_ < kChunk / 2) buf_.resize(buf_.size() * 2);
  for (;;) {
    ssize_t n = ::read(fd_, buf_.data() + end_, buf_.size() - end_);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) {
      diags_.error("trace-read", Location{tables_.sources.at(source_).path, 0, 0},
                   std::string("read error: ") + std::strerror(errno));
      eof_ = true;
      return false;
    }
    if (n == 0) { eof_ = true; return false; }
    end_ += static_cast<size_t>(n);
    return true;
  }
}

bool TextTraceReader::next(Event& ev) {
  if (stopped_) return false;
  const std::string& path = tables_.sources.at(source_).path;
  for (;;) {
    char* nl = static_cast<char*>(std::memchr(buf_.data() + begin_, '\n', end_ - begin_));
    if (!nl) {
      if (end_ - begin_ > maxLine_) {
        // Too long to hold: drop what we have and skip to the next newline.
        if (!skipping_) {
          ++stats_.tooLong;
          diags_.warning("trace-line-too-long", Location{path, stats_.lines + 1, 0},
                         "line longer than " + std::to_string(maxLine_ >> 20) + " MiB skipped");
        }
        skipping_ = true;
        begin_ = end_;
      }
      if (fill()) continue;
      if (begin_ == end_) {
        if (stats_.lines > 0 && stats_.events == 0 && stats_.bad == 0)
          diags_.warning("trace-no-events", Location{path, 0, 0},
                         "no line of this file matched the map '" + mapper_.file().format + "'",
                         "check --input-format, or add patterns to " + mapper_.file().path);
        stopped_ = true;
        return false;
      }
      nl = buf_.data() + end_;  // last line without a newline
    }
    char* p = buf_.data() + begin_;
    size_t n = static_cast<size_t>(nl - p);
    begin_ = std::min(end_, static_cast<size_t>(nl - buf_.data()) + 1);
    uint64_t ln = ++stats_.lines;
    if (skipping_) { skipping_ = false; continue; }
    if (n && p[n - 1] == '\r') --n;
    if (n == 0) continue;
    std::string_view line(p, n);
    size_t bom = 0;
    if (ln == 1 && line.starts_with("\xEF\xBB\xBF")) {  // a UTF-8 byte order mark is not part of the line
      bom = 3;
      line.remove_prefix(3);
      if (line.empty()) continue;
    }
    FieldError fe;
    int r = mapper_.map(line, source_, ev, fe);
    fe.column += bom;
    if (r > 0) {
      ev.origin.line = ln;
      ++stats_.events;
      return true;
    }
    if (r == 0) { ++stats_.unmatched; continue; }
    ++stats_.bad;
    auto& d = diags_.error("trace-text", Location{path, ln, static_cast<uint32_t>(std::min<size_t>(fe.column, 1u << 30) + 1)},
                           fe.message, "the line matched a pattern of map '" + mapper_.file().format + "' (" +
                                           mapper_.file().path + ")");
    d.snippet.assign(std::string_view(p, n).substr(0, 400));
    d.span = static_cast<uint32_t>(std::min<size_t>(fe.width, 200));
    if (diags_.errorCount() > 1000) { stopped_ = true; return false; }
  }
}

}  // namespace vc
