// A small map used by the map-file unit tests (map-load.cc, map-match.cc).
#pragma once

namespace vc::test {

inline const char* kMini = R"J({
  "format": "mini",
  "lines": [{"regex": "(?P<tid>\\d+)@(?P<ts>\\d+\\.\\d+):", "timestamp": "seconds"}],
  "enums": {"req": {"1": "GET", "2": "SET"}},
  "patterns": [
    {"regex": "^op (?P<n>\\d+) (?P<flag>\\w+) (?P<h>0x[0-9a-f]+)$", "event": "op",
     "fields": {"n": "int", "flag": "bool", "h": "hex", "name": {"enum": "req", "from": "n"}, "k": {"value": 7}}},
    {"regex": "^(?P<ev>[a-z]+)$", "event": "x_{ev}"}
  ],
  "samples": [
    {"line": "12@3.5:op 2 true 0x10", "event": "op", "fields": {"n": 2, "flag": true, "h": 16, "name": "SET", "k": 7},
     "ts": 3500000000, "tid": 12},
    {"line": "12@3.5:hello", "event": "x_hello"}
  ]
})J";

}  // namespace vc::test
