// Facts about this build, set in one place (the top CMakeLists.txt's project() version and the
// install layout) and compiled into one small configured file, build-info.cc.
#pragma once

#include <string>

namespace vc {

// "0.1.0": the CMake project version. --version, the JSON and SARIF reports and the man page say it.
const char* versionString();

// Where the shipped data (specs/, maps/, sync/) lives, relative to the directory of the
// executable: "../share/vconform" after `cmake --install` (bin/ and share/ side by side), and in a
// build tree, where CMake stages share/vconform as links to the source tree. Never a source path.
const char* dataDirFromExecutable();

// The shipped data folder of one kind ("maps", "sync", "specs"): <exe dir>/<dataDirFromExecutable>/KIND,
// or empty when the executable's path is unknown.
std::string shippedDataDir(const std::string& kind);

}  // namespace vc
