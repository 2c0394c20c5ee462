#include "trace/text-reader.h"

#include <algorithm>

namespace vc {

TextTraceReader::TextTraceReader(std::unique_ptr<Input> in, std::shared_ptr<const MapFile> map, uint32_t source,
                                 TraceTables& tables, Diagnostics& diags, const ReaderOptions& opts)
    : in_(std::move(in)),
      lines_(*in_, diags, opts.maxLineBytes),
      mapper_(std::move(map), tables),
      source_(source),
      tables_(tables),
      diags_(diags),
      onUnmatched_(opts.onUnmatched) {
  // The names this source can give: the map's, and (templated patterns) each new one it gives.
  Source& src = tables_.sources.at(source_);
  src.vocabularyKnown = true;
  src.vocabulary = mapper_.file().vocabulary;
  templated_ = mapper_.file().templatedNames;
}

TextTraceReader::~TextTraceReader() = default;

TextReaderStats TextTraceReader::stats() const {
  TextReaderStats s;
  s.lines = lines_.stats().lines;
  s.tooLong = lines_.stats().tooLong;
  s.events = events_;
  s.unmatched = unmatched_;
  s.bad = bad_;
  return s;
}

bool TextTraceReader::next(Event& ev) {
  Source& src = tables_.sources.at(source_);
  auto take = [&]() {
    swap(ev, ready_[readyAt_++]);  // keeps both events' storage for reuse
    if (templated_) {
      if (seenName_.size() <= ev.name) seenName_.resize(ev.name + 1, 0);
      if (!seenName_[ev.name]) {
        seenName_[ev.name] = 1;
        std::string n = tables_.symbols.name(ev.name);
        auto& voc = src.vocabulary;
        if (!std::binary_search(voc.begin(), voc.end(), n)) voc.insert(std::upper_bound(voc.begin(), voc.end(), n), n);
      }
    }
    if (readyAt_ == ready_.size()) ready_.clear(), readyAt_ = 0;
    ++events_;
    ++src.events;
    return true;
  };
  if (readyAt_ < ready_.size()) return take();
  if (stopped_) {
    if (!finished_) {
      finished_ = true;
      mapper_.finish(ready_);
      if (!ready_.empty()) return take();
    }
    return false;
  }
  std::string_view line;
  uint64_t ln = 0;
  size_t col0 = 0;
  while (lines_.next(line, ln, col0)) {
    if (line.empty()) continue;
    FieldError fe;
    LineResult r = mapper_.mapLine(line, ln, source_, ready_, fe);
    if (r == LineResult::Matched) {
      if (!ready_.empty()) return take();
      continue;  // a known line with no event of its own yet (a record goes on, "event": null)
    }
    if (r == LineResult::Unmatched) {
      ++unmatched_;
      ++src.unmatchedLines;
      if (src.unmatchedExamples.size() < kUnmatchedExamples)
        src.unmatchedExamples.emplace_back(ln, std::string(line.substr(0, kUnmatchedTextBytes)));
      if (onUnmatched_) onUnmatched_(source_, ln, line);
      if (!ready_.empty()) return take();  // a record this line ended
      continue;
    }
    ++bad_;
    auto& d = diags_.error(
        "trace-text", Location{src.path, ln, static_cast<uint32_t>(std::min<size_t>(col0 + fe.column, 1u << 30) + 1)},
        fe.message, "the line matched a pattern of map '" + mapper_.file().format + "' (" + mapper_.file().path + ")");
    d.snippet.assign(line.substr(0, 400));
    d.span = static_cast<uint32_t>(std::min<size_t>(fe.width, 200));
    if (bad_ + lines_.stats().tooLong > 1000) {  // this trace's own errors
      stopped_ = true;
      finished_ = true;
      ready_.clear();
      readyAt_ = 0;
      return false;
    }
    if (!ready_.empty()) return take();
  }
  // A file of which no line became an event is an error the caller reports (trace-no-events,
  // app/inputs.cc), with the map and the count of unmatched lines.
  stopped_ = true;
  finished_ = true;
  mapper_.finish(ready_);
  if (!ready_.empty()) return take();
  return false;
}

}  // namespace vc
