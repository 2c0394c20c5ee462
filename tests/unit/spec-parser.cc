// The spec front end: what it accepts, and the exact text of its diagnostics.
#include <gtest/gtest.h>

#include <fstream>

#include "diag/source-lines.h"
#include "spec/lexer.h"
#include "spec/model.h"
#include "spec/parser.h"

namespace vc {
namespace {

TEST(SpecLexer, RuleIdsNumbersDurationsAndOperators) {
  auto toks = spec::lex("rule virtio-2.1.2 a->b x..y 0x1f 0b101 == -3 5ms \"s\\\"q\" # c\n");
  std::vector<spec::Tok> kinds;
  for (const auto& t : toks) kinds.push_back(t.kind);
  using spec::Tok;
  std::vector<Tok> want = {Tok::Ident, Tok::Ident,  Tok::Ident,    Tok::Arrow,  Tok::Ident,
                           Tok::Ident, Tok::DotDot, Tok::Ident,    Tok::Int,    Tok::Int,
                           Tok::EqEq,  Tok::Int,    Tok::Duration, Tok::String, Tok::End};
  EXPECT_EQ(kinds, want);
  EXPECT_EQ(toks[1].text, "virtio-2.1.2");
  EXPECT_EQ(toks[8].value, 31);
  EXPECT_EQ(toks[9].value, 5);
  EXPECT_EQ(toks[11].value, -3);
  EXPECT_EQ(toks[12].value, 5000000);
  EXPECT_EQ(toks[13].text, "s\"q");
}

TEST(SpecLexer, MinusAfterAValueIsAnOperator) {
  using spec::Tok;
  auto kinds = [](std::string_view src) {
    std::vector<Tok> out;
    for (const auto& t : spec::lex(src)) out.push_back(t.kind);
    return out;
  };
  // After a name, a number or ')': the operator; elsewhere the sign of a number.
  EXPECT_EQ(kinds("idx - 1"), (std::vector<Tok>{Tok::Ident, Tok::Minus, Tok::Int, Tok::End}));
  EXPECT_EQ(kinds("(x) -1"), (std::vector<Tok>{Tok::LParen, Tok::Ident, Tok::RParen, Tok::Minus, Tok::Int, Tok::End}));
  EXPECT_EQ(kinds("v == -1"), (std::vector<Tok>{Tok::Ident, Tok::EqEq, Tok::Int, Tok::End}));
  EXPECT_EQ(kinds("idx-1"), (std::vector<Tok>{Tok::Ident, Tok::End}));  // names may hold '-'
  EXPECT_EQ(kinds("a + b & ~c ^ d >> 2 << 1"),
            (std::vector<Tok>{Tok::Ident, Tok::Plus, Tok::Ident, Tok::Amp, Tok::Tilde, Tok::Ident, Tok::Caret,
                              Tok::Ident, Tok::Shr, Tok::Int, Tok::Shl, Tok::Int, Tok::End}));
}

TEST(SpecParser, ResolvesAFullRule) {
  SymbolTable sym;
  Spec spec;
  Diagnostics d;
  ASSERT_TRUE(
      loadSpecText("x.spec",
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
  EXPECT_FALSE(loadSpecText("x.spec", "event a(\nevent b(p\nrule : x\nrule ok cite \"c\" says \"s\": never a\nfoo\n",
                            spec, sym, d));
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

TEST(SpecLexer, NegativeLiteralsAreCheckedNotOverflowed) {
  // lexer.cc used to compute v * 10 + d past INT64_MAX on long negative literals (signed overflow).
  // Each after '==' (a '-' after a value is the minus operator).
  std::vector<spec::Token> toks;
  for (const char* lit :
       {"-9223372036854775808", "-9223372036854775809", "-99999999999999999999999", "-0x10", "-1_000"})
    toks.push_back(spec::lex(std::string("== ") + lit)[1]);
  using spec::Tok;
  ASSERT_EQ(toks.size(), 5u);
  EXPECT_EQ(toks[0].kind, Tok::Int);
  EXPECT_EQ(toks[0].value, INT64_MIN);
  EXPECT_EQ(toks[1].kind, Tok::Error);
  EXPECT_EQ(toks[1].text, "integer too large (the range is -2^63 to 2^64-1)");
  EXPECT_EQ(toks[1].len, 20u);
  EXPECT_EQ(toks[2].kind, Tok::Error);
  EXPECT_EQ(toks[3].kind, Tok::Int);
  EXPECT_EQ(toks[3].value, -16);
  EXPECT_EQ(toks[4].kind, Tok::Int);
  EXPECT_EQ(toks[4].value, -1000);
}

TEST(SpecLexer, LargeLiteralsAndDurations) {
  auto toks = spec::lex("0xffffffffffffffff 18446744073709551616 -5ms 9223372036s 9223372037s 5h");
  using spec::Tok;
  ASSERT_EQ(toks.size(), 7u);
  EXPECT_EQ(toks[0].kind, Tok::Int);
  EXPECT_EQ(toks[0].value, -1);  // a 64-bit mask keeps its bits
  EXPECT_EQ(toks[1].kind, Tok::Error);
  EXPECT_EQ(toks[2].kind, Tok::Error);
  EXPECT_EQ(toks[2].text, "a duration cannot be negative");
  EXPECT_EQ(toks[3].kind, Tok::Duration);
  EXPECT_EQ(toks[3].value, 9223372036000000000);
  EXPECT_EQ(toks[4].kind, Tok::Error);
  EXPECT_EQ(toks[5].kind, Tok::Error);
  EXPECT_EQ(toks[5].text, "unknown unit 'h' (use ns, us, ms or s)");
}

TEST(SpecLexer, MinusAfterAStringIsAnOperator) {
  // `v == "x" -1` lexed -1 as a number: "found integer -1".
  using spec::Tok;
  std::vector<Tok> kinds;
  for (const auto& t : spec::lex("v == \"x\" -1")) kinds.push_back(t.kind);
  EXPECT_EQ(kinds, (std::vector<Tok>{Tok::Ident, Tok::EqEq, Tok::String, Tok::Minus, Tok::Int, Tok::End}));
  SymbolTable sym;
  Spec spec;
  Diagnostics d;
  EXPECT_FALSE(loadSpecText("x.spec", "event a(p, v)\nrule r cite \"c\":\n  forall p: never a(p, v == \"x\" -1)\n",
                            spec, sym, d));
  ASSERT_FALSE(d.all().empty());
  EXPECT_NE(render(d.all()[0]).find("'-' combines integers only"), std::string::npos) << renderAll(d);
}

TEST(SpecParser, LexerErrorIsReportedAsIs) {
  // `within -5ms` said "expected a duration such as 5ms, found a duration cannot be negative".
  SymbolTable sym;
  Spec spec;
  Diagnostics d;
  EXPECT_FALSE(loadSpecText("x.spec",
                            "event a(p)\nevent b(p)\nrule r cite \"c\":\n  forall p: a(p) leadsto b(p) within -5ms\n",
                            spec, sym, d));
  ASSERT_EQ(d.errorCount(), 1u) << renderAll(d);
  const std::string first = render(d.all()[0]);
  EXPECT_NE(first.find("x.spec:4:38: error: a duration cannot be negative [spec-syntax]"), std::string::npos) << first;
  // The same in a value: the lexer's message, not "expected a value ..., found ...".
  Diagnostics d2;
  EXPECT_FALSE(loadSpecText("x.spec", "const X = 99999999999999999999999\n", spec, sym, d2));
  ASSERT_FALSE(d2.all().empty());
  EXPECT_NE(render(d2.all()[0]).find("error: integer too large (the range is -2^63 to 2^64-1)"), std::string::npos)
      << renderAll(d2);
}

TEST(SpecLexer, EscapedLineEndDoesNotHideALine) {
  // A backslash at the end of a line used to swallow the newline: every later line number was off.
  auto toks = spec::lex("\"abc\\\nrule");
  ASSERT_EQ(toks.size(), 3u);
  EXPECT_EQ(toks[0].kind, spec::Tok::Error);
  EXPECT_EQ(toks[1].kind, spec::Tok::Ident);
  EXPECT_EQ(toks[1].line, 2u);
  EXPECT_EQ(toks[1].col, 1u);
}

TEST(SourceLines, IndexesEveryLine) {
  SourceLines a("one\r\ntwo\n\nfour");
  EXPECT_EQ(a.count(), 4u);
  EXPECT_EQ(a.line(1), "one");
  EXPECT_EQ(a.line(2), "two");
  EXPECT_EQ(a.line(3), "");
  EXPECT_EQ(a.line(4), "four");
  EXPECT_EQ(a.line(5), "");
  EXPECT_EQ(a.line(0), "");
  SourceLines b("x\n");
  EXPECT_EQ(b.count(), 1u);
  EXPECT_EQ(b.line(1), "x");
  EXPECT_EQ(SourceLines("").count(), 0u);
  EXPECT_EQ(SourceLines("\n").line(1), "");
}

TEST(SpecParser, ATraceGivenAsSpecStopsAfterFiftyErrors) {
  // 100k lines that are no spec: every line is an error. The parser keeps the first 50, with their
  // snippets, and stops (this was quadratic: 100k lines did not finish in 20 s).
  std::string text;
  for (int i = 1; i <= 100000; ++i) text += "{\"name\":\"x" + std::to_string(i) + "\"}\n";
  SymbolTable sym;
  Spec spec;
  Diagnostics d;
  EXPECT_FALSE(loadSpecText("t.spec", text, spec, sym, d));
  EXPECT_EQ(d.errorCount(), 50u);
  ASSERT_EQ(d.all().size(), 51u);
  EXPECT_EQ(d.all()[49].loc.line, 50u);
  EXPECT_EQ(d.all()[49].snippet, "{\"name\":\"x50\"}");
  EXPECT_EQ(render(d.all()[50]),
            "t.spec:51: note: stopped reading this file after 50 syntax errors [spec-syntax-stopped]\n"
            "  = help: is it a spec file? Fix these errors first\n");
}

TEST(SpecParser, FiftyErrorsAtTheEndAreAllReported) {
  std::string text;
  for (int i = 1; i <= 50; ++i) text += "oops\n";
  SymbolTable sym;
  Spec spec;
  Diagnostics d;
  EXPECT_FALSE(loadSpecText("t.spec", text, spec, sym, d));
  EXPECT_EQ(d.errorCount(), 50u);
  EXPECT_EQ(d.all().size(), 50u);  // nothing left to read: no note
}

TEST(SpecParser, SnippetOfAHugeLineIsCut) {
  std::string text = "event a(p)\n" + std::string(1 << 20, '(');
  SymbolTable sym;
  Spec spec;
  Diagnostics d;
  EXPECT_FALSE(loadSpecText("t.spec", text, spec, sym, d));
  ASSERT_FALSE(d.all().empty());
  EXPECT_LE(d.all()[0].snippet.size(), 256u);
  EXPECT_NE(render(d.all()[0]).find("((((..."), std::string::npos);
}

TEST(SpecParser, StateOverUndeclaredEventsIsAnErrorEvenUnused) {
  SymbolTable sym;
  Spec spec;
  Diagnostics d;
  EXPECT_FALSE(
      loadSpecText("x.spec", "event a(p)\nstate s(p) = a(p) .. nope(p)\nstate t(p) = a(q) .. a(p)\n", spec, sym, d));
  ASSERT_EQ(d.errorCount(), 2u) << renderAll(d);
  EXPECT_EQ(render(d.all()[0]),
            "x.spec:2:22: error: unknown event 'nope' [spec-semantic]\n"
            " 2 | state s(p) = a(p) .. nope(p)\n"
            "   |                      ^^^^\n"
            "  = help: declare it: event nope(field, ...)\n");
  EXPECT_EQ(d.all()[1].loc.line, 3u);
  EXPECT_EQ(d.all()[1].message, "event 'a' has no field 'q'");
}

TEST(SpecParser, BadStateIsReportedOnceWhenRulesUseIt) {
  SymbolTable sym;
  Spec spec;
  Diagnostics d;
  EXPECT_FALSE(
      loadSpecText("x.spec",
                   "event a(p)\nstate s(p) = a(p) .. a(p, x)\n"
                   "rule r1 cite \"c\": forall p: a(p) during s(p)\nrule r2 cite \"c\": forall p: a(p) during s(p)\n",
                   spec, sym, d));
  EXPECT_EQ(d.errorCount(), 1u) << renderAll(d);
  EXPECT_TRUE(spec.rules.empty());
}

TEST(SpecParser, StateBindingAForeignNameSaysState) {
  SymbolTable sym;
  Spec spec;
  Diagnostics d;
  EXPECT_FALSE(loadSpecText("x.spec", "event a(p, q)\nstate s(p) = a(q) .. a(p)\n", spec, sym, d));
  ASSERT_EQ(d.errorCount(), 1u) << renderAll(d);
  EXPECT_EQ(d.all()[0].message, "'q' is not a parameter here");
  EXPECT_EQ(d.all()[0].help, "add it to the state's parameters, or compare it: q == VALUE");
}

TEST(SpecParser, RuleTextStopsAtTheEndOfTheFile) {
  SymbolTable sym;
  Spec spec;
  Diagnostics d;
  ASSERT_TRUE(loadSpecText("x.spec", "event a(p)\nrule r cite \"c\":\n  never a", spec, sym, d)) << renderAll(d);
  ASSERT_EQ(spec.rules.size(), 1u);
  EXPECT_EQ(spec.rules[0].text, "rule r cite \"c\":\n  never a");
}

TEST(SpecFile, SizeCapAndSpecialFiles) {
  SymbolTable sym;
  Spec spec;
  Diagnostics d;
  // /dev/zero never ends: read with a bound, refused with a message.
  EXPECT_FALSE(loadSpecFile("/dev/zero", spec, sym, d));
  ASSERT_EQ(d.all().size(), 1u);
  EXPECT_EQ(render(d.all()[0]),
            "/dev/zero: error: this spec file is larger than 8 MiB: is it a spec file? [spec-too-large]\n"
            "  = help: a spec holds declarations and rules; split a generated one into several --spec files\n");
  d.clear();
  EXPECT_FALSE(loadSpecFile("/", spec, sym, d));
  ASSERT_EQ(d.all().size(), 1u);
  EXPECT_EQ(d.all()[0].message, "this is a directory, not a spec file");
}

TEST(SpecFile, NulByteHasItsPosition) {
  std::string path = ::testing::TempDir() + "/nul.spec";
  {
    std::ofstream o(path, std::ios::binary);
    o << "event a(p)\nrule r: ne" << '\0' << "ver a\n";
  }
  SymbolTable sym;
  Spec spec;
  Diagnostics d;
  EXPECT_FALSE(loadSpecFile(path, spec, sym, d));
  ASSERT_EQ(d.all().size(), 1u);
  EXPECT_EQ(d.all()[0].loc.line, 2u);
  EXPECT_EQ(d.all()[0].loc.col, 11u);
}

TEST(Diagnostics, ControlCharactersInPathsAndMessagesAreEscaped) {
  Diagnostic d;
  d.loc = Location{"a\nb.spec", 3, 4};
  d.message = "bad\tthing\x1b[31m";
  d.code = "x";
  EXPECT_EQ(render(d), "a\\x0ab.spec:3:4: error: bad\\x09thing\\x1b[31m [x]\n");
}

}  // namespace
}  // namespace vc
