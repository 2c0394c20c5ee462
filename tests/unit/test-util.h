// Helpers shared by unit tests.
#pragma once

#include <string>
#include <vector>

#include "check/engine.h"
#include "spec/model.h"
#include "trace/reader.h"

namespace vc::test {

// A TraceReader over events held in memory.
class VectorReader : public TraceReader {
 public:
  explicit VectorReader(std::vector<Event> evs) : evs_(std::move(evs)) {}
  bool next(Event& ev) override {
    if (i_ >= evs_.size()) return false;
    ev = evs_[i_++];
    return true;
  }

 private:
  std::vector<Event> evs_;
  size_t i_ = 0;
};

// Builds events tersely: ev(tables, thread, "name", {{"p", 1}}).
inline Event ev(TraceTables& t, int tid, const std::string& name,
                std::vector<std::pair<std::string, int64_t>> fields = {}, int64_t ts = -1) {
  Event e;
  e.name = t.symbols.intern(name);
  e.thread = t.threads.intern(0, 1, tid);
  for (const auto& [k, v] : fields) e.fields.push_back(Field{t.symbols.intern(k), Value::ofInt(v)});
  if (ts >= 0) {
    e.hasTs = true;
    e.ts = ts;
  }
  return e;
}

}  // namespace vc::test
