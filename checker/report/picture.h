// A violation as the pictures draw it (DOT, HTML): its events on thread lanes, the
// happens-before edges among them with what makes each, the witness order and the unordered
// pairs. Internal to report/.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <utility>
#include <vector>

#include "report/report.h"

namespace vc {

struct PictureEdge {
  size_t from = 0, to = 0;  // indices in Picture::events
  EdgeKind kind;
};

struct Picture {
  std::vector<EventRef> events;                      // each once, in the judged (recorded) order
  std::vector<uint32_t> threads;                     // the lanes, in order of first event
  std::vector<PictureEdge> edges;                    // program order, then the others
  std::vector<size_t> witness;                       // predicted: the witness order (indices in events)
  std::vector<std::pair<size_t, size_t>> unordered;  // the pairs nothing orders
  size_t culprit = SIZE_MAX, anchor = SIZE_MAX;
  size_t lane(size_t event) const;  // index in threads of an event's thread
};

// The events of a violation: context (observed), anchor, culprit, the witness, the unordered
// pairs and (--dot, --format html) the happens-before neighbourhood of the first pair.
Picture pictureOf(const Violation& v);

// Where a sync was declared, as reports show it: a shipped sync file by its place among the
// shipped files (`specs/sync/NAME.sync`, as the text report's `sync:` line), any other as given.
std::string syncFileShown(const SyncRule& s);
// "program order", "message sync (specs/sync/x.sync:12)", "trace edge (after)", ...
std::string edgeKindText(const Spec& spec, const EdgeKind& k);
// A short name for styles and legends: "program", "message", "release", "spawn", "join",
// "trace", "path".
std::string edgeKindClass(const Spec& spec, const EdgeKind& k);

}  // namespace vc
