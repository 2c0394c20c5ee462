// The input layer under every file reader (JSON, text through maps, Rust tracing JSON):
//
//   Input       one opened trace: a file, standard input ("-"), a FIFO, a pipe or process
//               substitution, a character device; opened ONCE. Gzip and zstd are decoded
//               transparently (detected by magic bytes, not by name). peek() lets the format
//               sniffer look at the first bytes without consuming them, so nothing is read twice
//               and nothing is lost on a pipe.
//   ByteBuffer  a sliding window over an Input's decoded bytes, with SIMDJSON-style padding after
//               the valid bytes (parsers may read a little past the end).
//   LineReader  lines over a ByteBuffer, with the rules every line reader shares (docs/trace-
//               formats.md, "How trace files are read"): '\n' ends a line, a '\r' before it is
//               dropped, the last line needs no newline, a UTF-8 byte order mark at the start of
//               the file is skipped, a NUL byte is an error (a binary file; reading stops), a line
//               longer than the limit is an error (the line is skipped), a read error or corrupt
//               compressed data is an error (reading stops). Each error is reported once, as a
//               diagnostic with the trace's path and line.
//
// The library never prints: errors are diagnostics.
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "diag/diagnostic.h"

namespace vc {

enum class Compression : uint8_t { None, Gzip, Zstd };
const char* compressionName(Compression c);  // "", "gzip", "zstd"

class Input {
 public:
  ~Input();
  Input(const Input&) = delete;
  Input& operator=(const Input&) = delete;

  // Opens `path` ("-" = standard input) for reading. Refuses, with a "trace-open" diagnostic and
  // nullptr: a missing path, a directory (the caller looks at directories first: CTF traces are
  // directories), a socket, a file it may not read.
  static std::unique_ptr<Input> open(const std::string& path, Diagnostics& diags);
  // Takes over an open descriptor (closed at the end unless it is 0, 1 or 2).
  static std::unique_ptr<Input> fromFd(int fd, std::string path);
  // Bytes held in memory (tests, fuzzers).
  static std::unique_ptr<Input> fromBytes(std::string bytes, std::string path);

  const std::string& path() const { return path_; }
  // Known after the first peek() or read().
  Compression compression() const { return comp_; }
  // The first min(n, all there is) decoded bytes, without consuming them: read() returns them
  // again. Blocks until n bytes have come or the input ends.
  std::string_view peek(size_t n);
  // Up to n decoded bytes into dst. 0 = the end of the input, or an error (then failed()).
  size_t read(char* dst, size_t n);
  bool failed() const { return !error_.empty(); }
  const std::string& error() const { return error_; }
  // Bytes of the file itself read so far (compressed bytes for a compressed trace).
  uint64_t rawBytes() const { return rawTotal_; }

 private:
  Input() = default;
  size_t rawRead(char* dst, size_t n);  // from the descriptor or the memory bytes
  bool fillRaw();                       // more raw bytes into raw_; false at the end
  void detect();
  size_t decode(char* dst, size_t n);  // decoded bytes, bypassing ahead_

  std::string path_;
  int fd_ = -1;
  bool ownFd_ = false;
  std::string mem_;  // fromBytes
  size_t memPos_ = 0;
  bool useMem_ = false;
  std::unique_ptr<char[]> raw_;  // raw bytes read but not yet decoded: [rawBegin_, rawEnd_)
  size_t rawCap_ = 0;
  size_t rawBegin_ = 0, rawEnd_ = 0;
  bool rawEof_ = false;
  uint64_t rawTotal_ = 0;
  bool detected_ = false;
  Compression comp_ = Compression::None;
  struct Codec;
  std::unique_ptr<Codec> codec_;
  bool streamEnded_ = false;  // the compressed stream ended cleanly at the last raw byte
  std::string ahead_;         // decoded bytes peeked but not yet read
  size_t aheadPos_ = 0;
  std::string error_;
};

// A sliding window of decoded bytes: [data(), data() + size()) is valid and at least kPadding
// readable bytes follow it.
class ByteBuffer {
 public:
  static constexpr size_t kPadding = 64;  // >= simdjson::SIMDJSON_PADDING
  explicit ByteBuffer(Input& in, size_t chunk = size_t{1} << 20);
  const char* data() const { return buf_.get() + begin_; }
  char* data() { return buf_.get() + begin_; }
  size_t size() const { return end_ - begin_; }
  // Reads more bytes after the valid ones (compacting or growing the buffer as needed): false at
  // the end of the input or on an error (input().failed()).
  bool fill();
  void consume(size_t n) { begin_ += n; }
  bool atEnd() const { return eof_; }
  Input& input() { return in_; }
  const Input& input() const { return in_; }

 private:
  Input& in_;
  size_t chunk_;
  // Not zero-filled: only the bytes read are touched (a reader made for a 100-byte input did
  // not need to fault in and clear 2 MiB: 40 % of the text-reader fuzz target's time).
  std::unique_ptr<char[]> buf_;
  size_t cap_ = 0;  // bytes in buf_, kPadding included
  size_t begin_ = 0, end_ = 0;
  bool eof_ = false;
};

struct LineStats {
  uint64_t lines = 0;    // lines read, empty ones included
  uint64_t tooLong = 0;  // lines over the limit (reported, skipped)
};

class LineReader {
 public:
  // Lines longer than maxLineBytes are reported and skipped.
  LineReader(Input& in, Diagnostics& diags, size_t maxLineBytes = size_t{64} << 20);
  // The next line, without its '\n' / "\r\n" (it may be empty); `number` is its 1-based line
  // number and `column0` the 0-based column of its first byte (3 after a byte order mark). The
  // view stays valid until the next call, and kPadding readable bytes follow it. False at the
  // end, or after an error that stops reading.
  bool next(std::string_view& line, uint64_t& number, size_t& column0);
  // Several whole lines at once (for parsers that batch): [block) ends just after a '\n', or at
  // the end of the input; `firstLine` is the number of its first line. The same rules hold (BOM,
  // NUL bytes, too-long lines are reported; CR bytes are left in the block). Do not mix with
  // next() on one reader.
  // With countLines = false the caller counts the block's lines itself (it scans them anyway)
  // and must call addLines() with that count before the next call.
  bool nextBlock(std::string_view& block, uint64_t& firstLine, size_t minBytes = size_t{1} << 20,
                 bool countLines = true);
  void addLines(uint64_t n) { stats_.lines += n; }
  // True once reading stopped on an error (NUL byte, read error, corrupt compressed data).
  bool stopped() const { return stopped_; }
  const LineStats& stats() const { return stats_; }
  ByteBuffer& buffer() { return buf_; }
  const std::string& path() const { return buf_.input().path(); }

 private:
  bool fillOrFinish();  // fill(); on an input error report it and stop
  bool checkStart();    // the byte order mark
  bool reportNul(const char* lineStart, size_t len, uint64_t number, size_t column0);
  Diagnostics& diags_;
  ByteBuffer buf_;
  size_t maxLine_;
  bool started_ = false, stopped_ = false, skipping_ = false;
  LineStats stats_;
};

}  // namespace vc
