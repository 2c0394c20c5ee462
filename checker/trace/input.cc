#include "trace/input.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>
#include <zlib.h>
#include <zstd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>

namespace vc {

const char* compressionName(Compression c) {
  switch (c) {
    case Compression::None:
      return "";
    case Compression::Gzip:
      return "gzip";
    case Compression::Zstd:
      return "zstd";
  }
  return "";
}

namespace {
constexpr size_t kRawChunk = size_t{256} << 10;

uint64_t countNewlines(const char* p, const char* e) {
  uint64_t n = 0;
  while (p < e) {
    const char* nl = static_cast<const char*>(std::memchr(p, '\n', static_cast<size_t>(e - p)));
    if (!nl) break;
    ++n;
    p = nl + 1;
  }
  return n;
}
}  // namespace

struct Input::Codec {
  z_stream z{};
  bool zInit = false;
  ZSTD_DCtx* zstd = nullptr;
  size_t zstdHint = 1;  // ZSTD_decompressStream's return: 0 = a frame just ended
  ~Codec() {
    if (zInit) inflateEnd(&z);
    if (zstd) ZSTD_freeDCtx(zstd);
  }
};

Input::~Input() {
  if (ownFd_ && fd_ > 2) ::close(fd_);
}

std::unique_ptr<Input> Input::open(const std::string& path, Diagnostics& diags) {
  auto fail = [&](std::string msg, std::string help) {
    diags.error("trace-open", Location{path, 0, 0}, std::move(msg), std::move(help));
    return nullptr;
  };
  if (path == "-") return fromFd(0, path);
  struct stat st {};
  if (::stat(path.c_str(), &st) != 0) {
    if (errno == ENOENT) return fail("no such trace file or directory", "check the path");
    return fail(std::string("cannot open the trace: ") + std::strerror(errno), "check the path and permissions");
  }
  if (S_ISDIR(st.st_mode))
    return fail("this is a directory, and no trace reader takes it",
                "a directory is read as an LTTng CTF trace only when a `metadata` file is at or below it");
  if (S_ISSOCK(st.st_mode))
    return fail("this is a socket, not a trace file", "record the trace to a file or a pipe and pass that");
  int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC | O_NOCTTY);
  if (fd < 0)
    return fail(std::string("cannot open the trace: ") + std::strerror(errno), "check the path and permissions");
  return fromFd(fd, path);
}

std::unique_ptr<Input> Input::fromFd(int fd, std::string path) {
  std::unique_ptr<Input> in(new Input());
  in->fd_ = fd;
  in->ownFd_ = true;
  in->path_ = std::move(path);
  in->raw_ = std::make_unique_for_overwrite<char[]>(kRawChunk);  // not zero-filled: 256 KiB per input
  in->rawCap_ = kRawChunk;
  return in;
}

std::unique_ptr<Input> Input::fromBytes(std::string bytes, std::string path) {
  std::unique_ptr<Input> in(new Input());
  in->mem_ = std::move(bytes);
  in->useMem_ = true;
  in->path_ = std::move(path);
  in->raw_ = std::make_unique_for_overwrite<char[]>(kRawChunk);
  in->rawCap_ = kRawChunk;
  return in;
}

size_t Input::rawRead(char* dst, size_t n) {
  if (useMem_) {
    size_t k = std::min(n, mem_.size() - memPos_);
    std::memcpy(dst, mem_.data() + memPos_, k);
    memPos_ += k;
    rawTotal_ += k;
    return k;
  }
  for (;;) {
    ssize_t r = ::read(fd_, dst, n);
    if (r < 0 && errno == EINTR) continue;
    if (r < 0) {
      if (error_.empty()) error_ = std::string("read error: ") + std::strerror(errno);
      return 0;
    }
    rawTotal_ += static_cast<uint64_t>(r);
    return static_cast<size_t>(r);
  }
}

bool Input::fillRaw() {
  if (rawEof_ || failed()) return false;
  if (rawBegin_ > 0) {
    std::memmove(raw_.get(), raw_.get() + rawBegin_, rawEnd_ - rawBegin_);
    rawEnd_ -= rawBegin_;
    rawBegin_ = 0;
  }
  if (rawEnd_ == rawCap_) return true;  // full: the decoder has to take some first
  size_t n = rawRead(raw_.get() + rawEnd_, rawCap_ - rawEnd_);
  if (n == 0) {
    rawEof_ = true;
    return false;
  }
  rawEnd_ += n;
  return true;
}

void Input::detect() {
  detected_ = true;
  while (rawEnd_ - rawBegin_ < 4 && fillRaw()) {
  }
  const unsigned char* p = reinterpret_cast<const unsigned char*>(raw_.get() + rawBegin_);
  size_t n = rawEnd_ - rawBegin_;
  if (n >= 2 && p[0] == 0x1f && p[1] == 0x8b) {
    comp_ = Compression::Gzip;
    codec_ = std::make_unique<Codec>();
    // 15 + 32: a gzip or zlib header, detected by zlib.
    if (inflateInit2(&codec_->z, 15 + 32) != Z_OK)
      error_ = "cannot start the gzip decoder";
    else
      codec_->zInit = true;
  } else if (n >= 4 && p[0] == 0x28 && p[1] == 0xb5 && p[2] == 0x2f && p[3] == 0xfd) {
    comp_ = Compression::Zstd;
    codec_ = std::make_unique<Codec>();
    codec_->zstd = ZSTD_createDCtx();
    if (!codec_->zstd) error_ = "cannot start the zstd decoder";
  }
}

size_t Input::decode(char* dst, size_t n) {
  if (!detected_) detect();
  if (failed() || n == 0) return 0;
  if (comp_ == Compression::None) {
    if (rawEnd_ > rawBegin_) {
      size_t k = std::min(n, rawEnd_ - rawBegin_);
      std::memcpy(dst, raw_.get() + rawBegin_, k);
      rawBegin_ += k;
      return k;
    }
    if (rawEof_) return 0;
    size_t k = rawRead(dst, n);
    if (k == 0) rawEof_ = true;
    return k;
  }
  for (;;) {
    if (rawEnd_ == rawBegin_) fillRaw();
    if (failed()) return 0;
    size_t avail = rawEnd_ - rawBegin_;
    bool eof = avail == 0;  // no input left: still let the decoder flush what it holds
    if (eof && streamEnded_) return 0;
    size_t out = 0;
    if (comp_ == Compression::Gzip) {
      z_stream& z = codec_->z;
      if (streamEnded_) {
        // Another gzip member follows (concatenated .gz files are one stream).
        inflateReset(&z);
        streamEnded_ = false;
      }
      z.next_in = reinterpret_cast<Bytef*>(raw_.get() + rawBegin_);
      z.avail_in = static_cast<uInt>(std::min<size_t>(avail, UINT32_MAX));
      z.next_out = reinterpret_cast<Bytef*>(dst);
      z.avail_out = static_cast<uInt>(std::min<size_t>(n, UINT32_MAX));
      int r = inflate(&z, Z_NO_FLUSH);
      rawBegin_ += avail - z.avail_in;
      out = std::min<size_t>(n, UINT32_MAX) - z.avail_out;
      if (r == Z_STREAM_END) {
        streamEnded_ = true;
      } else if (r != Z_OK && r != Z_BUF_ERROR) {  // Z_BUF_ERROR: no progress possible now
        error_ = std::string("corrupt gzip data: ") + (z.msg ? z.msg : zError(r));
        return out;
      }
    } else {
      ZSTD_inBuffer inb{raw_.get() + rawBegin_, avail, 0};
      ZSTD_outBuffer outb{dst, n, 0};
      size_t r = ZSTD_decompressStream(codec_->zstd, &outb, &inb);
      rawBegin_ += inb.pos;
      if (ZSTD_isError(r)) {
        error_ = std::string("corrupt zstd data: ") + ZSTD_getErrorName(r);
        return outb.pos;
      }
      streamEnded_ = r == 0;
      out = outb.pos;
    }
    if (out > 0) return out;
    if (eof) {
      if (!streamEnded_)
        error_ =
            std::string("the ") + compressionName(comp_) + " data ends in the middle of a stream (truncated file?)";
      return 0;
    }
  }
}

std::string_view Input::peek(size_t n) {
  if (aheadPos_ > 0) {
    ahead_.erase(0, aheadPos_);
    aheadPos_ = 0;
  }
  while (ahead_.size() < n) {
    size_t at = ahead_.size();
    ahead_.resize(n);
    size_t k = decode(ahead_.data() + at, n - at);
    ahead_.resize(at + k);
    if (k == 0) break;
  }
  return std::string_view(ahead_).substr(0, n);
}

size_t Input::read(char* dst, size_t n) {
  if (aheadPos_ < ahead_.size()) {
    size_t k = std::min(n, ahead_.size() - aheadPos_);
    std::memcpy(dst, ahead_.data() + aheadPos_, k);
    aheadPos_ += k;
    if (aheadPos_ == ahead_.size()) {
      ahead_.clear();
      ahead_.shrink_to_fit();
      aheadPos_ = 0;
    }
    return k;
  }
  return decode(dst, n);
}

// ---------------------------------------------------------------------------------------------

ByteBuffer::ByteBuffer(Input& in, size_t chunk)
    : in_(in),
      chunk_(chunk),
      buf_(std::make_unique_for_overwrite<char[]>(2 * chunk + kPadding)),
      cap_(2 * chunk + kPadding) {
  std::memset(buf_.get(), 0, kPadding);  // an empty input still has its padding
}

bool ByteBuffer::fill() {
  if (eof_) return false;
  if (begin_ > 0) {
    std::memmove(buf_.get(), buf_.get() + begin_, end_ - begin_);
    end_ -= begin_;
    begin_ = 0;
  }
  if (cap_ - kPadding - end_ < chunk_ / 2) {
    size_t cap = (cap_ - kPadding) * 2 + kPadding;
    auto grown = std::make_unique_for_overwrite<char[]>(cap);
    std::memcpy(grown.get(), buf_.get(), end_);
    buf_ = std::move(grown);
    cap_ = cap;
  }
  size_t n = in_.read(buf_.get() + end_, cap_ - kPadding - end_);
  if (n == 0) {
    eof_ = true;
    std::memset(buf_.get() + end_, 0, kPadding);
    return false;
  }
  end_ += n;
  std::memset(buf_.get() + end_, 0, kPadding);
  return true;
}

// ---------------------------------------------------------------------------------------------

LineReader::LineReader(Input& in, Diagnostics& diags, size_t maxLineBytes)
    : diags_(diags), buf_(in), maxLine_(maxLineBytes) {}

bool LineReader::fillOrFinish() {
  if (buf_.fill()) return true;
  if (buf_.input().failed() && !stopped_) {
    diags_.error("trace-read", Location{path(), stats_.lines + 1, 0}, buf_.input().error(),
                 "the events before this point were read; the rest of the trace could not be");
    stopped_ = true;
  }
  return false;
}

bool LineReader::checkStart() {
  started_ = true;
  while (buf_.size() < 3 && fillOrFinish()) {
  }
  if (stopped_) return false;
  return buf_.size() >= 3 && std::memcmp(buf_.data(), "\xEF\xBB\xBF", 3) == 0;
}

bool LineReader::reportNul(const char* lineStart, size_t len, uint64_t number, size_t column0) {
  const char* z = static_cast<const char*>(std::memchr(lineStart, 0, len));
  if (!z) return false;
  size_t col = column0 + static_cast<size_t>(z - lineStart) + 1;
  auto& d =
      diags_.error("trace-binary", Location{path(), number, static_cast<uint32_t>(std::min<size_t>(col, 1u << 30))},
                   "NUL byte: this looks like a binary file, not a text or JSON trace; reading stops here",
                   "pass a text or JSON trace, or name its format with --input-format");
  (void)d;
  stopped_ = true;
  return true;
}

bool LineReader::next(std::string_view& line, uint64_t& number, size_t& column0) {
  if (stopped_) return false;
  size_t bom = 0;
  if (!started_ && checkStart()) bom = 3;
  if (stopped_) return false;
  size_t scanned = bom;  // bytes of the current line known to hold no '\n'
  for (;;) {
    const char* p = buf_.data();
    const char* nl = static_cast<const char*>(std::memchr(p + scanned, '\n', buf_.size() - scanned));
    if (!nl) {
      // A NUL byte stops reading as soon as it is seen (/dev/zero has no newline to wait for).
      if (!skipping_ && reportNul(p + scanned, buf_.size() - scanned, stats_.lines + 1, scanned)) return false;
      scanned = buf_.size();
      if (buf_.size() - bom > maxLine_) {
        // Too long to hold: report it once, drop what we have, skip to the next newline.
        if (!skipping_) {
          ++stats_.tooLong;
          diags_.error("trace-line-too-long", Location{path(), stats_.lines + 1, 0},
                       "line longer than " + std::to_string(maxLine_ >> 20) + " MiB: skipped",
                       "is this really a line-oriented trace? If it is, split the record");
        }
        if (reportNul(p, buf_.size(), stats_.lines + 1, 0)) return false;
        skipping_ = true;
        buf_.consume(buf_.size());
        scanned = 0;
        bom = 0;
      }
      if (fillOrFinish()) continue;
      if (stopped_) return false;
      if (buf_.size() == 0) return false;  // the end
      nl = buf_.data() + buf_.size();      // a last line without a newline
      p = buf_.data();
    }
    size_t n = static_cast<size_t>(nl - p);
    size_t take = std::min(n + 1, buf_.size());
    number = ++stats_.lines;
    if (skipping_) {
      skipping_ = false;
      if (reportNul(p, n, number, 0)) return false;
      buf_.consume(take);
      scanned = 0;
      continue;
    }
    size_t len = n - bom;
    if (len > 0 && p[n - 1] == '\r') --len;
    if (len > maxLine_) {  // the newline came in the same read that went over the limit
      ++stats_.tooLong;
      diags_.error("trace-line-too-long", Location{path(), number, 0},
                   "line longer than " + std::to_string(maxLine_ >> 20) + " MiB: skipped",
                   "is this really a line-oriented trace? If it is, split the record");
      buf_.consume(take);
      scanned = 0;
      bom = 0;
      continue;
    }
    if (reportNul(p + bom, len, number, bom)) return false;
    line = std::string_view(p + bom, len);
    column0 = bom;
    // The view must stay valid until the next call: consume lazily by leaving the bytes in place
    // until then (consume() only moves an index; fill() is what moves bytes).
    buf_.consume(take);
    return true;
  }
}

bool LineReader::nextBlock(std::string_view& block, uint64_t& firstLine, size_t minBytes, bool countLines) {
  if (stopped_) return false;
  if (!started_ && checkStart()) buf_.consume(3);
  if (stopped_) return false;
  while (buf_.size() < minBytes && fillOrFinish()) {
  }
  if (stopped_) return false;
  for (;;) {
    if (buf_.size() == 0) return false;
    const char* p = buf_.data();
    size_t n = buf_.size();
    // Up to the last newline, unless the input ended.
    size_t cut = n;
    if (!buf_.atEnd()) {
      const char* last = static_cast<const char*>(memrchr(p, '\n', n));
      if (!last) {
        // No newline yet: a NUL byte stops reading now (/dev/zero has no newline to wait for).
        if (!skipping_ && reportNul(p, n, stats_.lines + 1, 0)) return false;
        if (n > maxLine_) {
          if (!skipping_) {
            ++stats_.tooLong;
            diags_.error("trace-line-too-long", Location{path(), stats_.lines + 1, 0},
                         "line longer than " + std::to_string(maxLine_ >> 20) + " MiB: skipped",
                         "is this really a line-oriented trace? If it is, split the record");
          }
          if (reportNul(p, n, stats_.lines + 1, 0)) return false;
          skipping_ = true;
          buf_.consume(n);
        }
        if (!fillOrFinish() && stopped_) return false;
        continue;
      }
      cut = static_cast<size_t>(last - p) + 1;
    }
    if (skipping_) {
      // The rest of a too-long line.
      const char* nl = static_cast<const char*>(std::memchr(p, '\n', cut));
      size_t k = nl ? static_cast<size_t>(nl - p) + 1 : cut;
      if (reportNul(p, k, stats_.lines + 1, 0)) return false;
      ++stats_.lines;
      skipping_ = false;
      buf_.consume(k);
      continue;
    }
    // A NUL byte anywhere in the block: report it on its own line and stop there.
    if (const char* z = static_cast<const char*>(std::memchr(p, 0, cut))) {
      uint64_t ln = stats_.lines + 1 + countNewlines(p, z);
      const char* ls = static_cast<const char*>(memrchr(p, '\n', static_cast<size_t>(z - p)));
      ls = ls ? ls + 1 : p;
      diags_.error("trace-binary", Location{path(), ln, static_cast<uint32_t>(z - ls + 1)},
                   "NUL byte: this looks like a binary file, not a text or JSON trace; reading stops here",
                   "pass a text or JSON trace, or name its format with --input-format");
      // Hand over the whole lines before it; nothing after.
      size_t keep = static_cast<size_t>(ls - p);
      stopped_ = true;
      if (keep == 0) return false;
      block = std::string_view(p, keep);
      firstLine = stats_.lines + 1;
      stats_.lines += countNewlines(p, p + keep);
      buf_.consume(keep);
      return true;
    }
    // A line over the limit that arrived whole (its newline in the same read, or the input's
    // last line): the lines before it form the block; at the start of the block it is reported
    // and skipped, as next() does. Only a block longer than the limit can hold one.
    if (cut > maxLine_) {
      const char* q = p;
      const char* end = p + cut;
      while (q < end) {
        const char* nl = static_cast<const char*>(std::memchr(q, '\n', static_cast<size_t>(end - q)));
        const char* le = nl ? nl : end;
        size_t len = static_cast<size_t>(le - q);
        if (len > 0 && le[-1] == '\r') --len;
        if (len > maxLine_) break;
        q = nl ? nl + 1 : end;
      }
      if (q < end && q > p) {
        cut = static_cast<size_t>(q - p);  // the lines before it; the next call meets it first
      } else if (q == p) {
        ++stats_.tooLong;
        diags_.error("trace-line-too-long", Location{path(), stats_.lines + 1, 0},
                     "line longer than " + std::to_string(maxLine_ >> 20) + " MiB: skipped",
                     "is this really a line-oriented trace? If it is, split the record");
        const char* nl = static_cast<const char*>(std::memchr(p, '\n', cut));
        ++stats_.lines;
        buf_.consume(nl ? static_cast<size_t>(nl - p) + 1 : cut);
        continue;
      }
    }
    block = std::string_view(p, cut);
    firstLine = stats_.lines + 1;
    if (countLines) {
      stats_.lines += countNewlines(p, p + cut);
      if (cut == n && n > 0 && p[n - 1] != '\n') ++stats_.lines;
    }
    buf_.consume(cut);
    return true;
  }
}

}  // namespace vc
