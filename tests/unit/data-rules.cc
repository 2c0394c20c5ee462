// Rules about data (spec language v2): expressions in patterns, comparisons between fields of one
// event, constants wherever a number goes, registers (`let`), and their diagnostics.
#include <gtest/gtest.h>

#include <random>
#include <set>

#include "test-util.h"

namespace vc {
namespace {

constexpr const char* kDecls =
    "spec data cite \"t\"\nconst LIMIT = 2\nconst MASK = 0xffff\n"
    "event a(p, v, w)\nevent b(p, v, w)\nevent s(p, v)\n";

struct Ev {
  const char* name;
  int64_t p, v, w;
};

// The violations of `body` (a rule body after "forall p:") on `evs` (one thread, recorded order).
size_t violations(const std::string& body, const std::vector<Ev>& evs, std::string* firstMessage = nullptr) {
  TraceTables tables;
  tables.sources.add(Source::make("t.jsonl", "json"));
  Spec spec;
  Diagnostics diags;
  std::string text = std::string(kDecls) + "rule x cite \"t\" says \"t\":\n  forall p: " + body + "\n";
  EXPECT_TRUE(loadSpecText("t.spec", text, spec, tables.symbols, diags)) << body << "\n" << renderAll(diags);
  std::vector<Event> out;
  uint64_t line = 0;
  for (const auto& e : evs) {
    Event x = test::ev(tables, 1, e.name, {{"p", e.p}, {"v", e.v}, {"w", e.w}});
    x.origin.line = ++line;
    out.push_back(std::move(x));
  }
  test::VectorReader reader(std::move(out));
  CheckOptions opts;
  opts.order = OrderMode::Recorded;
  CheckResult res = check(spec, reader, tables, opts, diags);
  EXPECT_FALSE(diags.hasErrors()) << renderAll(diags);
  if (firstMessage && !res.violations.empty()) *firstMessage = res.violations[0].message;
  return res.violations.size();
}

std::string firstError(const std::string& text) {
  SymbolTable sym;
  Spec spec;
  Diagnostics d;
  EXPECT_FALSE(loadSpecText("x.spec", text, spec, sym, d));
  if (d.all().empty()) return "";
  return render(d.all()[0]);
}

TEST(DataRules, ArithmeticAndFieldComparisons) {
  // v + 1 == w, across fields of one event.
  EXPECT_EQ(violations("never a(p, w != v + 1)", {{"a", 0, 1, 2}, {"a", 0, 5, 6}}), 0u);
  EXPECT_EQ(violations("never a(p, w != v + 1)", {{"a", 0, 1, 2}, {"a", 0, 5, 7}}), 1u);
  // Precedence as in C: | below ^ below & below shifts below + -.
  EXPECT_EQ(violations("never a(p, v != 1 | 2 & 3 << 1 + 0)", {{"a", 0, 1 | (2 & (3 << 1)), 0}}), 0u);
}

TEST(DataRules, SixteenBitRingArithmetic) {
  // The wrap-aware "moves forward by at most half the ring" idiom.
  const char* body = "never a(p, (w - v) & MASK >= 0x8000)";
  EXPECT_EQ(violations(body, {{"a", 0, 65535, 0}, {"a", 0, 10, 11}, {"a", 0, 7, 7}}), 0u);
  EXPECT_EQ(violations(body, {{"a", 0, 0, 65535}}), 1u);
  EXPECT_EQ(violations("never a(p, ~v & 0xff == 0xfe)", {{"a", 0, 1, 0}}), 1u);
  EXPECT_EQ(violations("never a(p, v >> 4 == 3)", {{"a", 0, 0x35, 0}}), 1u);
  EXPECT_EQ(violations("never a(p, v == -1)", {{"a", 0, -1, 0}}), 1u);
  EXPECT_EQ(violations("never a(p, v - 1 == 4)", {{"a", 0, 5, 0}}), 1u);
}

TEST(DataRules, ConstantsWhereverANumberGoes) {
  EXPECT_EQ(violations("at most LIMIT a(p)", {{"a", 0, 0, 0}, {"a", 0, 0, 0}}), 0u);
  EXPECT_EQ(violations("at most LIMIT a(p)", {{"a", 0, 0, 0}, {"a", 0, 0, 0}, {"a", 0, 0, 0}}), 1u);
  EXPECT_EQ(violations("at most LIMIT + 1 a(p)", {{"a", 0, 0, 0}, {"a", 0, 0, 0}, {"a", 0, 0, 0}}), 0u);
}

TEST(DataRules, RegisterSampleSeesThePreviousValue) {
  // Never move backwards: each a's v is at least the previous a's.
  const char* body = "let last = a(p): v never a(p, v < last)";
  EXPECT_EQ(violations(body, {{"a", 0, 1, 0}, {"a", 0, 1, 0}, {"a", 0, 3, 0}}), 0u);
  std::string msg;
  EXPECT_EQ(violations(body, {{"a", 0, 1, 0}, {"a", 0, 3, 0}, {"a", 0, 2, 0}}, &msg), 1u);
  EXPECT_NE(msg.find("last"), std::string::npos) << msg;
  // Per instance: p = 1 has its own register.
  EXPECT_EQ(violations(body, {{"a", 0, 5, 0}, {"a", 1, 1, 0}, {"a", 0, 6, 0}}), 0u);
  // An unset register makes a comparison false, != included.
  EXPECT_EQ(violations("let last = b(p): v never a(p, v != last)", {{"a", 0, 1, 0}}), 0u);
  EXPECT_EQ(violations("let last = b(p): v never a(p, v != last)", {{"b", 0, 2, 0}, {"a", 0, 1, 0}}), 1u);
}

TEST(DataRules, AccumulatorsCountInFlight) {
  // At most LIMIT a's outstanding (an a is answered by a b).
  const char* body = "let n = 0 let n = a(p): n + 1 let n = b(p): n - 1 never a(p, n >= LIMIT)";
  EXPECT_EQ(violations(body, {{"a", 0, 0, 0}, {"a", 0, 0, 0}, {"b", 0, 0, 0}, {"a", 0, 0, 0}}), 0u);
  EXPECT_EQ(violations(body, {{"a", 0, 0, 0}, {"a", 0, 0, 0}, {"a", 0, 0, 0}}), 1u);
  // GET = SET + taken since (mod 2^16): a set then counted up, compared masked.
  const char* base = "let base = s(p): v let base = a(p): base + 1 never b(p, v != base & MASK)";
  EXPECT_EQ(violations(base, {{"s", 0, 65534, 0}, {"a", 0, 0, 0}, {"a", 0, 0, 0}, {"b", 0, 0, 0}}), 0u);
  EXPECT_EQ(violations(base, {{"s", 0, 3, 0}, {"a", 0, 0, 0}, {"b", 0, 3, 0}}), 1u);
  // An accumulator on an unset register stays unset.
  EXPECT_EQ(violations("let n = a(p): n + 1 never a(p, n >= 0)", {{"a", 0, 0, 0}, {"a", 0, 0, 0}}), 0u);
}

TEST(DataRules, BitsNeverCleared) {
  // A status bit once set stays set: the previous status's bits are all in the new one.
  const char* body = "let st = s(p): v never s(p, v & st != st, v != 0)";
  EXPECT_EQ(violations(body, {{"s", 0, 1, 0}, {"s", 0, 3, 0}, {"s", 0, 0, 0}, {"s", 0, 4, 0}}), 0u);
  EXPECT_EQ(violations(body, {{"s", 0, 1, 0}, {"s", 0, 3, 0}, {"s", 0, 2, 0}}), 1u);
}

TEST(DataRules, RegistersInScopesAndBeforeRelations) {
  // a's v equal to the last s's v: a before b, where only such a counts.
  const char* body = "let k = s(p): v a(p, v == k) before b(p)";
  EXPECT_EQ(violations(body, {{"s", 0, 4, 0}, {"a", 0, 4, 0}, {"b", 0, 0, 0}}), 0u);
  EXPECT_EQ(violations(body, {{"s", 0, 4, 0}, {"a", 0, 3, 0}, {"b", 0, 0, 0}}), 1u);
  // Broadcast update: an s without p sets every instance's register (and those made later).
  const char* bc = "let k = s: v never a(p, v == k)";
  EXPECT_EQ(violations(bc, {{"s", 9, 4, 0}, {"a", 0, 4, 0}}), 1u);
  EXPECT_EQ(violations(bc, {{"s", 9, 4, 0}, {"a", 0, 3, 0}, {"a", 1, 5, 0}}), 0u);
}

TEST(DataRules, ParameterNameAsAFieldIsTheField) {
  // `forall vring: never pop(vring, vring > 7)` was rejected ("parameter 'vring' can only be bound
  // with '=='"): the field of that name holds the bound value.
  EXPECT_EQ(violations("never a(p, p > 7)", {{"a", 8, 0, 0}, {"a", 3, 0, 0}}), 1u);
  EXPECT_EQ(violations("never a(p, v > p)", {{"a", 2, 5, 0}}), 1u);
  EXPECT_EQ(violations("never a(p, v > p)", {{"a", 5, 2, 0}}), 0u);
  // A parameter that is not a field of the event is still only bound.
  std::string d = std::string(kDecls) + "event q(x, v)\nrule r cite \"c\":\n  forall p: never q(x == p, v > p)\n";
  EXPECT_NE(firstError(d).find("x.spec:9:33: error: parameter 'p' can only be bound with '=='"), std::string::npos)
      << firstError(d);
}

TEST(DataRules, LetOfConstantsJoinedByPipeIsAnExpression) {
  // `let m = A | B` was read as a pattern of events A and B.
  EXPECT_EQ(violations("let m = LIMIT | 1 never a(p, v == m)", {{"a", 0, 3, 0}}), 1u);
  EXPECT_EQ(violations("let m = LIMIT | 1 never a(p, v == m)", {{"a", 0, 2, 0}}), 0u);
  EXPECT_EQ(violations("let m = LIMIT | MASK + 1 never a(p, v == m)", {{"a", 0, 0x10002, 0}}), 1u);
  EXPECT_EQ(violations("let m = LIMIT | LIMIT | 4 never a(p, v == m)", {{"a", 0, 6, 0}}), 1u);
  // Names joined by '|' then ':' are still a pattern; so are alternatives with arguments.
  EXPECT_EQ(violations("let k = s | b: v never a(p, v == k)", {{"b", 9, 4, 0}, {"a", 0, 4, 0}}), 1u);
  EXPECT_EQ(violations("let k = s | b(v == 4): v never a(p, v == k)", {{"b", 9, 4, 0}, {"a", 0, 4, 0}}), 1u);
  EXPECT_EQ(violations("let k = s | b(v == 4): v never a(p, v == k)", {{"b", 9, 5, 0}, {"a", 0, 5, 0}}), 0u);
  // A forgotten ':' after a pattern with arguments is still reported as such.
  std::string d = std::string(kDecls) + "rule r cite \"c\":\n  forall p: let k = s | b(p) v never a(p)\n";
  EXPECT_NE(firstError(d).find("expected ':' before the register's new value"), std::string::npos) << firstError(d);
}

TEST(DataRules, AccumulatorChainsStartingWithTheRegister) {
  // `n + 1 + v` is `(n + 1) + v`: it was rejected ("register 'n' cannot be read here").
  const char* body = "let n = 0 let n = a(p): n + 1 + v never a(p, n > 3)";
  EXPECT_EQ(violations(body, {{"a", 0, 0, 0}, {"a", 0, 1, 0}, {"a", 0, 0, 0}}), 0u);  // n: 0, 1, 3, 4
  EXPECT_EQ(violations(body, {{"a", 0, 0, 0}, {"a", 0, 1, 0}, {"a", 0, 0, 0}, {"a", 0, 0, 0}}), 1u);
  const char* down = "let n = 10 let n = a(p): n - 1 + v never a(p, n < 9)";
  EXPECT_EQ(violations(down, {{"a", 0, 0, 0}, {"a", 0, 0, 0}, {"a", 0, 0, 0}}), 1u);  // n: 10, 9, 8
  EXPECT_EQ(violations(down, {{"a", 0, 1, 0}, {"a", 0, 1, 0}, {"a", 0, 1, 0}}), 0u);  // n stays 10
  // The register elsewhere than first is still rejected, with a help that says so.
  std::string d = std::string(kDecls) + "rule r cite \"c\":\n  forall p: let n = a(p): n + 1 + n never a(p, n > 3)\n";
  EXPECT_NE(firstError(d).find("register 'n' cannot be read here"), std::string::npos) << firstError(d);
  EXPECT_NE(firstError(d).find("NAME first"), std::string::npos) << firstError(d);
}

TEST(DataRules, Diagnostics) {
  std::string d = std::string(kDecls) + "rule r cite \"c\":\n  forall p: let n = a(p): n * 2 never a(p)\n";
  EXPECT_NE(firstError(d).find("x.spec:8:29"), std::string::npos) << firstError(d);
  // A register in a sampled value.
  d = std::string(kDecls) + "rule r cite \"c\":\n  forall p: let n = a(p): v + n never a(p, v > n)\n";
  EXPECT_NE(firstError(d).find("register 'n' cannot be read here"), std::string::npos) << firstError(d);
  // Unknown name in an expression: the event's fields are listed.
  d = std::string(kDecls) + "rule r cite \"c\":\n  forall p: never a(p, v > nope)\n";
  EXPECT_NE(firstError(d).find("'nope' is not a constant, a register of this rule or a field of the event"),
            std::string::npos)
      << firstError(d);
  EXPECT_NE(firstError(d).find("the fields of 'a': p, v, w"), std::string::npos) << firstError(d);
  // Names may hold '-': the help says to space a minus.
  d = std::string(kDecls) + "rule r cite \"c\":\n  forall p: never a(p, v > w-1)\n";
  EXPECT_NE(firstError(d).find("write spaces around a minus"), std::string::npos) << firstError(d);
  // A register named like a field of the event it is compared in.
  d = std::string(kDecls) + "rule r cite \"c\":\n  forall p: let v = s(p): v never a(p, w > v)\n";
  EXPECT_NE(firstError(d).find("both a register of this rule and a field"), std::string::npos) << firstError(d);
  // Constant arithmetic on strings; shifts out of range.
  d = std::string(kDecls) + "const S = \"x\" + 1\n";
  EXPECT_NE(firstError(d).find("'+' combines integers only"), std::string::npos) << firstError(d);
  d = std::string(kDecls) + "const S = 1 >> 64\n";
  EXPECT_NE(firstError(d).find("'>>' needs integers, with a shift from 0 to 63"), std::string::npos) << firstError(d);
  // Too many registers.
  d = std::string(kDecls) +
      "rule r cite \"c\":\n  forall p: let a1 = 0 let a2 = 0 let a3 = 0 let a4 = 0 let a5 = 0 never a(p)\n";
  EXPECT_NE(firstError(d).find("a rule has at most 4 registers"), std::string::npos) << firstError(d);
  // An expression alone is not an argument.
  d = std::string(kDecls) + "rule r cite \"c\":\n  forall p: never a(p, v + 1)\n";
  EXPECT_NE(firstError(d).find("expected a comparison"), std::string::npos) << firstError(d);
  // Deep nesting is a diagnostic, not a crash.
  d = std::string(kDecls) + "const S = " + std::string(200, '(') + "1" + std::string(200, ')') + "\n";
  EXPECT_NE(firstError(d).find("nested too deeply"), std::string::npos) << firstError(d);
}

// The instances a rule reports violated (`p=…, v=…`), on one thread in recorded order.
std::set<std::string> violatedInstances(const std::string& ruleText, const std::vector<Ev>& evs) {
  TraceTables tables;
  tables.sources.add(Source::make("t.jsonl", "json"));
  Spec spec;
  Diagnostics diags;
  EXPECT_TRUE(loadSpecText("t.spec", std::string(kDecls) + ruleText, spec, tables.symbols, diags)) << ruleText << "\n"
                                                                                                   << renderAll(diags);
  std::vector<Event> out;
  uint64_t line = 0;
  for (const auto& e : evs) {
    Event x = test::ev(tables, 1, e.name, {{"p", e.p}, {"v", e.v}, {"w", e.w}});
    x.origin.line = ++line;
    out.push_back(std::move(x));
  }
  test::VectorReader reader(std::move(out));
  CheckOptions opts;
  opts.order = OrderMode::Recorded;
  CheckResult res = check(spec, reader, tables, opts, diags);
  EXPECT_FALSE(diags.hasErrors()) << renderAll(diags);
  std::set<std::string> ids;
  for (const auto& v : res.violations) {
    std::string k;
    for (const auto& [name, value] : v.params) k += name + "=" + value + " ";
    ids.insert(k);
  }
  return ids;
}

// Partial binding: the instance (p, v) of a rule whose patterns bind p alone behaves as the same
// rule written for those values alone (every parameter replaced by a comparison with its value),
// on random traces; whichever comes first, the partly bound events or the instance's own.
TEST(DataRules, PartialBindingIsTheRuleForThoseValuesAlone) {
  struct Case {
    const char* rule;     // over forall p, v
    const char* special;  // the same for p == P, v == V (P and V replaced)
    const char* makers;   // the events whose patterns bind both p and v (they make instances)
  };
  const Case cases[] = {
      {"never s(p) after a(p, v) until b(p, v)", "never s(p == P) after a(p == P, v == V) until b(p == P, v == V)",
       "ab"},
      {"s(p) before a(p, v)", "s(p == P) before a(p == P, v == V)", "a"},
      {"a(p, v) leadsto b(p)", "a(p == P, v == V) leadsto b(p == P)", "a"},
      {"never a(p, v) after s(p) until b(p, w == 1)", "never a(p == P, v == V) after s(p == P) until b(p == P, w == 1)",
       "a"},
      {"let m = 0 let m = s(p): 1 let m = b(p): 0 never a(p, v, m == 1)",
       "let m = 0 let m = s(p == P): 1 let m = b(p == P): 0 never a(p == P, v == V, m == 1)", "a"},
  };
  std::mt19937_64 rng(20261129);
  auto pick = [&](int n) { return static_cast<int64_t>(rng() % static_cast<uint64_t>(n)); };
  const char* names[] = {"a", "b", "s"};
  for (const auto& c : cases) {
    for (int k = 0; k < 150; ++k) {
      std::vector<Ev> evs;
      const int n = 1 + static_cast<int>(pick(9));
      for (int i = 0; i < n; ++i) evs.push_back(Ev{names[pick(3)], pick(2), pick(2), pick(2)});
      const auto got =
          violatedInstances(std::string("rule x cite \"t\" says \"t\":\n  forall p, v: ") + c.rule + "\n", evs);
      std::set<std::string> want;
      for (int64_t P = 0; P < 2; ++P)
        for (int64_t V = 0; V < 2; ++V) {
          // An instance exists once an event binds both of its values.
          bool made = false;
          for (const auto& e : evs)
            made |= std::string(c.makers).find(e.name[0]) != std::string::npos && e.p == P && e.v == V;
          if (!made) continue;
          std::string special = c.special;
          for (size_t at; (at = special.find("== P")) != std::string::npos;)
            special.replace(at, 4, "== " + std::to_string(P));
          for (size_t at; (at = special.find("== V")) != std::string::npos;)
            special.replace(at, 4, "== " + std::to_string(V));
          if (!violatedInstances("rule x cite \"t\" says \"t\":\n  " + special + "\n", evs).empty())
            want.insert("p=" + std::to_string(P) + " v=" + std::to_string(V) + " ");
        }
      std::string dump;
      for (const auto& e : evs)
        dump += std::string(e.name) + "(p=" + std::to_string(e.p) + ", v=" + std::to_string(e.v) +
                ", w=" + std::to_string(e.w) + ") ";
      ASSERT_EQ(got, want) << c.rule << "\ntrace: " << dump;
    }
  }
}

}  // namespace
}  // namespace vc
