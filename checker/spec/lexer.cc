#include "spec/lexer.h"

#include <cctype>

namespace vc::spec {

const char* tokName(Tok t) {
  switch (t) {
    case Tok::Ident: return "a name";
    case Tok::Int: return "an integer";
    case Tok::String: return "a string";
    case Tok::Duration: return "a duration";
    case Tok::LParen: return "'('";
    case Tok::RParen: return "')'";
    case Tok::Comma: return "','";
    case Tok::Colon: return "':'";
    case Tok::Pipe: return "'|'";
    case Tok::DotDot: return "'..'";
    case Tok::Arrow: return "'->'";
    case Tok::Eq: return "'='";
    case Tok::EqEq: return "'=='";
    case Tok::Ne: return "'!='";
    case Tok::Lt: return "'<'";
    case Tok::Le: return "'<='";
    case Tok::Gt: return "'>'";
    case Tok::Ge: return "'>='";
    case Tok::Shl: return "'<<'";
    case Tok::End: return "end of file";
    case Tok::Error: return "bad input";
  }
  return "?";
}

static bool identStart(char c) { return std::isalpha(static_cast<unsigned char>(c)) || c == '_'; }
static bool identChar(char c) { return std::isalnum(static_cast<unsigned char>(c)) || c == '_'; }

std::vector<Token> lex(std::string_view s) {
  std::vector<Token> out;
  uint32_t line = 1;
  size_t lineStart = 0;
  size_t i = 0;
  auto col = [&](size_t at) { return static_cast<uint32_t>(at - lineStart + 1); };
  uint32_t lastLine = 0;
  auto push = [&](Tok k, size_t at, size_t len, std::string text = {}, int64_t v = 0) {
    out.push_back(Token{k, std::move(text), v, line, col(at), static_cast<uint32_t>(len ? len : 1), line != lastLine});
    lastLine = line;
  };
  while (i < s.size()) {
    char c = s[i];
    if (c == '\n') {
      ++i;
      ++line;
      lineStart = i;
      continue;
    }
    if (c == ' ' || c == '\t' || c == '\r') { ++i; continue; }
    if (c == '#') {
      while (i < s.size() && s[i] != '\n') ++i;
      continue;
    }
    size_t start = i;
    if (identStart(c)) {
      ++i;
      // '-' and '.' may join name parts (rule ids like vu-start, virtio-2.1.2) when followed by a
      // name character; "->" and ".." stay operators.
      while (i < s.size()) {
        if (identChar(s[i])) { ++i; continue; }
        if ((s[i] == '-' || s[i] == '.') && i + 1 < s.size() && identChar(s[i + 1])) { i += 2; continue; }
        break;
      }
      push(Tok::Ident, start, i - start, std::string(s.substr(start, i - start)));
      continue;
    }
    if (std::isdigit(static_cast<unsigned char>(c))) {
      int base = 10;
      if (c == '0' && i + 1 < s.size() && (s[i + 1] == 'x' || s[i + 1] == 'X')) { base = 16; i += 2; }
      else if (c == '0' && i + 1 < s.size() && (s[i + 1] == 'b' || s[i + 1] == 'B')) { base = 2; i += 2; }
      uint64_t v = 0;
      bool overflow = false, any = false;
      while (i < s.size()) {
        char d = s[i];
        int dv;
        if (d == '_') { ++i; continue; }
        if (std::isdigit(static_cast<unsigned char>(d))) dv = d - '0';
        else if (base == 16 && std::isxdigit(static_cast<unsigned char>(d))) dv = (std::tolower(d) - 'a') + 10;
        else break;
        if (dv >= base) break;
        if (v > (UINT64_MAX - static_cast<uint64_t>(dv)) / static_cast<uint64_t>(base)) overflow = true;
        v = v * static_cast<uint64_t>(base) + static_cast<uint64_t>(dv);
        any = true;
        ++i;
      }
      if (!any || overflow) {
        push(Tok::Error, start, i - start, overflow ? "integer too large" : "malformed number");
        continue;
      }
      // Duration suffix?
      size_t j = i;
      while (j < s.size() && std::isalpha(static_cast<unsigned char>(s[j]))) ++j;
      std::string_view suf = s.substr(i, j - i);
      if (!suf.empty()) {
        int64_t mul = 0;
        if (suf == "ns") mul = 1;
        else if (suf == "us") mul = 1000;
        else if (suf == "ms") mul = 1000000;
        else if (suf == "s") mul = 1000000000;
        if (!mul || base != 10) {
          push(Tok::Error, start, j - start, "unknown unit '" + std::string(suf) + "' (use ns, us, ms or s)");
        } else if (v > static_cast<uint64_t>(INT64_MAX / mul)) {
          push(Tok::Error, start, j - start, "duration too large");
        } else {
          push(Tok::Duration, start, j - start, {}, static_cast<int64_t>(v) * mul);
        }
        i = j;
        continue;
      }
      push(Tok::Int, start, i - start, std::string(s.substr(start, i - start)), static_cast<int64_t>(v));
      continue;
    }
    if (c == '"') {
      ++i;
      std::string text;
      bool closed = false;
      while (i < s.size() && s[i] != '\n') {
        if (s[i] == '\\' && i + 1 < s.size()) {
          char e = s[i + 1];
          text += e == 'n' ? '\n' : e == 't' ? '\t' : e;
          i += 2;
          continue;
        }
        if (s[i] == '"') { closed = true; ++i; break; }
        text += s[i++];
      }
      if (!closed) push(Tok::Error, start, i - start, "unterminated string");
      else push(Tok::String, start, i - start, std::move(text));
      continue;
    }
    auto two = [&](char a, char b) { return c == a && i + 1 < s.size() && s[i + 1] == b; };
    if (two('.', '.')) { push(Tok::DotDot, i, 2); i += 2; continue; }
    if (two('-', '>')) { push(Tok::Arrow, i, 2); i += 2; continue; }
    if (two('=', '=')) { push(Tok::EqEq, i, 2); i += 2; continue; }
    if (two('!', '=')) { push(Tok::Ne, i, 2); i += 2; continue; }
    if (two('<', '=')) { push(Tok::Le, i, 2); i += 2; continue; }
    if (two('>', '=')) { push(Tok::Ge, i, 2); i += 2; continue; }
    if (two('<', '<')) { push(Tok::Shl, i, 2); i += 2; continue; }
    if (c == '-' && i + 1 < s.size() && std::isdigit(static_cast<unsigned char>(s[i + 1]))) {
      // Negative integer literal.
      size_t j = i + 1;
      int64_t v = 0;
      bool overflow = false;
      while (j < s.size() && std::isdigit(static_cast<unsigned char>(s[j]))) {
        if (v > (INT64_MAX - (s[j] - '0')) / 10) overflow = true;
        v = v * 10 + (s[j] - '0');
        ++j;
      }
      if (overflow) push(Tok::Error, i, j - i, "integer too large");
      else push(Tok::Int, i, j - i, std::string(s.substr(i, j - i)), -v);
      i = j;
      continue;
    }
    Tok k = Tok::Error;
    switch (c) {
      case '(': k = Tok::LParen; break;
      case ')': k = Tok::RParen; break;
      case ',': k = Tok::Comma; break;
      case ':': k = Tok::Colon; break;
      case '|': k = Tok::Pipe; break;
      case '=': k = Tok::Eq; break;
      case '<': k = Tok::Lt; break;
      case '>': k = Tok::Gt; break;
      default: break;
    }
    if (k == Tok::Error) {
      unsigned char u = static_cast<unsigned char>(c);
      std::string msg = u >= 0x20 && u < 0x7f ? std::string("unexpected character '") + c + "'"
                                               : "unexpected byte 0x" + std::string(1, "0123456789abcdef"[u >> 4]) +
                                                     std::string(1, "0123456789abcdef"[u & 15]);
      push(Tok::Error, i, 1, msg);
      ++i;
      continue;
    }
    push(k, i, 1);
    ++i;
  }
  out.push_back(Token{Tok::End, {}, 0, line, col(i), 1, true});
  return out;
}

}  // namespace vc::spec
