// Fuzz target: the spec language (lexer, parser, resolver). A spec that loads is also run over a
// small trace, so the automata built from arbitrary rules are exercised too.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "check/engine.h"
#include "spec/model.h"

namespace {

class OneShot : public vc::TraceReader {
 public:
  explicit OneShot(vc::TraceTables& t) : t_(t) {}
  bool next(vc::Event& ev) override {
    static const char* names[] = {"a", "b", "q", "r", "o", "c", "set_vring_enable", "handle_event"};
    if (i_ >= 24) return false;
    ev.clear();
    ev.name = t_.symbols.intern(names[i_ % 8]);
    ev.thread = t_.threads.intern(0, 1, static_cast<int64_t>(i_ % 3));
    ev.hasTs = true;
    ev.ts = static_cast<int64_t>(i_ / 2);
    for (const char* f : {"p", "v", "vring", "enable", "seq"})
      ev.fields.push_back(vc::Field{t_.symbols.intern(f), vc::Value::ofInt(static_cast<int64_t>(i_ % 2))});
    ev.origin.line = ++i_;
    return true;
  }

 private:
  vc::TraceTables& t_;
  uint64_t i_ = 0;
};

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view text(reinterpret_cast<const char*>(data), size);
  vc::TraceTables tables;
  tables.sources.add(vc::Source::make("fuzz.jsonl", "json"));
  vc::Spec spec;
  vc::Diagnostics diags;
  if (!vc::loadSpecText("fuzz.spec", text, spec, tables.symbols, diags)) {
    (void)vc::renderAll(diags);
    return 0;
  }
  OneShot reader(tables);
  vc::CheckOptions opts;
  opts.predictBudget = 20000;
  (void)vc::check(spec, reader, tables, opts, diags);
  return 0;
}
