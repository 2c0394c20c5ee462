#include "trace/event.h"

namespace vc {

Symbol SymbolTable::intern(std::string_view s) {
  auto it = ids_.find(s);
  if (it != ids_.end()) return it->second;
  Symbol id = static_cast<Symbol>(names_.size());
  names_.emplace_back(s);
  ids_.emplace(std::string(s), id);
  return id;
}

Symbol SymbolTable::find(std::string_view s) const {
  auto it = ids_.find(s);
  return it == ids_.end() ? kNoSymbol : it->second;
}

std::string Value::toString() const {
  switch (kind) {
    case Kind::Int:
      return std::to_string(i);
    case Kind::Bool:
      return i ? "true" : "false";
    case Kind::Str: {
      std::string out = "\"";
      for (char c : s) {
        unsigned char u = static_cast<unsigned char>(c);
        if (c == '"' || c == '\\') {
          out += '\\';
          out += c;
        } else if (u < 0x20) {
          static const char* h = "0123456789abcdef";
          out += "\\x";
          out += h[u >> 4];
          out += h[u & 15];
        } else
          out += c;
      }
      return out + "\"";
    }
  }
  return {};
}

uint32_t ThreadTable::intern(uint32_t source, int64_t pid, int64_t tid) {
  Key k{source, pid, tid};
  auto it = ids_.find(k);
  if (it != ids_.end()) return it->second;
  uint32_t id = static_cast<uint32_t>(list_.size());
  list_.push_back(ThreadInfo{source, pid, tid, {}});
  ids_.emplace(k, id);
  return id;
}

std::string ThreadTable::label(uint32_t i) const {
  const auto& t = list_[i];
  std::string s = "thread " + std::to_string(i) + " (pid " + std::to_string(t.pid) + " tid " + std::to_string(t.tid);
  if (!t.name.empty()) s += " " + t.name;
  return s + ")";
}

}  // namespace vc
