// Spec lexer: text -> tokens with 1-based line/column. Never throws; bad characters become
// Error tokens that the parser reports. Line ends are white space; `bol` marks a token that
// starts a line, which the parser uses to resynchronise after an error. Tokens are made on
// demand (Lexer::next), so memory does not grow with the input beyond the text itself.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace vc::spec {

enum class Tok : uint8_t {
  Ident,     // set_vring_enable, vu-start (rule ids may hold '-' and '.')
  Int,       // 42, 0x1f, 0b101
  String,    // "text" (escapes \" \\ \n \t)
  Duration,  // 5ms 100us 2s 30ns
  LParen,
  RParen,
  Comma,
  Colon,
  Pipe,
  DotDot,
  Arrow,
  Eq,
  EqEq,
  Ne,
  Lt,
  Le,
  Gt,
  Ge,
  Shl,
  Shr,
  Plus,
  Minus,
  Amp,
  Caret,
  Tilde,
  End,
  Error,
};

struct Token {
  Tok kind = Tok::End;
  std::string text;   // identifier / string contents / error message
  int64_t value = 0;  // Int value; Duration in ns
  uint32_t line = 0, col = 0, len = 1;
  bool bol = false;  // first token on its line
};

class Lexer {
 public:
  explicit Lexer(std::string_view src) : s_(src) {}
  // The next token; End at the end of the text, and again on every later call.
  Token next();

 private:
  Token make(Tok k, size_t at, size_t len, std::string text = {}, int64_t v = 0);
  Token number(size_t start, bool negative);
  uint32_t col(size_t at) const { return static_cast<uint32_t>(at - lineStart_ + 1); }

  std::string_view s_;
  size_t i_ = 0;
  size_t lineStart_ = 0;
  uint32_t line_ = 1;
  uint32_t lastLine_ = 0;  // line of the previous token
  // The previous token ends a value (a name, a number, ')'): a '-' after it is an operator, not
  // the sign of a number (`idx - 1`, but `== -1`).
  bool afterValue_ = false;
};

// Every token of `src`, End last (tests).
std::vector<Token> lex(std::string_view src);
const char* tokName(Tok t);

}  // namespace vc::spec
