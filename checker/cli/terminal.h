// The terminal side of the CLI: whether to colour (--color, NO_COLOR, a terminal or not) and the
// progress line of a long check on stderr (only on a terminal, never with --quiet).
#pragma once

#include <chrono>
#include <cstdint>
#include <string>
#include <vector>

#include "app/commands.h"

namespace vc::cli {

class Terminal {
 public:
  // colorMode: auto | always | never. auto = the stream is a terminal, NO_COLOR is unset or
  // empty, and TERM is not "dumb".
  Terminal(const std::string& colorMode, bool quiet);
  bool colorStdout() const { return colorOut_; }
  bool colorStderr() const { return colorErr_; }
  // stderr is a terminal and no --quiet.
  bool progressWanted() const { return progress_; }

  // The traces about to be read: their sizes give the ETA (files; not pipes or CTF folders).
  void startProgress(const std::vector<std::string>& traces);
  // Redraws the line, at most 5 times a second, once the check has run for a while
  // (VCONFORM_PROGRESS_AFTER_MS, default 1000: short runs print nothing).
  void progress(const Progress& p);
  // Erases the line, if one was drawn.
  void endProgress();

 private:
  bool colorOut_ = false, colorErr_ = false, progress_ = false;
  bool drawn_ = false;
  std::chrono::steady_clock::time_point start_, lastDraw_;
  uint64_t bytes0_ = 0;  // bytes the process had read when the check started
  uint64_t total_ = 0;   // bytes of the trace files, if all are regular files
  bool totalKnown_ = false;
  uint64_t afterMs_ = 1000;
  uint64_t events_ = 0;
};

}  // namespace vc::cli
