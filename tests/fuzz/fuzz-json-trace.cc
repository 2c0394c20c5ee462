// Fuzz target: the JSON trace reader (lines, arrays, {"events": [...]}) streamed from memory, and
// the check engine with happens-before on whatever events it yields (ids, after lists, syncs).
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <string_view>

#include "check/engine.h"
#include "spec/model.h"
#include "trace/json-reader.h"

namespace {

constexpr std::string_view kSpec =
    "spec f cite \"fuzz\"\n"
    "event a(p)\nevent b(p)\nevent o()\nevent c()\n"
    "state g = o .. c\n"
    "rule x cite \"f\" says \"f\":\n  forall p: a(p) before b(p)\n"
    "rule y cite \"f\" says \"f\":\n  forall p: a(p) leadsto b(p) within 10ns\n"
    "rule z cite \"f\" says \"f\":\n  a during g\n"
    "rule w cite \"f\" says \"f\":\n  a precedes b\n";
constexpr std::string_view kSync =
    "event s(k)\nevent r(k)\nevent o()\nevent c()\n"
    "sync message s(k) -> r(k)\n"
    "sync release c -> o\n";

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  vc::TraceTables tables;
  vc::Spec spec;
  vc::Diagnostics diags;
  if (!vc::loadSpecText("fuzz.spec", kSpec, spec, tables.symbols, diags) ||
      !vc::loadSpecText("fuzz.sync", kSync, spec, tables.symbols, diags))
    __builtin_trap();  // the fixed spec must load
  if (size == 0) return 0;
  uint32_t src = tables.sources.add(vc::Source::make("fuzz.jsonl", "json"));
  vc::JsonTraceReader reader(vc::Input::fromBytes(std::string(reinterpret_cast<const char*>(data), size), "fuzz.jsonl"),
                             src, tables, diags);
  vc::CheckOptions opts;
  opts.predictBudget = 20000;
  (void)vc::check(spec, reader, tables, opts, diags);
  (void)vc::renderAll(diags);
  return 0;
}
