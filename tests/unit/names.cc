// LTTng event names carry their provider (`provider:event`): a spec's `event x` matches them.
#include <gtest/gtest.h>

#include "test-util.h"

namespace vc {
namespace {

TEST(NameResolver, QualifiedTraceNamesMatchTheSpecsEvent) {
  TraceTables tables;
  tables.sources.add(Source::make("t", "ctf"));
  Spec spec;
  Diagnostics diags;
  ASSERT_TRUE(loadSpecText("n.spec",
                           "event a(p)\nevent b(p)\n"
                           "rule r cite \"t\" says \"t\":\n  forall p: a(p) before b(p)\n",
                           spec, tables.symbols, diags))
      << renderAll(diags);
  ASSERT_TRUE(loadSpecText("n.sync", "event pub(k)\nevent obs(k)\nsync release pub(k) -> obs(k)\n", spec,
                           tables.symbols, diags))
      << renderAll(diags);
  // b is on another thread, after an observe of the publish that follows a: ordered.
  std::vector<Event> evs = {test::ev(tables, 1, "prov:a", {{"p", 0}}), test::ev(tables, 1, "prov:pub", {{"k", 1}}),
                            test::ev(tables, 2, "prov:obs", {{"k", 1}}), test::ev(tables, 2, "prov:b", {{"p", 0}})};
  test::VectorReader reader(evs);
  CheckResult res = check(spec, reader, tables, CheckOptions{}, diags);
  EXPECT_TRUE(res.violations.empty());
  EXPECT_EQ(res.ruleStats[0].events, 2u);
  EXPECT_EQ(res.syncEdges, 1u);
  // Without the sync events, b may come first: predicted.
  std::vector<Event> unsynced = {test::ev(tables, 1, "prov:a", {{"p", 0}}), test::ev(tables, 2, "prov:b", {{"p", 0}})};
  test::VectorReader r2(unsynced);
  CheckResult res2 = check(spec, r2, tables, CheckOptions{}, diags);
  ASSERT_EQ(res2.violations.size(), 1u);
  EXPECT_EQ(res2.violations[0].kind, ViolationKind::Predicted);
}

TEST(NameResolver, AnEventTheSpecNamesExactlyIsNotRewritten) {
  SymbolTable t;
  Symbol x = t.intern("x");
  Symbol px = t.intern("p:x");
  NameResolver r;
  EXPECT_EQ(r.resolve(px, t, [&](Symbol s) { return s == x; }), x);
  NameResolver r2;
  EXPECT_EQ(r2.resolve(px, t, [&](Symbol s) { return s == x || s == px; }), px);
  Symbol y = t.intern("p:y");
  EXPECT_EQ(r.resolve(y, t, [&](Symbol s) { return s == x; }), y);
}

}  // namespace
}  // namespace vc
