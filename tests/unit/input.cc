// The input layer (trace/input.h): one open per trace, sniffing from the same stream, pipes and
// FIFOs, gzip and zstd, and the line rules every line reader shares.
#include "trace/input.h"

#include <fcntl.h>
#include <gtest/gtest.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>
#include <zlib.h>
#include <zstd.h>

#include <filesystem>
#include <fstream>
#include <string>
#include <thread>
#include <vector>

#include "trace/reader.h"

namespace vc {
namespace {

std::string gzipOf(const std::string& s) {
  z_stream z{};
  deflateInit2(&z, 6, Z_DEFLATED, 15 + 16, 8, Z_DEFAULT_STRATEGY);  // gzip header
  std::string out(deflateBound(&z, s.size()) + 64, '\0');
  z.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(s.data()));
  z.avail_in = static_cast<uInt>(s.size());
  z.next_out = reinterpret_cast<Bytef*>(out.data());
  z.avail_out = static_cast<uInt>(out.size());
  EXPECT_EQ(deflate(&z, Z_FINISH), Z_STREAM_END);
  out.resize(out.size() - z.avail_out);
  deflateEnd(&z);
  return out;
}

std::string zstdOf(const std::string& s) {
  std::string out(ZSTD_compressBound(s.size()), '\0');
  size_t n = ZSTD_compress(out.data(), out.size(), s.data(), s.size(), 3);
  EXPECT_FALSE(ZSTD_isError(n));
  out.resize(n);
  return out;
}

std::string readAll(Input& in, size_t step = 7) {
  std::string out, buf(step, '\0');
  for (;;) {
    size_t n = in.read(buf.data(), buf.size());
    if (n == 0) break;
    out.append(buf.data(), n);
  }
  return out;
}

std::string bigText() {
  std::string s;
  for (int i = 0; i < 40000; ++i) s += "line " + std::to_string(i) + " some text to compress\n";
  return s;
}

TEST(Input, PeekThenReadGivesEveryByteOnce) {
  auto in = Input::fromBytes("hello, world\nsecond\n", "m");
  EXPECT_EQ(in->peek(5), "hello");
  EXPECT_EQ(in->peek(100), "hello, world\nsecond\n");
  EXPECT_EQ(readAll(*in), "hello, world\nsecond\n");
  EXPECT_FALSE(in->failed());
  EXPECT_EQ(in->compression(), Compression::None);
}

TEST(Input, GzipAndZstdAreDecodedFromTheirMagicBytes) {
  std::string text = bigText();
  for (auto [bytes, comp] : {std::pair{gzipOf(text), Compression::Gzip}, std::pair{zstdOf(text), Compression::Zstd}}) {
    auto in = Input::fromBytes(bytes, "t.log");  // the name says nothing
    EXPECT_EQ(in->peek(6), "line 0");
    EXPECT_EQ(in->compression(), comp);
    EXPECT_EQ(readAll(*in, 4096), text);
    EXPECT_FALSE(in->failed()) << in->error();
  }
}

TEST(Input, ConcatenatedGzipMembersAndZstdFramesAreOneStream) {
  auto g = Input::fromBytes(gzipOf("a\n") + gzipOf("b\n"), "t.gz");
  EXPECT_EQ(readAll(*g), "a\nb\n");
  EXPECT_FALSE(g->failed()) << g->error();
  auto z = Input::fromBytes(zstdOf("a\n") + zstdOf("b\n"), "t.zst");
  EXPECT_EQ(readAll(*z), "a\nb\n");
  EXPECT_FALSE(z->failed()) << z->error();
}

TEST(Input, TruncatedOrCorruptCompressedDataIsAnError) {
  std::string text = bigText();
  std::string g = gzipOf(text), z = zstdOf(text);
  for (const std::string& cut : {g.substr(0, g.size() / 2), z.substr(0, z.size() / 2)}) {
    auto in = Input::fromBytes(cut, "cut");
    std::string got = readAll(*in, 4096);
    EXPECT_TRUE(in->failed());
    EXPECT_NE(in->error().find("truncated"), std::string::npos) << in->error();
    EXPECT_LT(got.size(), text.size());
  }
  std::string bad = g;
  for (size_t i = 20; i < 60; ++i) bad[i] = static_cast<char>(bad[i] ^ 0x5a);
  auto in = Input::fromBytes(bad, "bad");
  readAll(*in, 4096);
  EXPECT_TRUE(in->failed());
  EXPECT_NE(in->error().find("corrupt gzip"), std::string::npos) << in->error();
}

// Line rules shared by every line reader.
struct Lines {
  std::vector<std::pair<uint64_t, std::string>> lines;
  Diagnostics diags;
  bool stopped = false;
};
Lines linesOf(const std::string& bytes, size_t maxLine = 1 << 20) {
  Lines r;
  auto in = Input::fromBytes(bytes, "f");
  LineReader lr(*in, r.diags, maxLine);
  std::string_view l;
  uint64_t n;
  size_t c;
  while (lr.next(l, n, c)) r.lines.emplace_back(n, std::string(l));
  r.stopped = lr.stopped();
  return r;
}

TEST(LineReader, CrlfBomAndMissingFinalNewline) {
  auto r = linesOf(
      "\xEF\xBB\xBF"
      "a\r\n\r\nb\nc");
  ASSERT_EQ(r.lines.size(), 4u);
  EXPECT_EQ(r.lines[0], (std::pair<uint64_t, std::string>{1, "a"}));
  EXPECT_EQ(r.lines[1], (std::pair<uint64_t, std::string>{2, ""}));
  EXPECT_EQ(r.lines[2], (std::pair<uint64_t, std::string>{3, "b"}));
  EXPECT_EQ(r.lines[3], (std::pair<uint64_t, std::string>{4, "c"}));
  EXPECT_TRUE(r.diags.all().empty());
}

TEST(LineReader, NulByteStopsWithLineAndColumn) {
  auto r = linesOf(std::string("ok\nab\0cd\nmore\n", 14));
  ASSERT_EQ(r.lines.size(), 1u);
  EXPECT_TRUE(r.stopped);
  ASSERT_EQ(r.diags.all().size(), 1u);
  EXPECT_EQ(r.diags.all()[0].code, "trace-binary");
  EXPECT_EQ(r.diags.all()[0].loc.line, 2u);
  EXPECT_EQ(r.diags.all()[0].loc.col, 3u);
}

TEST(LineReader, TooLongLineIsAnErrorAndSkipped) {
  std::string big(3000, 'x');
  auto r = linesOf("a\n" + big + "\nb\n", 1000);
  ASSERT_EQ(r.lines.size(), 2u);
  EXPECT_EQ(r.lines[1], (std::pair<uint64_t, std::string>{3, "b"}));
  ASSERT_EQ(r.diags.all().size(), 1u);
  EXPECT_EQ(r.diags.all()[0].code, "trace-line-too-long");
  EXPECT_EQ(r.diags.all()[0].loc.line, 2u);
  EXPECT_TRUE(r.diags.hasErrors());
}

TEST(LineReader, BlocksEndAtNewlinesAndCountLines) {
  std::string text = bigText();
  auto in = Input::fromBytes(text, "f");
  Diagnostics d;
  LineReader lr(*in, d);
  std::string_view b;
  uint64_t first = 0, expect = 1;
  std::string all;
  while (lr.nextBlock(b, first, 4096)) {
    EXPECT_EQ(first, expect);
    EXPECT_EQ(b.back(), '\n');
    expect += static_cast<uint64_t>(std::count(b.begin(), b.end(), '\n'));
    all += b;
  }
  EXPECT_EQ(all, text);
  EXPECT_EQ(lr.stats().lines, 40000u);
}

// A line over the limit that arrives whole in one read (with its newline, or as the last line)
// is reported and skipped by nextBlock too: it was handed to the parser inside the block, and the
// JSON reader accepted a 65 MiB line. The lines around it are delivered with their numbers.
TEST(LineReader, BlocksSkipTooLongLinesThatArrivedWhole) {
  std::string big(3000, 'x');
  for (bool countLines : {true, false}) {
    for (const std::string& text : {"a\nb\n" + big + "\nc\n", "a\nb\n" + big, big + "\nc\n"}) {
      auto in = Input::fromBytes(text, "f");
      Diagnostics d;
      LineReader lr(*in, d, 1000);
      std::string_view b;
      uint64_t first = 0;
      std::vector<std::pair<uint64_t, std::string>> got;
      while (lr.nextBlock(b, first, 1 << 20, countLines)) {
        uint64_t ln = first;
        size_t pos = 0;
        uint64_t n = 0;
        while (pos < b.size()) {
          size_t e = b.find('\n', pos);
          if (e == std::string_view::npos) e = b.size();
          got.emplace_back(ln++, std::string(b.substr(pos, e - pos)));
          pos = e + 1;
          ++n;
        }
        if (!countLines) lr.addLines(n);
      }
      std::vector<std::pair<uint64_t, std::string>> want;
      if (text[0] == 'a') want = {{1, "a"}, {2, "b"}};
      if (text.back() == '\n') want.emplace_back(text[0] == 'a' ? 4 : 2, "c");
      EXPECT_EQ(got, want) << countLines << " " << text.size();
      ASSERT_EQ(d.all().size(), 1u) << countLines;
      EXPECT_EQ(d.all()[0].code, "trace-line-too-long");
      EXPECT_EQ(d.all()[0].loc.line, text[0] == 'a' ? 3u : 1u);
      EXPECT_EQ(lr.stats().tooLong, 1u);
    }
  }
}

// A read error (EIO from /proc/self/mem at offset 0) is reported, once, with the path.
TEST(LineReader, ReadErrorIsReported) {
  int fd = ::open("/proc/self/mem", O_RDONLY);
  if (fd < 0) GTEST_SKIP() << "no /proc/self/mem";
  auto in = Input::fromFd(fd, "/proc/self/mem");
  Diagnostics d;
  LineReader lr(*in, d);
  std::string_view l;
  uint64_t n;
  size_t c;
  EXPECT_FALSE(lr.next(l, n, c));
  EXPECT_TRUE(lr.stopped());
  ASSERT_EQ(d.all().size(), 1u);
  EXPECT_EQ(d.all()[0].code, "trace-read");
  EXPECT_NE(d.all()[0].message.find("read error"), std::string::npos) << d.all()[0].message;
}

// ---------------------------------------------------------------------------------------------
// openTrace() over the input layer.

const std::string kQemu =
    "4203@1700000000.000001:vhost_user_write req:3 flags:0x1\n"
    "4203@1700000000.000002:vhost_user_read req:3 flags:0x5\n";

struct Opened {
  TraceTables tables;
  Diagnostics diags;
  std::vector<Event> events;
  bool opened = false;
};
void readTrace(const std::string& path, Opened& o, const std::string& format = "auto") {
  ReaderOptions ro;
  ro.format = format;
  auto r = openTrace(path, ro, o.tables, o.diags);
  o.opened = r != nullptr;
  if (!r) return;
  Event ev;
  while (r->next(ev)) o.events.push_back(ev);
}

std::string tmpPath(const std::string& name) { return ::testing::TempDir() + "/vc-input-" + name; }

// A FIFO is opened once: sniffing does not block it or lose its first bytes (issue 14).
TEST(OpenTrace, FifoIsSniffedAndReadWhole) {
  std::string fifo = tmpPath("fifo");
  ::unlink(fifo.c_str());
  ASSERT_EQ(::mkfifo(fifo.c_str(), 0600), 0);
  std::string text;
  for (int i = 0; i < 3000; ++i) text += kQemu;  // > 64 KiB: more than the sniffer peeks
  std::thread writer([&] { std::ofstream(fifo, std::ios::binary) << text; });
  Opened o;
  readTrace(fifo, o);
  writer.join();
  ::unlink(fifo.c_str());
  EXPECT_TRUE(o.opened) << renderAll(o.diags);
  EXPECT_EQ(o.events.size(), 6000u);
  EXPECT_EQ(o.tables.sources.at(0).format, "qemu");
  EXPECT_FALSE(o.diags.hasErrors()) << renderAll(o.diags);
}

// Standard input is sniffed like a file: a QEMU log piped in is read as one (issue 9).
TEST(OpenTrace, StandardInputIsSniffed) {
  int p[2];
  ASSERT_EQ(::pipe(p), 0);
  int saved = ::dup(0);
  ::dup2(p[0], 0);
  ::close(p[0]);
  std::string text;
  for (int i = 0; i < 2000; ++i) text += kQemu;
  std::thread writer([&] {
    size_t off = 0;
    while (off < text.size()) {
      ssize_t n = ::write(p[1], text.data() + off, text.size() - off);
      if (n <= 0) break;
      off += static_cast<size_t>(n);
    }
    ::close(p[1]);
  });
  Opened o;
  readTrace("-", o);
  writer.join();
  ::dup2(saved, 0);
  ::close(saved);
  EXPECT_TRUE(o.opened) << renderAll(o.diags);
  EXPECT_EQ(o.events.size(), 4000u);
  EXPECT_EQ(o.tables.sources.at(0).format, "qemu");
}

TEST(OpenTrace, CompressedTracesAreReadTransparently) {
  std::string json = "{\"name\":\"a\",\"tid\":1}\n{\"name\":\"b\",\"tid\":1}\n";
  for (auto [name, bytes, comp] :
       {std::tuple{"t.jsonl.gz", gzipOf(json), "gzip"}, std::tuple{"t.trace", zstdOf(json), "zstd"},
        std::tuple{"q.zst", zstdOf(kQemu), "zstd"}}) {
    std::string p = tmpPath(name);
    std::ofstream(p, std::ios::binary) << bytes;
    Opened o;
    readTrace(p, o);
    std::filesystem::remove(p);
    EXPECT_TRUE(o.opened) << renderAll(o.diags);
    EXPECT_EQ(o.events.size(), 2u) << name;
    EXPECT_EQ(o.tables.sources.at(0).compression, comp);
  }
}

TEST(OpenTrace, SpecialFilesAreClearErrors) {
  {
    Opened o;  // a directory that is not a CTF trace
    std::string dir = tmpPath("dir");
    std::filesystem::create_directories(dir + "/sub");
    std::ofstream(dir + "/sub/x.log") << kQemu;
    readTrace(dir, o);
    std::filesystem::remove_all(dir);
    EXPECT_FALSE(o.opened);
    ASSERT_EQ(o.diags.all().size(), 1u);
    EXPECT_EQ(o.diags.all()[0].code, "trace-format");
    EXPECT_NE(o.diags.all()[0].message.find("directory"), std::string::npos);
  }
  {
    Opened o;  // /dev/zero: endless NUL bytes, sniffed as binary
    readTrace("/dev/zero", o);
    EXPECT_FALSE(o.opened);
    ASSERT_EQ(o.diags.all().size(), 1u);
    EXPECT_NE(o.diags.all()[0].message.find("binary"), std::string::npos);
  }
  for (const char* fmt : {"json", "qemu", "tracing-json"}) {
    Opened o;  // /dev/zero forced through a line reader: stops at the first NUL byte
    readTrace("/dev/zero", o, fmt);
    EXPECT_TRUE(o.opened);
    EXPECT_TRUE(o.events.empty());
    ASSERT_GE(o.diags.all().size(), 1u) << fmt;
    EXPECT_EQ(o.diags.all()[0].code, "trace-binary") << fmt;
  }
  {
    std::string sock = tmpPath("sock");
    ::unlink(sock.c_str());
    int s = ::socket(AF_UNIX, SOCK_STREAM, 0);
    sockaddr_un a{};
    a.sun_family = AF_UNIX;
    std::snprintf(a.sun_path, sizeof a.sun_path, "%s", sock.c_str());
    ASSERT_EQ(::bind(s, reinterpret_cast<sockaddr*>(&a), sizeof a), 0);
    Opened o;
    readTrace(sock, o);
    ::close(s);
    ::unlink(sock.c_str());
    EXPECT_FALSE(o.opened);
    ASSERT_EQ(o.diags.all().size(), 1u);
    EXPECT_NE(o.diags.all()[0].message.find("socket"), std::string::npos);
  }
  if (::geteuid() != 0) {
    std::string p = tmpPath("unreadable");
    std::ofstream(p) << kQemu;
    ::chmod(p.c_str(), 0);
    Opened o;
    readTrace(p, o);
    std::filesystem::remove(p);
    EXPECT_FALSE(o.opened);
    ASSERT_EQ(o.diags.all().size(), 1u);
    EXPECT_NE(o.diags.all()[0].message.find("Permission denied"), std::string::npos);
  }
}

// The three line readers agree: CRLF, a BOM and no final newline change nothing; an over-long
// line is the same error in each; line numbers are physical lines.
TEST(OpenTrace, LineReadersAgreeOnTheLineRules) {
  const std::string json1 = R"({"name":"a","tid":1})", json2 = R"({"name":"b","tid":1})";
  const std::string tr1 =
      R"J({"timestamp":"2022-07-11T02:12:24Z","level":"INFO","fields":{"message":"a"},"threadId":"ThreadId(1)"})J";
  const std::string tr2 =
      R"J({"timestamp":"2022-07-11T02:12:25Z","level":"INFO","fields":{"message":"b"},"threadId":"ThreadId(1)"})J";
  const std::string q1 = "4203@1700000000.000001:vhost_user_write req:3 flags:0x1";
  const std::string q2 = "4203@1700000000.000002:vhost_user_read req:3 flags:0x5";
  std::string longLine(3 << 20, 'y');
  for (auto [fmt, a, b] :
       {std::tuple{"json", json1, json2}, std::tuple{"tracing-json", tr1, tr2}, std::tuple{"qemu", q1, q2}}) {
    std::string p = tmpPath(std::string("rules-") + fmt);
    std::ofstream(p, std::ios::binary) << "\xEF\xBB\xBF" << a << "\r\n\r\n" << b;
    Opened o;
    readTrace(p, o, fmt);
    EXPECT_FALSE(o.diags.hasErrors()) << fmt << renderAll(o.diags);
    ASSERT_EQ(o.events.size(), 2u) << fmt;
    EXPECT_EQ(o.events[0].origin.line, 1u);
    EXPECT_EQ(o.events[1].origin.line, 3u);
    std::ofstream(p, std::ios::binary) << a << "\n" << longLine << "\n" << b << "\n";
    Opened t;
    ReaderOptions ro;
    ro.format = fmt;
    ro.maxLineBytes = 1 << 20;
    auto r = openTrace(p, ro, t.tables, t.diags);
    ASSERT_TRUE(r);
    Event ev;
    while (r->next(ev)) t.events.push_back(ev);
    std::filesystem::remove(p);
    ASSERT_EQ(t.events.size(), 2u) << fmt;
    EXPECT_EQ(t.events[1].origin.line, 3u) << fmt;
    ASSERT_EQ(t.diags.all().size(), 1u) << fmt << renderAll(t.diags);
    EXPECT_EQ(t.diags.all()[0].code, "trace-line-too-long") << fmt;
    EXPECT_EQ(t.diags.all()[0].loc.line, 2u) << fmt;
  }
}

}  // namespace
}  // namespace vc
