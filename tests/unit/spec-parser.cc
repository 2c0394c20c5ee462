// The spec front end: what it accepts, and the exact text of its diagnostics.
#include <gtest/gtest.h>

#include "spec/lexer.h"
#include "spec/model.h"
#include "spec/parser.h"

namespace vc {
namespace {

TEST(SpecLexer, RuleIdsNumbersDurationsAndOperators) {
  auto toks = spec::lex("rule virtio-2.1.2 a->b x..y 0x1f 0b101 -3 5ms \"s\\\"q\" # c\n");
  std::vector<spec::Tok> kinds;
  for (const auto& t : toks) kinds.push_back(t.kind);
  using spec::Tok;
  std::vector<Tok> want = {Tok::Ident, Tok::Ident, Tok::Ident, Tok::Arrow, Tok::Ident, Tok::Ident, Tok::DotDot,
                           Tok::Ident, Tok::Int,   Tok::Int,   Tok::Int,   Tok::Duration, Tok::String, Tok::End};
  EXPECT_EQ(kinds, want);
  EXPECT_EQ(toks[1].text, "virtio-2.1.2");
  EXPECT_EQ(toks[8].value, 31);
  EXPECT_EQ(toks[9].value, 5);
  EXPECT_EQ(toks[10].value, -3);
  EXPECT_EQ(toks[11].value, 5000000);
  EXPECT_EQ(toks[12].text, "s\"q");
}

TEST(SpecParser, ResolvesAFullRule) {
  SymbolTable sym;
  Spec spec;
  Diagnostics d;
  ASSERT_TRUE(loadSpecText("x.spec",
                           "spec x cite \"doc\"\nconst ON = 1 << 0 | 2\nevent e(v, w) from \"p:e\"\nevent f(v)\n"
                           "state s(v) = e(v, w == ON) .. f(v)\n"
                           "rule r cite \"c\" says \"s\":\n  forall v:\n    f(v) during s(v)\n    between e(v) and f(v)\n",
                           spec, sym, d))
      << renderAll(d);
  ASSERT_EQ(spec.rules.size(), 1u);
  const Rule& r = spec.rules[0];
  EXPECT_EQ(r.rel, RelKind::During);
  EXPECT_EQ(r.scope, ScopeKind::Between);
  EXPECT_EQ(r.params, std::vector<std::string>{"v"});
  ASSERT_EQ(r.roles[roleIndex(kOpen)].size(), 1u);
  const Matcher& open = r.roles[roleIndex(kOpen)][0];
  EXPECT_EQ(sym.name(open.names.at(0)), "p:e");
  ASSERT_EQ(open.preds.size(), 1u);
  EXPECT_EQ(open.preds[0].value.i, 3);
  EXPECT_EQ(r.text, "rule r cite \"c\" says \"s\":\n  forall v:\n    f(v) during s(v)\n    between e(v) and f(v)");
}

TEST(SpecParser, DiagnosticTextIsPinned) {
  SymbolTable sym;
  Spec spec;
  Diagnostics d;
  EXPECT_FALSE(loadSpecText("x.spec", "event a(p)\nrule r cite \"c\":\n  a(p) befor a(p)\n", spec, sym, d));
  ASSERT_EQ(d.errorCount(), 1u);
  EXPECT_EQ(render(d.all()[0]),
            "x.spec:3:8: error: expected a relation after the event pattern, found 'befor' [spec-syntax]\n"
            " 3 |   a(p) befor a(p)\n"
            "   |        ^^^^^\n"
            "  = help: relations: before, leadsto, during, precedes, causes, alternates [weakly], excludes, "
            "coincides, subclock; or start with never / exists / at most N\n");
}

TEST(SpecParser, RecoversToReportEveryBadItem) {
  SymbolTable sym;
  Spec spec;
  Diagnostics d;
  EXPECT_FALSE(loadSpecText("x.spec", "event a(\nevent b(p\nrule : x\nrule ok cite \"c\" says \"s\": never a\nfoo\n", spec,
                            sym, d));
  EXPECT_EQ(d.errorCount(), 4u) << renderAll(d);
}

TEST(SpecParser, BinaryInputIsAnErrorNotACrash) {
  SymbolTable sym;
  Spec spec;
  Diagnostics d;
  std::string junk("\x01\xff\x00\x80rule", 8);
  EXPECT_FALSE(loadSpecText("x.spec", junk, spec, sym, d));
  EXPECT_TRUE(d.hasErrors());
}

}  // namespace
}  // namespace vc
