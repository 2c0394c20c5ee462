#include "trace-writer.h"

#include <gtest/gtest.h>

#include <cstdio>
#include <fstream>
#include <sstream>
#include <thread>
#include <vector>

#include "events.h"

namespace vc::backend {
namespace {

TEST(TraceWriter, FormatsFormatV1) {
  std::string line;
  TraceWriter::formatLine(&line, "set_vring_enable", 1764075600123456789, 4242, 4243, "vu-socket",
                          {{"vring", 0u}, {"enable", 1u}});
  EXPECT_EQ(line,
            "{\"name\":\"set_vring_enable\",\"ts\":1764075600123456789,\"pid\":4242,\"tid\":4243,"
            "\"thread\":\"vu-socket\",\"fields\":{\"vring\":0,\"enable\":1}}");
}

TEST(TraceWriter, FormatsTypesAndEscapes) {
  std::string line;
  TraceWriter::formatLine(
      &line, "x", 1, 2, 3, "",
      {{"u", uint64_t{18446744073709551615ull}}, {"i", int64_t{-5}}, {"s", "a\"b\\c\n\x01"}, {"b", true}});
  EXPECT_EQ(line,
            "{\"name\":\"x\",\"ts\":1,\"pid\":2,\"tid\":3,\"fields\":{\"u\":18446744073709551615,"
            "\"i\":-5,\"s\":\"a\\\"b\\\\c\\n\\u0001\",\"b\":true}}");
}

TEST(TraceWriter, WholeLinesInPerThreadOrder) {
  const std::string path = ::testing::TempDir() + "/vc-trace-writer-test.jsonl";
  TraceWriter w;
  std::string err;
  ASSERT_TRUE(w.open(path, &err)) << err;
  Tracer t(&w);
  constexpr int kThreads = 4, kEvents = 5000;
  std::vector<std::thread> threads;
  for (int i = 0; i < kThreads; ++i) {
    threads.emplace_back([&t, i] {
      setCurrentThreadName("w" + std::to_string(i));
      for (int k = 0; k < kEvents; ++k) t.pop(static_cast<uint32_t>(i), 0, static_cast<uint32_t>(k), 16, 64, 1, 2);
    });
  }
  for (auto& th : threads) th.join();
  w.close();
  std::ifstream in(path);
  std::string line;
  std::vector<int> next(kThreads, 0);
  int lines = 0;
  int64_t last_ts = 0;
  ASSERT_TRUE(std::getline(in, line));
  EXPECT_EQ(line, "{\"meta\":{\"recorder\":\"backend\",\"clock\":\"realtime\"}}");  // first: what recorded it
  while (std::getline(in, line)) {
    ++lines;
    ASSERT_EQ(line.front(), '{');
    ASSERT_EQ(line.substr(line.size() - 2), "}}");
    unsigned vring = 0, idx = 0;
    long long ts = 0;
    ASSERT_EQ(std::sscanf(line.c_str(), "{\"name\":\"pop\",\"ts\":%lld", &ts), 1) << line;
    const size_t f = line.find("\"fields\":");
    ASSERT_EQ(std::sscanf(line.c_str() + f, "\"fields\":{\"vring\":%u,\"head\":0,\"avail_idx\":%u,", &vring, &idx), 2);
    EXPECT_EQ(line.substr(line.find(",\"out_len\"")), ",\"out_len\":16,\"in_len\":64,\"out_num\":1,\"in_num\":2}}");
    ASSERT_LT(vring, static_cast<unsigned>(kThreads));
    EXPECT_EQ(static_cast<int>(idx), next[vring]++);  // program order per thread
    EXPECT_GE(ts, last_ts);                           // timestamps taken under the lock
    last_ts = ts;
  }
  EXPECT_EQ(lines, kThreads * kEvents);
  std::remove(path.c_str());
}

}  // namespace
}  // namespace vc::backend
