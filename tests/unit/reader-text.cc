// Text readers through map files: streaming, line numbers, detection, bad input.
#include <gtest/gtest.h>
#include <unistd.h>

#include <cstdio>
#include <filesystem>
#include <fstream>

#include "trace/formats.h"
#include "trace/map-load.h"
#include "trace/reader.h"
#include "trace/text-reader.h"

namespace vc {
namespace {

std::string tmpFile(const std::string& name, const std::string& content) {
  auto dir = std::filesystem::temp_directory_path() / ("vconform-reader-text-" + std::to_string(::getpid()));
  std::filesystem::create_directories(dir);
  auto p = (dir / name).string();
  std::ofstream(p, std::ios::binary) << content;
  return p;
}

struct Read {
  TraceTables t;
  Diagnostics d;
  std::vector<Event> evs;
  std::string format;
  bool opened = false;
  Read(const std::string& path, const std::string& fmt = "auto") {
    ReaderOptions o;
    o.format = fmt;
    auto r = openTrace(path, o, t, d);
    if (!r) return;
    opened = true;
    format = t.sources.at(0).format;
    Event ev;
    while (r->next(ev)) evs.push_back(ev);
  }
  std::string name(size_t i) const { return t.symbols.name(evs[i].name); }
  Value field(size_t i, const char* k) const {
    const Value* v = evs[i].field(t.symbols.find(k));
    return v ? *v : Value::ofStr("<none>");
  }
};

TEST(TextReader, QemuThreeShapesAndExactLines) {
  std::string p = tmpFile("q.log",
                          "17379@1795537342.161405:virtio_set_status vdev 0x55de221c3600 val 15\n"
                          "qemu-system-x86_64: some warning\n"
                          "\n"
                          "17380@1795537342.161504:vhost_user_write req:5 flags:0x9\r\n"
                          "vhost_user_read req:5 flags:0x5\n"
                          "2025-09-10T18:05:12.123456Z (4242) vhost_user_write req:18 flags:0x1");
  Read r(p);
  ASSERT_TRUE(r.opened) << renderAll(r.d);
  EXPECT_EQ(r.format, "qemu");
  ASSERT_EQ(r.evs.size(), 4u) << renderAll(r.d);
  EXPECT_EQ(r.name(0), "virtio_set_status");
  EXPECT_EQ(r.evs[0].origin.line, 1u);
  EXPECT_EQ(r.name(1), "qemu_vu_write");
  EXPECT_EQ(r.evs[1].origin.line, 4u);
  EXPECT_EQ(r.field(1, "msg"), Value::ofStr("SET_MEM_TABLE"));
  EXPECT_EQ(r.t.threads.at(r.evs[1].thread).tid, 17380);
  EXPECT_NE(r.evs[0].thread, r.evs[1].thread);
  EXPECT_EQ(r.name(2), "qemu_vu_read");
  EXPECT_FALSE(r.evs[2].hasTs);
  EXPECT_EQ(r.evs[2].origin.line, 5u);
  EXPECT_EQ(r.evs[3].origin.line, 6u);
  EXPECT_EQ(r.evs[3].ts, 1757527512123456000);
  EXPECT_EQ(r.field(3, "msg"), Value::ofStr("SET_VRING_ENABLE"));
}

TEST(TextReader, DmesgDetectedAndNonUtf8Survives) {
  std::string p = tmpFile("d.txt",
                          "[    0.000000] Linux version 6.1.0\n"
                          "[    1.5] bad bytes \xff\xfe\xc3 here\n"
                          "[   15.611647] virtsnd_pcm_msg_send: adding buffer #1 to avail\n"
                          "[   15.611700] \xff virtsnd_pcm_pointer: return pointer to buffer #1\n"
                          "[   15.611800] virtsnd_pcm_msg_complete: interruption, buffer #1 at consume\n");
  Read r(p);
  ASSERT_TRUE(r.opened) << renderAll(r.d);
  EXPECT_EQ(r.format, "dmesg");
  ASSERT_EQ(r.evs.size(), 3u) << renderAll(r.d);
  EXPECT_EQ(r.name(0), "snd_add_avail");
  EXPECT_EQ(r.evs[0].ts, 15611647000);
  EXPECT_EQ(r.evs[0].origin.line, 3u);
  EXPECT_EQ(r.name(1), "snd_pointer");
  EXPECT_EQ(r.field(1, "buffer"), Value::ofInt(1));
  EXPECT_EQ(r.name(2), "snd_complete");
  EXPECT_EQ(r.evs[0].thread, r.evs[2].thread);  // one thread per source
  EXPECT_FALSE(r.d.hasErrors());
}

TEST(TextReader, BadFieldIsDiagnosedWithFileLineCol) {
  std::string p = tmpFile("bad.log",
                          "1@1.0:vhost_user_write req:5 flags:0x9\n"
                          "1@1.1:vhost_user_write req:99999999999999999999 flags:0x9\n"
                          "1@1.2:vhost_user_read req:5 flags:0x5\n");
  Read r(p, "qemu");
  ASSERT_TRUE(r.opened);
  EXPECT_EQ(r.evs.size(), 2u);
  ASSERT_EQ(r.d.errorCount(), 1u);
  const auto& e = r.d.all()[0];
  EXPECT_EQ(e.code, "trace-text");
  EXPECT_EQ(e.loc.file, p);
  EXPECT_EQ(e.loc.line, 2u);
  EXPECT_EQ(e.loc.col, 28u);
  EXPECT_EQ(e.span, 20u);
  EXPECT_EQ(r.evs[1].origin.line, 3u);
}

TEST(TextReader, TenMegabyteLine) {
  std::string big(10u << 20, 'x');
  std::string p =
      tmpFile("big.log", "1@1.0:vhost_user_write req:1 flags:0x1\n1@1.0:" + big +
                             "\n1@1.0:vhost_user_write req:2 flags:0x1\n1@1.0:vhost_user_write req:3 " + big + "\n");
  Read r(p, "qemu");
  ASSERT_TRUE(r.opened);
  // The long line of x is the catch-all event with no args; the last is a catch-all too.
  ASSERT_EQ(r.evs.size(), 4u) << renderAll(r.d);
  EXPECT_EQ(r.evs[2].origin.line, 3u);
  EXPECT_EQ(r.field(2, "req"), Value::ofInt(2));
  EXPECT_EQ(r.evs[3].origin.line, 4u);
}

TEST(TextReader, LineLongerThanTheLimitIsSkipped) {
  std::string p = tmpFile("huge.log", "1@1.0:a\n1@1.0:" + std::string(3u << 20, 'y') + "\n1@1.0:b\n");
  TraceTables t;
  Diagnostics d;
  ReaderOptions o;
  o.format = "qemu";
  o.maxLineBytes = 1u << 20;
  auto r = openTrace(p, o, t, d);
  ASSERT_TRUE(r);
  Event ev;
  std::vector<uint64_t> lines;
  while (r->next(ev)) lines.push_back(ev.origin.line);
  EXPECT_EQ(lines, (std::vector<uint64_t>{1, 3}));
  ASSERT_EQ(d.all().size(), 1u);
  EXPECT_EQ(d.all()[0].code, "trace-line-too-long");
  EXPECT_EQ(d.all()[0].loc.line, 2u);
}

TEST(TextReader, FtraceAndEnvLogger) {
  std::string f = tmpFile("trace.txt",
                          "# tracer: function\n#\n"
                          "            bash-1977  [000] .... 17284.993652: sys_close <-system_call_fastpath\n"
                          "  kworker/u4:2-95      [001] d..2.   123.456789: vring_interrupt <-vp_interrupt\n");
  Read a(f);
  ASSERT_TRUE(a.opened) << renderAll(a.d);
  EXPECT_EQ(a.format, "ftrace");
  ASSERT_EQ(a.evs.size(), 2u);
  EXPECT_EQ(a.t.threads.at(a.evs[1].thread).name, "kworker/u4:2");
  EXPECT_EQ(a.t.threads.at(a.evs[1].thread).tid, 95);
  std::string g = tmpFile("rust.log",
                          "[2022-07-11T02:12:24Z ERROR vhost_device_gpio] Fatal error\n"
                          "continuation of a message\n"
                          "[2022-07-11T02:12:25Z INFO  vhost_device_gpio] ok\n");
  Read b(g);
  ASSERT_TRUE(b.opened) << renderAll(b.d);
  EXPECT_EQ(b.format, "env_logger");
  ASSERT_EQ(b.evs.size(), 2u);
  EXPECT_EQ(b.field(1, "level"), Value::ofStr("INFO"));
  EXPECT_EQ(b.evs[1].origin.line, 3u);
}

TEST(TextReader, ByteOrderMarkIsNotPartOfTheFirstLine) {
  std::string p = tmpFile("bom.log",
                          "\xEF\xBB\xBF"
                          "1@1.0:vhost_user_write req:x1 flags:0x1\n1@1.0:vhost_user_write req:2 flags:0x1\n");
  Read r(p, "qemu");
  ASSERT_TRUE(r.opened);
  ASSERT_EQ(r.evs.size(), 2u);  // line 1: the catch-all (req:x1 is not the specific shape)
  EXPECT_EQ(r.evs[0].origin.line, 1u);
  EXPECT_EQ(r.name(0), "vhost_user_write");
  EXPECT_EQ(r.name(1), "qemu_vu_write");
}

TEST(TextReader, BareQemuLogIsDetected) {
  std::string p = tmpFile("bare.log",
                          "vhost_user_write req:1 flags:0x1\n"
                          "vhost_user_read req:1 flags:0x5\n"
                          "virtqueue_pop vq 0x1 elem 0x2 in_num 1 out_num 0\n");
  Read r(p);
  ASSERT_TRUE(r.opened) << renderAll(r.d);
  EXPECT_EQ(r.format, "qemu");
  EXPECT_EQ(r.evs.size(), 3u);
}

TEST(TextReader, MapNamesForInputFormat) {
  EXPECT_TRUE(isTextMapName("qemu", {}));
  EXPECT_TRUE(isTextMapName("dmesg", {}));
  EXPECT_TRUE(isTextMapName("/some/where/mine.map.json", {}));
  EXPECT_FALSE(isTextMapName("no-such-map", {}));
}

TEST(TextReader, UnknownTextIsAnError) {
  std::string p = tmpFile("prose.txt", "hello world, this is not a log\nnor this\n");
  Read r(p);
  EXPECT_FALSE(r.opened);
  ASSERT_TRUE(r.d.hasErrors());
  EXPECT_EQ(r.d.all()[0].code, "trace-format");
}

}  // namespace
}  // namespace vc
