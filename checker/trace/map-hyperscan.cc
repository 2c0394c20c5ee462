#include "trace/map-hyperscan.h"

#include <dlfcn.h>

#include <algorithm>
#include <cstdlib>

#if __has_include(<hs/hs.h>)
#include <hs/hs.h>
#define VC_HS_HEADERS 1
#endif

namespace vc {

#ifdef VC_HS_HEADERS
namespace {

struct HsApi {
  decltype(&hs_compile_multi) compileMulti = nullptr;
  decltype(&hs_free_compile_error) freeCompileError = nullptr;
  decltype(&hs_alloc_scratch) allocScratch = nullptr;
  decltype(&hs_free_scratch) freeScratch = nullptr;
  decltype(&hs_free_database) freeDatabase = nullptr;
  decltype(&hs_scan) scan = nullptr;
  bool ok = false;
};

const HsApi& api() {
  static const HsApi a = [] {
    HsApi x;
    if (const char* off = std::getenv("VCONFORM_NO_HYPERSCAN"); off && *off && *off != '0') return x;
    void* h = ::dlopen("libhs.so.5", RTLD_NOW | RTLD_LOCAL);
    if (!h) return x;
    x.compileMulti = reinterpret_cast<decltype(x.compileMulti)>(::dlsym(h, "hs_compile_multi"));
    x.freeCompileError = reinterpret_cast<decltype(x.freeCompileError)>(::dlsym(h, "hs_free_compile_error"));
    x.allocScratch = reinterpret_cast<decltype(x.allocScratch)>(::dlsym(h, "hs_alloc_scratch"));
    x.freeScratch = reinterpret_cast<decltype(x.freeScratch)>(::dlsym(h, "hs_free_scratch"));
    x.freeDatabase = reinterpret_cast<decltype(x.freeDatabase)>(::dlsym(h, "hs_free_database"));
    x.scan = reinterpret_cast<decltype(x.scan)>(::dlsym(h, "hs_scan"));
    x.ok = x.compileMulti && x.freeCompileError && x.allocScratch && x.freeScratch && x.freeDatabase && x.scan;
    return x;  // the library stays loaded for the life of the process
  }();
  return a;
}

}  // namespace

std::shared_ptr<const HsPrefilter> HsPrefilter::build(const std::vector<std::string>& regexes) {
  const HsApi& a = api();
  if (!a.ok || regexes.empty()) return nullptr;
  std::vector<const char*> exprs;
  std::vector<unsigned> flags, ids;
  for (size_t i = 0; i < regexes.size(); ++i) {
    exprs.push_back(regexes[i].c_str());
    flags.push_back(HS_FLAG_SINGLEMATCH);  // bytes, '.' not matching '\n': RE2's Latin-1 mode
    ids.push_back(static_cast<unsigned>(i));
  }
  hs_database_t* db = nullptr;
  hs_compile_error_t* err = nullptr;
  if (a.compileMulti(exprs.data(), flags.data(), ids.data(), static_cast<unsigned>(exprs.size()), HS_MODE_BLOCK,
                     nullptr, &db, &err) != HS_SUCCESS) {
    if (err) a.freeCompileError(err);
    return nullptr;
  }
  std::shared_ptr<HsPrefilter> p(new HsPrefilter());
  p->db_ = db;
  return p;
}

HsPrefilter::~HsPrefilter() {
  if (db_) api().freeDatabase(static_cast<hs_database_t*>(db_));
}

HsPrefilter::Scratch::~Scratch() {
  if (s) api().freeScratch(static_cast<hs_scratch_t*>(s));
}

std::unique_ptr<HsPrefilter::Scratch> HsPrefilter::newScratch() const {
  auto sc = std::make_unique<Scratch>();
  hs_scratch_t* s = nullptr;
  if (api().allocScratch(static_cast<const hs_database_t*>(db_), &s) != HS_SUCCESS) return nullptr;
  sc->s = s;
  return sc;
}

bool HsPrefilter::scan(std::string_view text, Scratch& scratch, std::vector<int>& hits) const {
  hits.clear();
  if (text.size() > 0xffffffffu) return false;
  auto onMatch = [](unsigned id, unsigned long long, unsigned long long, unsigned, void* ctx) -> int {
    static_cast<std::vector<int>*>(ctx)->push_back(static_cast<int>(id));
    return 0;
  };
  if (api().scan(static_cast<const hs_database_t*>(db_), text.data(), static_cast<unsigned>(text.size()), 0,
                 static_cast<hs_scratch_t*>(scratch.s), onMatch, &hits) != HS_SUCCESS)
    return false;
  std::sort(hits.begin(), hits.end());
  return true;
}

#else  // no Hyperscan headers at build time: always RE2::Set

std::shared_ptr<const HsPrefilter> HsPrefilter::build(const std::vector<std::string>&) { return nullptr; }
HsPrefilter::~HsPrefilter() = default;
HsPrefilter::Scratch::~Scratch() = default;
std::unique_ptr<HsPrefilter::Scratch> HsPrefilter::newScratch() const { return nullptr; }
bool HsPrefilter::scan(std::string_view, Scratch&, std::vector<int>&) const { return false; }

#endif

}  // namespace vc
