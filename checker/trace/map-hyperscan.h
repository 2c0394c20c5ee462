// Optional Hyperscan prefilter for map patterns that are not "^literal..." (see LineMapper):
// finds which of them can match a line body, about 4x faster than RE2::Set (docs/performance.md).
// libhs is loaded at run time (dlopen "libhs.so.5", Debian package libhyperscan5), so vconform
// neither links nor requires it; without it, or when a pattern does not compile in Hyperscan, or
// when Hyperscan and RE2::Set disagree on a map's sample lines, RE2::Set is used.
// VCONFORM_NO_HYPERSCAN=1 turns it off.
#pragma once

#include <memory>
#include <string>
#include <string_view>
#include <vector>

namespace vc {

class HsPrefilter {
 public:
  // nullptr when Hyperscan is unavailable or cannot compile every regex (Latin-1 semantics).
  static std::shared_ptr<const HsPrefilter> build(const std::vector<std::string>& regexes);
  ~HsPrefilter();

  class Scratch {
   public:
    ~Scratch();
    void* s = nullptr;
  };
  std::unique_ptr<Scratch> newScratch() const;
  // Indices (into `regexes`) of the regexes that match somewhere in `text`, ascending.
  bool scan(std::string_view text, Scratch& scratch, std::vector<int>& hits) const;

 private:
  HsPrefilter() = default;
  void* db_ = nullptr;
};

}  // namespace vc
