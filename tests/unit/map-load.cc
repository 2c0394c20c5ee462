// Map files, loading (trace/map-load.h): sample checking, diagnostics with positions, size caps,
// where maps are found.
#include "trace/map-load.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>

#include "map-mini.h"

namespace vc {
namespace {

TEST(MapLoad, LoadsAndChecksSamples) {
  Diagnostics d;
  auto m = loadMapText("mini.map.json", test::kMini, d);
  ASSERT_TRUE(m) << renderAll(d);
  EXPECT_EQ(m->format, "mini");
  EXPECT_EQ(m->patterns.size(), 2u);
  EXPECT_EQ(m->samples, 2u);
}

TEST(MapLoad, FailingSampleIsALoadErrorAtItsLine) {
  std::string text = test::kMini;
  text.replace(text.find("\"x_hello\""), 9, "\"x_bye\"");
  Diagnostics d;
  EXPECT_FALSE(loadMapText("mini.map.json", text, d));
  ASSERT_EQ(d.all().size(), 1u) << renderAll(d);
  const auto& e = d.all()[0];
  EXPECT_EQ(e.loc.line, 13u);
  EXPECT_EQ(e.loc.col, 14u);
  EXPECT_EQ(e.message, "sample line produced event 'x_hello', expected 'x_bye'");
}

TEST(MapLoad, BadRegexPointsIntoTheRegex) {
  const char* text = R"J({"format": "b",
 "lines": [{"regex": ""}],
 "patterns": [{"regex": "ab(?P<x>cd", "event": "e"}]
})J";
  Diagnostics d;
  EXPECT_FALSE(loadMapText("b.map.json", text, d));
  ASSERT_GE(d.all().size(), 1u);
  const auto& e = d.all()[0];
  EXPECT_EQ(e.code, "map-file");
  EXPECT_EQ(e.loc.line, 3u);
  EXPECT_NE(e.message.find("bad regex"), std::string::npos) << e.message;
  EXPECT_GE(e.loc.col, 25u);
  EXPECT_EQ(e.snippet, R"J( "patterns": [{"regex": "ab(?P<x>cd", "event": "e"}])J");
}

TEST(MapLoad, BadFieldTypeAndUnknownCapture) {
  const char* text = R"J({"format": "b",
 "lines": [{"regex": ""}],
 "patterns": [{"regex": "(?P<x>\\d+)", "event": "e",
   "fields": {"x": "integer",
              "y": "int"}}]
})J";
  Diagnostics d;
  EXPECT_FALSE(loadMapText("b.map.json", text, d));
  ASSERT_EQ(d.all().size(), 2u) << renderAll(d);
  EXPECT_EQ(d.all()[0].loc.line, 4u);
  EXPECT_EQ(d.all()[0].loc.col, 20u);
  EXPECT_EQ(d.all()[0].message, "unknown field type 'integer'");
  EXPECT_EQ(d.all()[1].loc.line, 5u);
  EXPECT_NE(d.all()[1].message.find("capture 'y'"), std::string::npos);
}

TEST(MapLoad, InvalidJsonHasPosition) {
  Diagnostics d;
  EXPECT_FALSE(loadMapText("j.map.json", "{\"format\": \"x\",\n \"lines\": [}\n", d));
  ASSERT_EQ(d.all().size(), 1u);
  EXPECT_EQ(d.all()[0].loc.line, 2u);
  EXPECT_EQ(d.all()[0].loc.col, 12u);
}

// A key given twice in one object of a map file is an error at its second occurrence (one value
// won silently); the same key in different objects is fine.
TEST(MapLoad, DuplicateKeysAreErrorsAtTheSecondOne) {
  {
    Diagnostics d;
    EXPECT_FALSE(loadMapText("d.map.json", "{\"format\": \"x\",\n  \"format\": \"y\",\n \"patterns\": []}\n", d));
    ASSERT_EQ(d.errorCount(), 1u);
    EXPECT_EQ(d.all()[0].message, "duplicate key 'format'");
    EXPECT_EQ(d.all()[0].loc.line, 2u);
    EXPECT_EQ(d.all()[0].loc.col, 3u);
  }
  {
    Diagnostics d;
    std::string text =
        "{\"format\": \"x\", \"patterns\": [\n"
        " {\"id\": \"a\", \"regex\": \"^a\", \"event\": \"a\"},\n"
        " {\"id\": \"b\", \"regex\": \"^b \\\"id\\\": \", \"event\": \"b\", \"id\": \"c\"}]}\n";
    EXPECT_FALSE(loadMapText("d.map.json", text, d));
    ASSERT_EQ(d.errorCount(), 1u);
    EXPECT_EQ(d.all()[0].message, "duplicate key 'id'");
    EXPECT_EQ(d.all()[0].loc.line, 3u);
    EXPECT_EQ(d.all()[0].loc.col, text.rfind("\"id\"") - text.rfind('\n', text.size() - 2));
  }
}

// Every shipped map loads and its samples pass.
TEST(MapLoad, ShippedMapsLoad) {
  auto files = findMapFiles({std::string(VCONFORM_SOURCE_DIR) + "/specs/maps"});
  ASSERT_GE(files.size(), 4u);
  for (const auto& f : files) {
    Diagnostics d;
    auto m = loadMapFile(f, d);
    EXPECT_TRUE(m) << f << "\n" << renderAll(d);
    if (m) {
      EXPECT_GT(m->samples, 0u) << f;
    }
  }
}

// A map path that is a link to /dev/zero (or any huge file) is refused after kMaxMapFileBytes,
// not read until memory runs out (issue 14).
TEST(MapLoad, MapLinkedToDevZeroIsRefusedBySize) {
  std::string dir = ::testing::TempDir() + "/vc-map-zero";
  std::filesystem::create_directories(dir);
  std::string link = dir + "/zero.map.json";
  std::filesystem::remove(link);
  std::filesystem::create_symlink("/dev/zero", link);
  Diagnostics d;
  EXPECT_FALSE(loadMapFile(link, d));
  ASSERT_EQ(d.all().size(), 1u) << renderAll(d);
  EXPECT_EQ(d.all()[0].code, "map-too-large");
  EXPECT_EQ(d.all()[0].loc.file, link);
  std::filesystem::remove_all(dir);
}

TEST(MapLoad, DirectoryOrMissingMapIsAnError) {
  Diagnostics d;
  EXPECT_FALSE(loadMapFile(::testing::TempDir(), d));
  EXPECT_FALSE(loadMapFile(::testing::TempDir() + "/no-such.map.json", d));
  ASSERT_EQ(d.all().size(), 2u) << renderAll(d);
  EXPECT_EQ(d.all()[0].code, "map-open");
  EXPECT_NE(d.all()[0].message.find("directory"), std::string::npos);
  EXPECT_NE(d.all()[1].message.find("No such file"), std::string::npos);
}

// $VCONFORM_MAPS_DIR is the one environment variable for map directories: one or several
// directories separated by ':', searched before the shipped maps.
TEST(MapLoad, MapsDirEnvironmentVariable) {
  std::string a = ::testing::TempDir() + "/vc-maps-a", b = ::testing::TempDir() + "/vc-maps-b";
  std::filesystem::create_directories(a);
  std::filesystem::create_directories(b);
  std::ofstream(a + "/one.map.json") << "{}";
  std::ofstream(b + "/qemu.map.json") << "{}";  // shadows the shipped qemu map
  std::string v = a + "::" + b;
  ::setenv("VCONFORM_MAPS_DIR", v.c_str(), 1);
  auto dirs = defaultMapDirs();
  auto files = findMapFiles({});
  ::unsetenv("VCONFORM_MAPS_DIR");
  ASSERT_GE(dirs.size(), 2u);
  EXPECT_EQ(dirs[0], a);
  EXPECT_EQ(dirs[1], b);
  ASSERT_GE(files.size(), 2u);
  EXPECT_EQ(files[0], a + "/one.map.json");
  EXPECT_EQ(files[1], b + "/qemu.map.json");
  for (size_t i = 2; i < files.size(); ++i) EXPECT_FALSE(files[i].ends_with("/qemu.map.json")) << files[i];
  std::filesystem::remove_all(a);
  std::filesystem::remove_all(b);
}

}  // namespace
}  // namespace vc
