#include "trace/reader-thread.h"

#include <algorithm>
#include <atomic>
#include <condition_variable>
#include <deque>
#include <exception>
#include <iterator>
#include <mutex>
#include <thread>
#include <utility>
#include <vector>

namespace vc {

namespace {

// Events per block, and blocks in flight (one filling, the others queued or being consumed).
constexpr size_t kBlockEvents = 2048;
constexpr size_t kBlocks = 4;

// What the decoding thread had logged when it had read an event: the consumer replays the logs
// up to here before it hands the event out.
struct Mark {
  uint32_t symbols = 0, threads = 0;                                      // the reader's own tables' sizes
  uint32_t named = 0, diags = 0, unmatched = 0, examples = 0, vocab = 0;  // entries of the block's logs
  uint64_t events = 0, unmatchedLines = 0;                                // the source's counters
};

struct Block {
  struct NewThread {
    uint32_t source;
    int64_t pid, tid;
  };
  std::vector<Event> events;  // [0, n) hold decoded events; the rest is storage kept for reuse
  std::vector<Mark> marks;    // marks[i]: the logs as they were when events[i] had been read
  size_t n = 0;
  uint32_t symbolBase = 0, threadBase = 0;              // the reader's table sizes when the block started
  std::vector<std::string> symbols;                     // names the reader interned, in its order
  std::vector<NewThread> threads;                       // threads the reader met, in its order
  std::vector<std::pair<uint32_t, std::string>> named;  // (reader's thread, name) given
  std::vector<Diagnostic> diags;
  std::vector<std::pair<uint64_t, std::string>> unmatched;  // ReaderOptions::onUnmatched calls
  std::vector<std::pair<uint64_t, std::string>> examples;   // Source::unmatchedExamples added
  std::vector<std::string> vocab;                           // names added to Source::vocabulary
  bool last = false;  // the reader is exhausted (or failed): `end` holds what came after events[n-1]
  Mark end;
  uint64_t discarded = 0;
  std::exception_ptr error;  // what the reader threw, rethrown to the caller after the events before it

  void reset(uint32_t syms, uint32_t thr) {
    n = 0;
    symbolBase = syms;
    threadBase = thr;
    symbols.clear();
    threads.clear();
    named.clear();
    diags.clear();
    unmatched.clear();
    examples.clear();
    vocab.clear();
    last = false;
    error = nullptr;
  }
};

// Everything the decoding thread owns: the reader and the tables and diagnostics it writes.
struct Decoder {
  TraceTables tables;
  Diagnostics diags;
  std::vector<uint32_t> namedLog;
  std::vector<std::pair<uint64_t, std::string>> unmatched;
  ReaderOptions opts;
  std::unique_ptr<TraceReader> reader;
  uint32_t source = UINT32_MAX;  // this trace's index (the same in both tables), once open
  uint32_t pubSymbols = 0, pubThreads = 0;
  size_t pubExamples = 0;
  std::vector<std::string> pubVocab;  // the source's vocabulary as last logged (sorted)

  // Moves what the reader did since the last call into the block's logs; `m` says where they end.
  void collect(Block& b, Mark& m) {
    for (; pubSymbols < tables.symbols.size(); ++pubSymbols) b.symbols.push_back(tables.symbols.name(pubSymbols));
    for (; pubThreads < tables.threads.size(); ++pubThreads) {
      const ThreadInfo& t = tables.threads.at(pubThreads);
      b.threads.push_back({t.source, t.pid, t.tid});
    }
    if (!namedLog.empty()) {
      for (uint32_t i : namedLog) b.named.emplace_back(i, tables.threads.at(i).name);
      namedLog.clear();
    }
    if (!diags.all().empty())
      for (auto& d : diags.takeAll()) b.diags.push_back(std::move(d));
    if (!unmatched.empty()) {
      for (auto& u : unmatched) b.unmatched.push_back(std::move(u));
      unmatched.clear();
    }
    if (source < tables.sources.size()) {
      const Source& s = tables.sources.at(source);
      m.events = s.events;
      m.unmatchedLines = s.unmatchedLines;
      for (; pubExamples < s.unmatchedExamples.size(); ++pubExamples)
        b.examples.push_back(s.unmatchedExamples[pubExamples]);
      // A text reader whose map builds names from the lines inserts each new one, sorted: rare.
      if (s.vocabulary.size() != pubVocab.size()) {
        std::set_difference(s.vocabulary.begin(), s.vocabulary.end(), pubVocab.begin(), pubVocab.end(),
                            std::back_inserter(b.vocab));
        pubVocab = s.vocabulary;
      }
    }
    m.symbols = pubSymbols;
    m.threads = pubThreads;
    m.named = static_cast<uint32_t>(b.named.size());
    m.diags = static_cast<uint32_t>(b.diags.size());
    m.unmatched = static_cast<uint32_t>(b.unmatched.size());
    m.examples = static_cast<uint32_t>(b.examples.size());
    m.vocab = static_cast<uint32_t>(b.vocab.size());
  }
};

// The consuming side: replays a block's logs into the caller's tables and maps the reader's
// symbol and thread numbers to the caller's.
struct Replay {
  TraceTables& tables;
  Diagnostics& diags;
  UnmatchedSink onUnmatched;
  uint32_t source = UINT32_MAX;
  std::vector<Symbol> symbols;                                                // reader's symbol -> caller's
  std::vector<uint32_t> threads;                                              // reader's thread -> caller's
  uint32_t named = 0, diagsDone = 0, unmatched = 0, examples = 0, vocab = 0;  // entries of the block replayed

  void startBlock() { named = diagsDone = unmatched = examples = vocab = 0; }

  void apply(Block& b, const Mark& m) {
    while (symbols.size() < m.symbols)
      symbols.push_back(tables.symbols.intern(b.symbols[symbols.size() - b.symbolBase]));
    while (threads.size() < m.threads) {
      const auto& t = b.threads[threads.size() - b.threadBase];
      threads.push_back(tables.threads.intern(t.source, t.pid, t.tid));
    }
    for (; named < m.named; ++named) tables.threads.nameIfUnnamed(threads[b.named[named].first], b.named[named].second);
    for (; diagsDone < m.diags; ++diagsDone) diags.append(std::move(b.diags[diagsDone]));
    if (source < tables.sources.size()) {
      Source& s = tables.sources.at(source);
      s.events = m.events;
      s.unmatchedLines = m.unmatchedLines;
      for (; examples < m.examples; ++examples) s.unmatchedExamples.push_back(std::move(b.examples[examples]));
      for (; vocab < m.vocab; ++vocab) {
        auto& voc = s.vocabulary;
        const std::string& n = b.vocab[vocab];
        auto at = std::lower_bound(voc.begin(), voc.end(), n);
        if (at == voc.end() || *at != n) voc.insert(at, n);
      }
    }
    for (; unmatched < m.unmatched; ++unmatched)
      if (onUnmatched) onUnmatched(source, b.unmatched[unmatched].first, b.unmatched[unmatched].second);
  }

  void map(Event& ev) const {
    if (ev.name < symbols.size()) ev.name = symbols[ev.name];
    for (auto& f : ev.fields)
      if (f.key < symbols.size()) f.key = symbols[f.key];
    if (ev.thread < threads.size()) ev.thread = threads[ev.thread];
  }
};

class ThreadedReader : public TraceReader {
 public:
  ThreadedReader(std::unique_ptr<Decoder> dec, Replay replay) : dec_(std::move(dec)), replay_(std::move(replay)) {
    for (auto& b : blocks_) free_.push_back(&b);
    thread_ = std::thread([this] { produce(); });
  }

  ~ThreadedReader() override {
    stopping_.store(true, std::memory_order_relaxed);
    {
      std::lock_guard<std::mutex> lock(mu_);
      stop_ = true;
    }
    freeCv_.notify_all();
    thread_.join();
  }

  bool next(Event& ev) override {
    for (;;) {
      if (!cur_) {
        if (done_) return false;
        cur_ = takeFull();
        pos_ = 0;
        replay_.startBlock();
      }
      Block& b = *cur_;
      if (pos_ < b.n) {
        replay_.apply(b, b.marks[pos_]);
        replay_.map(b.events[pos_]);
        swap(ev, b.events[pos_]);  // the caller's old event becomes storage for the reader
        ++pos_;
        return true;
      }
      discarded_ = b.discarded;
      if (b.last) {
        replay_.apply(b, b.end);
        done_ = true;
        std::exception_ptr error = b.error;
        giveBack(cur_);
        cur_ = nullptr;
        if (error) std::rethrow_exception(error);
        return false;
      }
      giveBack(cur_);
      cur_ = nullptr;
    }
  }

  uint64_t discarded() const override { return discarded_; }

 private:
  void produce() {
    Decoder& d = *dec_;
    for (bool more = true; more;) {
      Block* b = takeFree();
      if (!b) return;  // the caller is gone
      b->reset(d.pubSymbols, d.pubThreads);
      try {
        while (b->n < kBlockEvents) {
          if (b->events.size() == b->n) {
            b->events.emplace_back();
            b->marks.emplace_back();
          }
          if (!d.reader->next(b->events[b->n])) {
            more = false;
            break;
          }
          d.collect(*b, b->marks[b->n]);
          ++b->n;
          if (stopping_.load(std::memory_order_relaxed)) return;
        }
        if (!more) d.collect(*b, b->end);
      } catch (...) {
        b->error = std::current_exception();
        more = false;
        try {
          d.collect(*b, b->end);
        } catch (...) {
        }
      }
      b->last = !more;
      b->discarded = d.reader->discarded();
      putFull(b);
    }
  }

  Block* takeFree() {
    std::unique_lock<std::mutex> lock(mu_);
    freeCv_.wait(lock, [&] { return stop_ || !free_.empty(); });
    if (stop_) return nullptr;
    Block* b = free_.front();
    free_.pop_front();
    return b;
  }
  void putFull(Block* b) {
    {
      std::lock_guard<std::mutex> lock(mu_);
      full_.push_back(b);
    }
    fullCv_.notify_one();
  }
  Block* takeFull() {
    std::unique_lock<std::mutex> lock(mu_);
    fullCv_.wait(lock, [&] { return !full_.empty(); });
    Block* b = full_.front();
    full_.pop_front();
    return b;
  }
  void giveBack(Block* b) {
    {
      std::lock_guard<std::mutex> lock(mu_);
      free_.push_back(b);
    }
    freeCv_.notify_one();
  }

  std::unique_ptr<Decoder> dec_;
  Replay replay_;
  Block blocks_[kBlocks];
  std::mutex mu_;
  std::condition_variable freeCv_, fullCv_;
  std::deque<Block*> free_, full_;
  bool stop_ = false;
  std::atomic<bool> stopping_{false};
  std::thread thread_;
  // The caller's side.
  Block* cur_ = nullptr;
  size_t pos_ = 0;
  bool done_ = false;
  uint64_t discarded_ = 0;
};

}  // namespace

std::unique_ptr<TraceReader> openTraceOnThread(const std::string& path, const ReaderOptions& opts, TraceTables& tables,
                                               Diagnostics& diags) {
  auto dec = std::make_unique<Decoder>();
  Decoder& d = *dec;
  // The reader's own source table holds this trace at the index it has in the caller's.
  const size_t before = tables.sources.size();
  for (size_t i = 0; i < before; ++i) d.tables.sources.add(Source{});
  d.diags.setLimitPerCode(SIZE_MAX);  // the caller's collection applies its own limit
  d.tables.threads.logNaming(&d.namedLog);
  d.opts = opts;
  d.opts.readerThread = false;
  if (opts.onUnmatched)
    d.opts.onUnmatched = [&d](uint32_t, uint64_t line, std::string_view text) { d.unmatched.emplace_back(line, text); };
  d.reader = openTrace(path, d.opts, d.tables, d.diags);
  // Everything opening did, now, in the caller's tables: as if it had been opened there.
  for (size_t i = before; i < d.tables.sources.size(); ++i)
    tables.sources.add(d.tables.sources.at(static_cast<uint32_t>(i)));
  if (d.tables.sources.size() > before) d.source = static_cast<uint32_t>(before);
  Replay replay{tables, diags, opts.onUnmatched, d.source, {}, {}};
  Block opened;
  Mark m;
  if (d.source < d.tables.sources.size()) {
    d.pubExamples = d.tables.sources.at(d.source).unmatchedExamples.size();
    d.pubVocab = d.tables.sources.at(d.source).vocabulary;  // copied with the source just above
  }
  d.collect(opened, m);
  replay.apply(opened, m);
  if (!d.reader) return nullptr;
  return std::make_unique<ThreadedReader>(std::move(dec), std::move(replay));
}

}  // namespace vc
