#include "spec/lexer.h"

#include <cctype>
#include <cstdint>

namespace vc::spec {

const char* tokName(Tok t) {
  switch (t) {
    case Tok::Ident:
      return "a name";
    case Tok::Int:
      return "an integer";
    case Tok::String:
      return "a string";
    case Tok::Duration:
      return "a duration";
    case Tok::LParen:
      return "'('";
    case Tok::RParen:
      return "')'";
    case Tok::Comma:
      return "','";
    case Tok::Colon:
      return "':'";
    case Tok::Pipe:
      return "'|'";
    case Tok::DotDot:
      return "'..'";
    case Tok::Arrow:
      return "'->'";
    case Tok::Eq:
      return "'='";
    case Tok::EqEq:
      return "'=='";
    case Tok::Ne:
      return "'!='";
    case Tok::Lt:
      return "'<'";
    case Tok::Le:
      return "'<='";
    case Tok::Gt:
      return "'>'";
    case Tok::Ge:
      return "'>='";
    case Tok::Shl:
      return "'<<'";
    case Tok::Shr:
      return "'>>'";
    case Tok::Plus:
      return "'+'";
    case Tok::Minus:
      return "'-'";
    case Tok::Amp:
      return "'&'";
    case Tok::Caret:
      return "'^'";
    case Tok::Tilde:
      return "'~'";
    case Tok::End:
      return "end of file";
    case Tok::Error:
      return "bad input";
  }
  return "?";
}

static bool identStart(char c) { return std::isalpha(static_cast<unsigned char>(c)) || c == '_'; }
static bool identChar(char c) { return std::isalnum(static_cast<unsigned char>(c)) || c == '_'; }
static bool isDigit(char c) { return c >= '0' && c <= '9'; }

Token Lexer::make(Tok k, size_t at, size_t len, std::string text, int64_t v) {
  Token t{k, std::move(text), v, line_, col(at), static_cast<uint32_t>(len ? len : 1), line_ != lastLine_};
  lastLine_ = line_;
  // A value ends here, except the keywords a number follows (`within -5ms` is a negative duration).
  afterValue_ = (k == Tok::Ident && t.text != "within" && t.text != "most") || k == Tok::Int || k == Tok::String ||
                k == Tok::RParen;
  return t;
}

// An integer or a duration starting at `start` ('-' first if `negative`). Values are gathered
// unsigned with an overflow check before each step; a negative one may reach INT64_MIN.
Token Lexer::number(size_t start, bool negative) {
  const std::string_view s = s_;
  size_t i = negative ? start + 1 : start;
  int base = 10;
  if (s[i] == '0' && i + 1 < s.size() && (s[i + 1] == 'x' || s[i + 1] == 'X')) {
    base = 16;
    i += 2;
  } else if (s[i] == '0' && i + 1 < s.size() && (s[i + 1] == 'b' || s[i + 1] == 'B')) {
    base = 2;
    i += 2;
  }
  const uint64_t limit = negative ? static_cast<uint64_t>(INT64_MAX) + 1 : UINT64_MAX;
  uint64_t v = 0;
  bool overflow = false, any = false;
  while (i < s.size()) {
    char d = s[i];
    int dv;
    if (d == '_') {
      ++i;
      continue;
    }
    if (isDigit(d))
      dv = d - '0';
    else if (base == 16 && std::isxdigit(static_cast<unsigned char>(d)))
      dv = (std::tolower(static_cast<unsigned char>(d)) - 'a') + 10;
    else
      break;
    if (dv >= base) break;
    const uint64_t b = static_cast<uint64_t>(base), dd = static_cast<uint64_t>(dv);
    if (overflow || v > (limit - dd) / b)
      overflow = true;
    else
      v = v * b + dd;
    any = true;
    ++i;
  }
  if (!any || overflow) {
    // Swallow the rest of the literal so it is one error, not several.
    while (i < s.size() && (identChar(s[i]))) ++i;
    i_ = i;
    return make(Tok::Error, start, i - start,
                overflow ? "integer too large (the range is -2^63 to 2^64-1)" : "malformed number");
  }
  size_t j = i;
  while (j < s.size() && std::isalpha(static_cast<unsigned char>(s[j]))) ++j;
  std::string_view suf = s.substr(i, j - i);
  i_ = j;
  if (!suf.empty()) {  // a duration
    uint64_t mul = 0;
    if (suf == "ns")
      mul = 1;
    else if (suf == "us")
      mul = 1000;
    else if (suf == "ms")
      mul = 1000000;
    else if (suf == "s")
      mul = 1000000000;
    if (!mul || base != 10)
      return make(Tok::Error, start, j - start, "unknown unit '" + std::string(suf) + "' (use ns, us, ms or s)");
    if (negative) return make(Tok::Error, start, j - start, "a duration cannot be negative");
    if (v > static_cast<uint64_t>(INT64_MAX) / mul)
      return make(Tok::Error, start, j - start, "duration too large (at most 2^63-1 ns, about 292 years)");
    return make(Tok::Duration, start, j - start, {}, static_cast<int64_t>(v * mul));
  }
  // Two's complement: -(2^63) is INT64_MIN; an unsigned value above INT64_MAX keeps its bits (a
  // 64-bit mask such as 0xffffffffffffffff).
  int64_t value = negative ? static_cast<int64_t>(~v + 1) : static_cast<int64_t>(v);
  return make(Tok::Int, start, i - start, std::string(s.substr(start, i - start)), value);
}

Token Lexer::next() {
  const std::string_view s = s_;
  while (i_ < s.size()) {
    char c = s[i_];
    if (c == '\n') {
      ++i_;
      ++line_;
      lineStart_ = i_;
      continue;
    }
    if (c == ' ' || c == '\t' || c == '\r') {
      ++i_;
      continue;
    }
    if (c == '#') {
      size_t nl = s.find('\n', i_);
      i_ = nl == std::string_view::npos ? s.size() : nl;
      continue;
    }
    size_t start = i_;
    if (identStart(c)) {
      size_t i = i_ + 1;
      // '-' and '.' may join name parts (rule ids like vu-start, virtio-2.1.2) when followed by a
      // name character; "->" and ".." stay operators.
      while (i < s.size()) {
        if (identChar(s[i])) {
          ++i;
          continue;
        }
        if ((s[i] == '-' || s[i] == '.') && i + 1 < s.size() && identChar(s[i + 1])) {
          i += 2;
          continue;
        }
        break;
      }
      i_ = i;
      return make(Tok::Ident, start, i - start, std::string(s.substr(start, i - start)));
    }
    if (isDigit(c)) return number(start, false);
    if (c == '-' && !afterValue_ && i_ + 1 < s.size() && isDigit(s[i_ + 1])) return number(start, true);
    if (c == '"') {
      size_t i = i_ + 1;
      std::string text;
      bool closed = false;
      while (i < s.size() && s[i] != '\n') {
        if (s[i] == '\\' && i + 1 < s.size() && s[i + 1] != '\n') {
          char e = s[i + 1];
          text += e == 'n' ? '\n' : e == 't' ? '\t' : e;
          i += 2;
          continue;
        }
        if (s[i] == '"') {
          closed = true;
          ++i;
          break;
        }
        text += s[i++];
      }
      i_ = i;
      if (!closed) return make(Tok::Error, start, i - start, "unterminated string");
      return make(Tok::String, start, i - start, std::move(text));
    }
    auto two = [&](char a, char b) { return c == a && i_ + 1 < s.size() && s[i_ + 1] == b; };
    Tok k = Tok::Error;
    if (two('.', '.'))
      k = Tok::DotDot;
    else if (two('-', '>'))
      k = Tok::Arrow;
    else if (two('=', '='))
      k = Tok::EqEq;
    else if (two('!', '='))
      k = Tok::Ne;
    else if (two('<', '='))
      k = Tok::Le;
    else if (two('>', '='))
      k = Tok::Ge;
    else if (two('<', '<'))
      k = Tok::Shl;
    else if (two('>', '>'))
      k = Tok::Shr;
    if (k != Tok::Error) {
      i_ += 2;
      return make(k, start, 2);
    }
    switch (c) {
      case '(':
        k = Tok::LParen;
        break;
      case ')':
        k = Tok::RParen;
        break;
      case ',':
        k = Tok::Comma;
        break;
      case ':':
        k = Tok::Colon;
        break;
      case '|':
        k = Tok::Pipe;
        break;
      case '=':
        k = Tok::Eq;
        break;
      case '<':
        k = Tok::Lt;
        break;
      case '>':
        k = Tok::Gt;
        break;
      case '+':
        k = Tok::Plus;
        break;
      case '-':
        k = Tok::Minus;
        break;
      case '&':
        k = Tok::Amp;
        break;
      case '^':
        k = Tok::Caret;
        break;
      case '~':
        k = Tok::Tilde;
        break;
      default:
        break;
    }
    ++i_;
    if (k != Tok::Error) return make(k, start, 1);
    unsigned char u = static_cast<unsigned char>(c);
    static const char* hex = "0123456789abcdef";
    std::string msg = u >= 0x20 && u < 0x7f ? std::string("unexpected character '") + c + "'"
                                            : std::string("unexpected byte 0x") + hex[u >> 4] + hex[u & 15];
    return make(Tok::Error, start, 1, msg);
  }
  return Token{Tok::End, {}, 0, line_, col(i_), 1, true};
}

std::vector<Token> lex(std::string_view src) {
  Lexer lx(src);
  std::vector<Token> out;
  do out.push_back(lx.next());
  while (out.back().kind != Tok::End);
  return out;
}

}  // namespace vc::spec
