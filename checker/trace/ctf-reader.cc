#include "trace/ctf-reader.h"

#include <babeltrace2/babeltrace.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cctype>
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <set>
#include <string_view>
#include <unordered_map>

namespace vc {

namespace fs = std::filesystem;

std::vector<std::string> findCtfTraceDirs(const std::string& path) {
  std::vector<std::string> out;
  std::error_code ec;
  if (!fs::is_directory(path, ec)) return out;
  if (fs::is_regular_file(fs::path(path) / "metadata", ec)) out.push_back(path);
  fs::recursive_directory_iterator it(path, fs::directory_options::skip_permission_denied, ec), end;
  for (; !ec && it != end; it.increment(ec)) {
    if (it.depth() > 12) {
      it.disable_recursion_pending();
      continue;
    }
    if (it->is_directory(ec) && fs::is_regular_file(it->path() / "metadata", ec)) out.push_back(it->path().string());
  }
  std::sort(out.begin(), out.end());
  out.erase(std::unique(out.begin(), out.end()), out.end());
  return out;
}

namespace {

// libbabeltrace2 2.0.4 loops forever on packetized metadata cut in the middle of a packet (the
// babeltrace2 CLI hangs too), so the packet chain is checked here first. Returns an error
// message, or "" when the metadata looks whole (or is plain text, which is not checked).
std::string checkMetadataPackets(const fs::path& file) {
  std::error_code ec;
  if (fs::file_size(file, ec) > (size_t{64} << 20) && !ec)
    return "the metadata file is larger than 64 MiB: is this really CTF metadata?";
  std::FILE* f = std::fopen(file.c_str(), "rb");
  if (!f) return "cannot open " + file.string();
  std::vector<unsigned char> data;
  unsigned char buf[65536];
  size_t n;
  while ((n = std::fread(buf, 1, sizeof buf, f)) > 0) data.insert(data.end(), buf, buf + n);
  std::fclose(f);
  auto u32 = [&](size_t at, bool le) {
    uint32_t v = 0;
    for (int k = 0; k < 4; ++k) v |= static_cast<uint32_t>(data[at + static_cast<size_t>(le ? k : 3 - k)]) << (8 * k);
    return v;
  };
  if (data.size() < 4) return data.empty() ? "the metadata file is empty" : "the metadata file is cut short";
  bool le = u32(0, true) == 0x75D11D57u;
  if (!le && u32(0, false) != 0x75D11D57u) return "";  // plain-text metadata
  size_t off = 0;
  while (off < data.size()) {
    if (data.size() - off < 37) return "the metadata file ends inside a packet header";
    if (u32(off, le) != 0x75D11D57u) return "bad metadata packet magic at byte " + std::to_string(off);
    uint64_t content = u32(off + 24, le), packet = u32(off + 28, le);
    if (packet < uint64_t{37} * 8 || packet % 8 || content > packet)
      return "bad metadata packet sizes at byte " + std::to_string(off);
    if (packet / 8 > data.size() - off)
      return "the metadata file is truncated: its packet at byte " + std::to_string(off) + " needs " +
             std::to_string(packet / 8) + " bytes, " + std::to_string(data.size() - off) + " are left";
    off += packet / 8;
  }
  return "";
}

// libbabeltrace2 2.0.4 trusts the packet sizes of a stream file: a corrupted header claiming a
// huge packet made it allocate and zero gigabytes at open (found by tests/fuzz/fuzz-ctf-stream).
// LTTng (UST and kernel) writes a fixed packet layout: magic 0xC1FC1FC1 at 0, content_size and
// packet_size (u64, bits) at bytes 48 and 56. For LTTng traces, walk each stream file's packets
// and refuse one that claims more bytes than the file has. Other CTF producers are not checked.
std::string checkLttngStreams(const fs::path& dir) {
  std::string meta;
  {
    std::FILE* f = std::fopen((dir / "metadata").c_str(), "rb");
    if (!f) return "";
    char buf[65536];
    size_t n;
    while ((n = std::fread(buf, 1, sizeof buf, f)) > 0 && meta.size() < (8u << 20)) meta.append(buf, n);
    std::fclose(f);
  }
  if (meta.find("tracer_name = \"lttng-") == std::string::npos ||
      meta.find("uint64_t content_size;") == std::string::npos ||
      meta.find("uint64_t packet_size;") == std::string::npos)
    return "";
  const bool le = meta.find("byte_order = be;") == std::string::npos;
  std::error_code ec;
  for (const auto& e : fs::directory_iterator(dir, ec)) {
    if (!e.is_regular_file(ec) || e.path().filename() == "metadata") continue;
    std::FILE* f = std::fopen(e.path().c_str(), "rb");
    if (!f) continue;
    uint64_t size = e.file_size(ec), off = 0;
    std::string bad;
    unsigned char h[64];
    auto u = [&](int at, int len) {
      uint64_t v = 0;
      for (int k = 0; k < len; ++k) v |= static_cast<uint64_t>(h[at + (le ? k : len - 1 - k)]) << (8 * k);
      return v;
    };
    while (off < size && bad.empty()) {
      if (size - off < 64 || std::fseek(f, static_cast<long>(off), SEEK_SET) != 0 || std::fread(h, 1, 64, f) != 64) {
        bad = "ends inside a packet header at byte " + std::to_string(off);
        break;
      }
      if (u(0, 4) != 0xC1FC1FC1u) {
        if (off == 0) break;  // not the layout we know: leave it to libbabeltrace2
        bad = "has no packet magic at byte " + std::to_string(off);
        break;
      }
      uint64_t content = u(48, 8), packet = u(56, 8);
      if (packet % 8 || packet / 8 < 64 || content > packet)
        bad = "has a packet with bad sizes at byte " + std::to_string(off);
      else if (packet / 8 > size - off)
        bad = "is truncated: its packet at byte " + std::to_string(off) + " claims " + std::to_string(packet / 8) +
              " bytes, " + std::to_string(size - off) + " are left";
      else
        off += packet / 8;
    }
    std::fclose(f);
    if (!bad.empty()) return "stream file " + e.path().filename().string() + " " + bad;
  }
  return "";
}

// Every file of a CTF trace directory, accounted for before libbabeltrace2 sees the directory.
// libbabeltrace2 2.0.4 delivers no event from ANY stream, without an error, when one stream file
// is empty while LTTng's index/ lists packets for it (an interrupted session); so the trace is
// handed over as a private directory of links to its metadata and to the stream files that can
// be read, whenever some cannot. Files that cannot be read are counted as lost (the caller then
// needs --allow-lost), with a warning naming them.
struct StreamAccount {
  std::string dir;                    // what src.ctf.fs reads: the trace dir, or the link dir
  std::string shadow;                 // the link dir to remove afterwards ("" if none)
  std::vector<std::string> nonEmpty;  // canonical paths of the non-empty stream files handed over
  uint64_t lost = 0;                  // packets known or assumed lost
};

// Packets an LTTng index file lists (0 when there is none or it cannot be read).
uint64_t indexPackets(const fs::path& idx) {
  std::FILE* f = std::fopen(idx.c_str(), "rb");
  if (!f) return 0;
  unsigned char h[16];
  bool ok = std::fread(h, 1, 16, f) == 16;
  std::fclose(f);
  if (!ok) return 0;
  uint32_t magic = (uint32_t{h[0]} << 24) | (uint32_t{h[1]} << 16) | (uint32_t{h[2]} << 8) | h[3];
  uint32_t len = (uint32_t{h[12]} << 24) | (uint32_t{h[13]} << 16) | (uint32_t{h[14]} << 8) | h[15];
  std::error_code ec;
  uint64_t size = fs::file_size(idx, ec);
  if (ec || magic != 0xC1F1DCC1u || len == 0 || size < 16) return 0;
  return (size - 16) / len;
}

bool accountStreams(const std::string& dir, StreamAccount& acc, Diagnostics& diags) {
  acc.dir = dir;
  std::vector<std::string> good;
  bool needShadow = false;
  std::error_code ec;
  std::vector<fs::directory_entry> entries;
  for (fs::directory_iterator it(dir, ec), end; !ec && it != end; it.increment(ec)) entries.push_back(*it);
  std::sort(entries.begin(), entries.end());
  for (const auto& e : entries) {
    std::string name = e.path().filename().string();
    if (name == "metadata") continue;
    struct stat st {};
    bool exists = ::stat(e.path().c_str(), &st) == 0;
    if (exists && S_ISDIR(st.st_mode)) continue;  // index/, or a nested trace (read on its own)
    std::string why;
    int fd = -1;
    if (exists && !S_ISREG(st.st_mode))
      why = "is not a regular file";
    else if (!exists || (fd = ::open(e.path().c_str(), O_RDONLY | O_CLOEXEC | O_NONBLOCK)) < 0)
      why = std::string("cannot be read: ") + std::strerror(errno);  // errno of the stat or the open
    else
      ::close(fd);
    if (!why.empty()) {
      diags.warning("trace-ctf-stream", Location{e.path().string(), 0, 0},
                    "this stream file " + why + ": its events are missing, counted as lost",
                    "check the file; --allow-lost checks the rest of the trace");
      ++acc.lost;
      needShadow = true;
      continue;
    }
    if (st.st_size == 0) {
      uint64_t listed = indexPackets(fs::path(dir) / "index" / (name + ".idx"));
      if (listed > 0) {
        diags.warning("trace-ctf-stream", Location{e.path().string(), 0, 0},
                      "this stream file is empty while LTTng's index lists " + std::to_string(listed) +
                          " packet(s) for it: its events are missing, counted as lost",
                      "the recording session was probably interrupted; --allow-lost checks the rest of the trace");
        acc.lost += listed;
      }
      needShadow = true;  // an empty stream file holds no event, but must not reach libbabeltrace2
      continue;
    }
    good.push_back(e.path().string());
    acc.nonEmpty.push_back(fs::weakly_canonical(e.path(), ec).string());
  }
  if (!needShadow) return true;
  std::string tmpl = (fs::temp_directory_path(ec) / "vconform-ctf-XXXXXX").string();
  if (!::mkdtemp(tmpl.data())) {
    diags.error("trace-ctf", Location{dir, 0, 0},
                std::string("cannot make a temporary directory: ") + std::strerror(errno),
                "set TMPDIR to a writable directory");
    return false;
  }
  acc.shadow = tmpl;
  acc.dir = tmpl;
  fs::create_symlink(fs::absolute(fs::path(dir) / "metadata", ec), fs::path(tmpl) / "metadata", ec);
  for (const auto& g : good) fs::create_symlink(fs::absolute(g, ec), fs::path(tmpl) / fs::path(g).filename(), ec);
  return true;
}

// The LTTng providers whose events a trace's metadata declares (`name = "PROVIDER:event";`), as
// recorder names "lttng:PROVIDER" (they select sync files, see docs/spec-language.md). Packetized
// metadata is unwrapped first (37-byte packet headers, content_size in bits).
void lttngProviders(const fs::path& file, std::vector<std::string>& out) {
  std::FILE* f = std::fopen(file.c_str(), "rb");
  if (!f) return;
  std::string data;
  char buf[65536];
  size_t n;
  while ((n = std::fread(buf, 1, sizeof buf, f)) > 0 && data.size() < (16u << 20)) data.append(buf, n);
  std::fclose(f);
  auto u32 = [&](size_t at, bool le) {
    uint32_t v = 0;
    for (int k = 0; k < 4; ++k)
      v |= static_cast<uint32_t>(static_cast<unsigned char>(data[at + static_cast<size_t>(le ? k : 3 - k)])) << (8 * k);
    return v;
  };
  std::string text;
  if (data.size() >= 4 && (u32(0, true) == 0x75D11D57u || u32(0, false) == 0x75D11D57u)) {
    const bool le = u32(0, true) == 0x75D11D57u;
    for (size_t off = 0; data.size() - off >= 37 && u32(off, le) == 0x75D11D57u;) {
      uint64_t content = u32(off + 24, le) / 8, packet = u32(off + 28, le) / 8;
      if (packet < 37 || content < 37 || content > packet || packet > data.size() - off) break;
      text.append(data, off + 37, content - 37);
      off += packet;
    }
  } else {
    text = std::move(data);
  }
  static constexpr std::string_view kName = "name = \"";
  for (size_t at = text.find(kName); at != std::string::npos; at = text.find(kName, at + 1)) {
    if (at > 0 && !std::isspace(static_cast<unsigned char>(text[at - 1])) && text[at - 1] != '{' && text[at - 1] != ';')
      continue;  // hostname = "...", procname = "..."
    size_t b = at + kName.size(), e = text.find('"', b);
    if (e == std::string::npos) break;
    std::string_view name(text.data() + b, e - b);
    size_t colon = name.find(':');
    if (colon == std::string_view::npos || colon == 0) continue;
    std::string rec = "lttng:" + std::string(name.substr(0, colon));
    if (std::find(out.begin(), out.end(), rec) == out.end()) out.push_back(rec);
  }
}

// Takes the current thread's libbabeltrace2 error and flattens its causes into one message.
std::string takeBtError() {
  const bt_error* err = bt_current_thread_take_error();
  if (!err) return "unknown libbabeltrace2 error";
  std::string msg;
  uint64_t n = bt_error_get_cause_count(err);
  for (uint64_t i = 0; i < n && i < 4; ++i) {
    std::string m = bt_error_cause_get_message(bt_error_borrow_cause_by_index(err, i));
    // Drop the graph's generic wrapper causes (they list internal addresses).
    if (m.find("comp-addr=") != std::string::npos || m.find("iterator-addr=") != std::string::npos) continue;
    if (!msg.empty()) msg += "; ";
    msg += m;
  }
  bt_error_release(err);
  return msg.empty() ? "unknown libbabeltrace2 error" : msg;
}

class CtfTraceReader : public TraceReader {
 public:
  CtfTraceReader(const ReaderOptions& opts, uint32_t source, TraceTables& tables, Diagnostics& diags)
      : opts_(opts), source_(source), tables_(tables), diags_(diags) {}
  ~CtfTraceReader() override {
    for (size_t i = head_; i < pending_.size(); ++i) bt_message_put_ref(pending_[i]);
    if (graph_) bt_graph_put_ref(graph_);
    std::error_code ec;
    for (const auto& a : accounts_)
      if (!a.shadow.empty()) fs::remove_all(a.shadow, ec);
  }

  bool build(const std::vector<std::string>& dirs) {
    const std::string& path = tables_.sources.at(source_).path;
    const size_t errorsBefore = diags_.errorCount();  // this trace's own errors come after
    const bt_plugin* ctf = nullptr;
    const bt_plugin* utils = nullptr;
    if (bt_plugin_find("ctf", BT_TRUE, BT_TRUE, BT_TRUE, BT_TRUE, BT_FALSE, &ctf) != BT_PLUGIN_FIND_STATUS_OK ||
        bt_plugin_find("utils", BT_TRUE, BT_TRUE, BT_TRUE, BT_TRUE, BT_FALSE, &utils) != BT_PLUGIN_FIND_STATUS_OK) {
      if (ctf) bt_plugin_put_ref(ctf);
      diags_.error("trace-ctf", Location{path, 0, 0}, "cannot load the babeltrace2 'ctf' and 'utils' plugins",
                   "install the babeltrace2 package (it ships the plugins), or set BABELTRACE_PLUGIN_PATH");
      return false;
    }
    const bt_component_class_source* fsClass = bt_plugin_borrow_source_component_class_by_name_const(ctf, "fs");
    const bt_component_class_filter* muxClass = bt_plugin_borrow_filter_component_class_by_name_const(utils, "muxer");
    graph_ = bt_graph_create(0);
    bool ok = fsClass && muxClass && graph_;
    const bt_component_filter* mux = nullptr;
    if (ok)
      ok = bt_graph_add_filter_component(graph_, muxClass, "mux", nullptr, BT_LOGGING_LEVEL_NONE, &mux) ==
           BT_GRAPH_ADD_COMPONENT_STATUS_OK;
    for (size_t i = 0; ok && i < dirs.size(); ++i) {
      std::string bad = checkMetadataPackets(fs::path(dirs[i]) / "metadata");
      if (bad.empty()) bad = checkLttngStreams(dirs[i]);
      if (!bad.empty()) {
        diags_.error("trace-ctf", Location{dirs[i] + "/metadata", 0, 0}, "cannot open the CTF trace: " + bad,
                     "the trace may have been copied while being written");
        ok = false;
        break;
      }
      StreamAccount& acc = accounts_.emplace_back();
      if (!accountStreams(dirs[i], acc, diags_)) {
        ok = false;
        break;
      }
      discardedPackets_ += acc.lost;
      bt_value* params = bt_value_map_create();
      bt_value* inputs = nullptr;
      bt_value_map_insert_empty_array_entry(params, "inputs", &inputs);
      bt_value_array_append_string_element(inputs, acc.dir.c_str());
      const bt_component_source* src = nullptr;
      std::string name = "src" + std::to_string(i);
      auto st = bt_graph_add_source_component(graph_, fsClass, name.c_str(), params, BT_LOGGING_LEVEL_NONE, &src);
      bt_value_put_ref(params);
      if (st != BT_GRAPH_ADD_COMPONENT_STATUS_OK) {
        diags_.error("trace-ctf", Location{dirs[i], 0, 0}, "cannot open the CTF trace: " + takeBtError(),
                     "is this an LTTng trace directory with a readable metadata file?");
        ok = false;
        break;
      }
      uint64_t nout = bt_component_source_get_output_port_count(src);
      for (uint64_t p = 0; ok && p < nout; ++p) {
        const bt_port_output* out = bt_component_source_borrow_output_port_by_index_const(src, p);
        const bt_port_input* in = bt_component_filter_borrow_input_port_by_index_const(
            mux, bt_component_filter_get_input_port_count(mux) - 1);
        ok = bt_graph_connect_ports(graph_, out, in, nullptr) == BT_GRAPH_CONNECT_PORTS_STATUS_OK;
      }
    }
    const bt_component_sink* sink = nullptr;
    if (ok)
      ok = bt_graph_add_simple_sink_component(graph_, "vconform", nullptr, &CtfTraceReader::consume, nullptr, this,
                                              &sink) == BT_GRAPH_ADD_COMPONENT_STATUS_OK;
    if (ok)
      ok = bt_graph_connect_ports(graph_, bt_component_filter_borrow_output_port_by_index_const(mux, 0),
                                  bt_component_sink_borrow_input_port_by_index_const(sink, 0),
                                  nullptr) == BT_GRAPH_CONNECT_PORTS_STATUS_OK;
    bt_plugin_put_ref(ctf);
    bt_plugin_put_ref(utils);
    if (!ok) {
      // Take (and release) the thread's libbabeltrace2 error whether or not it is reported.
      std::string why = takeBtError();
      if (diags_.errorCount() == errorsBefore)
        diags_.error("trace-ctf", Location{path, 0, 0}, "cannot build the babeltrace2 graph: " + why);
    }
    return ok;
  }

  // Event messages of the last batch wait in pending_ (holding their reference) and are turned
  // into events one at a time, straight into the caller's Event.
  bool next(Event& ev) override {
    while (head_ == pending_.size()) {
      if (done_) return false;
      head_ = 0;
      pending_.clear();
      auto st = bt_graph_run_once(graph_);
      if (st == BT_GRAPH_RUN_ONCE_STATUS_END) {
        finish();
      } else if (st == BT_GRAPH_RUN_ONCE_STATUS_ERROR || st == BT_GRAPH_RUN_ONCE_STATUS_MEMORY_ERROR) {
        diags_.error("trace-ctf", Location{tables_.sources.at(source_).path, 0, 0},
                     "the CTF trace could not be read to the end: " + takeBtError(),
                     "the trace may be truncated or still being written; events before this point were read");
        finish();
      }
    }
    const bt_message* msg = pending_[head_++];
    convert(msg, ev);
    bt_message_put_ref(msg);
    ++tables_.sources.at(source_).events;
    return true;
  }

  uint64_t discarded() const override { return discardedEvents_ + discardedPackets_; }

 private:
  void finish() {
    done_ = true;
    // A non-empty stream file libbabeltrace2 never started: its events are missing.
    if (!begun_.empty() || index_ == 0) {
      for (const auto& a : accounts_)
        for (const auto& f : a.nonEmpty)
          if (!begun_.count(f)) {
            diags_.warning("trace-ctf-stream", Location{f, 0, 0},
                           "libbabeltrace2 read nothing from this non-empty stream file: its events are missing, "
                           "counted as lost",
                           "check the file; --allow-lost checks the rest of the trace");
            ++discardedPackets_;
          }
    }
    uint64_t lost = discarded();
    if (lost == 0) return;
    const std::string& path = tables_.sources.at(source_).path;
    std::string msg = "the tracer discarded " + std::to_string(discardedEvents_) + " event(s)" +
                      (discardedPackets_ ? " and " + std::to_string(discardedPackets_) + " packet(s)" : "");
    // maxDiscarded < 0: the caller judges the loss from discarded() (the CLI's --allow-lost).
    if (opts_.maxDiscarded < 0) return;
    if (lost > static_cast<uint64_t>(opts_.maxDiscarded))
      diags_.error("trace-lost", Location{path, 0, 0}, msg + ": a verdict on an incomplete trace can be wrong",
                   "record with larger buffers (lttng enable-channel --subbuf-size/--num-subbuf)");
    else
      diags_.warning("trace-lost", Location{path, 0, 0}, msg, "verdicts may be wrong where events are missing");
  }

  static bt_graph_simple_sink_component_consume_func_status consume(bt_message_iterator* it, void* data) {
    auto* self = static_cast<CtfTraceReader*>(data);
    bt_message_array_const msgs;
    uint64_t count = 0;
    switch (bt_message_iterator_next(it, &msgs, &count)) {
      case BT_MESSAGE_ITERATOR_NEXT_STATUS_OK:
        break;
      case BT_MESSAGE_ITERATOR_NEXT_STATUS_END:
        return BT_GRAPH_SIMPLE_SINK_COMPONENT_CONSUME_FUNC_STATUS_END;
      case BT_MESSAGE_ITERATOR_NEXT_STATUS_AGAIN:
        return BT_GRAPH_SIMPLE_SINK_COMPONENT_CONSUME_FUNC_STATUS_AGAIN;
      case BT_MESSAGE_ITERATOR_NEXT_STATUS_MEMORY_ERROR:
        return BT_GRAPH_SIMPLE_SINK_COMPONENT_CONSUME_FUNC_STATUS_MEMORY_ERROR;
      default:
        return BT_GRAPH_SIMPLE_SINK_COMPONENT_CONSUME_FUNC_STATUS_ERROR;
    }
    for (uint64_t i = 0; i < count; ++i) self->handle(msgs[i]);
    return BT_GRAPH_SIMPLE_SINK_COMPONENT_CONSUME_FUNC_STATUS_OK;
  }

  void handle(const bt_message* msg) {
    switch (bt_message_get_type(msg)) {
      case BT_MESSAGE_TYPE_EVENT:
        pending_.push_back(msg);  // keeps the reference until next() converts it
        return;
      case BT_MESSAGE_TYPE_DISCARDED_EVENTS: {
        uint64_t n = 1;
        if (bt_message_discarded_events_get_count(msg, &n) != BT_PROPERTY_AVAILABILITY_AVAILABLE) n = 1;
        discardedEvents_ += n;  // modulo 2^64 by unsigned arithmetic
        break;
      }
      case BT_MESSAGE_TYPE_STREAM_BEGINNING: {
        // src.ctf.fs names a stream after its (first) data file.
        const char* name = bt_stream_get_name(bt_message_stream_beginning_borrow_stream_const(msg));
        std::error_code ec;
        if (name) begun_.insert(fs::weakly_canonical(name, ec).string());
        break;
      }
      case BT_MESSAGE_TYPE_DISCARDED_PACKETS: {
        uint64_t n = 1;
        if (bt_message_discarded_packets_get_count(msg, &n) != BT_PROPERTY_AVAILABILITY_AVAILABLE) n = 1;
        discardedPackets_ += n;
        break;
      }
      default:
        break;
    }
    bt_message_put_ref(msg);
  }

  Symbol sym(const char* s) { return tables_.symbols.intern(s); }

  // Member names and types of a structure class, with `prefix`, cached per class.
  struct Members {
    std::vector<Symbol> names;
    std::vector<bt_field_class_type> types;
  };
  const Members& memberSymbols(const bt_field_class* cls, const std::string& prefix) {
    auto it = members_.find(cls);
    if (it != members_.end()) return it->second;
    Members v;
    uint64_t n = bt_field_class_structure_get_member_count(cls);
    for (uint64_t i = 0; i < n; ++i) {
      const bt_field_class_structure_member* m = bt_field_class_structure_borrow_member_by_index_const(cls, i);
      v.names.push_back(sym((prefix + bt_field_class_structure_member_get_name(m)).c_str()));
      v.types.push_back(bt_field_class_get_type(bt_field_class_structure_member_borrow_field_class_const(m)));
    }
    return members_.emplace(cls, std::move(v)).first->second;
  }

  void addField(const bt_field* f, Symbol key, Event& ev) { addTyped(f, bt_field_get_class_type(f), key, ev); }

  // Integers and strings first (nearly every LTTng field), filled in place.
  void addTyped(const bt_field* f, bt_field_class_type t, Symbol key, Event& ev) {
    const bool asLabel = opts_.ctfEnumLabels && bt_field_class_type_is(t, BT_FIELD_CLASS_TYPE_ENUMERATION);
    if (!asLabel && (t == BT_FIELD_CLASS_TYPE_UNSIGNED_INTEGER || t == BT_FIELD_CLASS_TYPE_UNSIGNED_ENUMERATION)) {
      Field& o = ev.fields.emplace_back();
      o.key = key;
      o.value.i = static_cast<int64_t>(bt_field_integer_unsigned_get_value(f));
      return;
    }
    if (!asLabel && (t == BT_FIELD_CLASS_TYPE_SIGNED_INTEGER || t == BT_FIELD_CLASS_TYPE_SIGNED_ENUMERATION)) {
      Field& o = ev.fields.emplace_back();
      o.key = key;
      o.value.i = bt_field_integer_signed_get_value(f);
      return;
    }
    if (t == BT_FIELD_CLASS_TYPE_STRING) {
      Field& o = ev.fields.emplace_back();
      o.key = key;
      o.value.kind = Value::Kind::Str;
      o.value.s.assign(bt_field_string_get_value(f), bt_field_string_get_length(f));
      return;
    }
    Field out;
    out.key = key;
    if (bt_field_class_type_is(t, BT_FIELD_CLASS_TYPE_BOOL)) {
      out.value = Value::ofBool(bt_field_bool_get_value(f));
    } else if (bt_field_class_type_is(t, BT_FIELD_CLASS_TYPE_ENUMERATION) && opts_.ctfEnumLabels) {
      bt_field_class_enumeration_mapping_label_array labels = nullptr;
      uint64_t n = 0;
      if (bt_field_class_type_is(t, BT_FIELD_CLASS_TYPE_UNSIGNED_INTEGER))
        bt_field_enumeration_unsigned_get_mapping_labels(f, &labels, &n);
      else
        bt_field_enumeration_signed_get_mapping_labels(f, &labels, &n);
      std::string s;
      for (uint64_t i = 0; i < n; ++i) s += (i ? "|" : "") + std::string(labels[i]);
      if (n == 0)
        s = bt_field_class_type_is(t, BT_FIELD_CLASS_TYPE_UNSIGNED_INTEGER)
                ? std::to_string(bt_field_integer_unsigned_get_value(f))
                : std::to_string(bt_field_integer_signed_get_value(f));
      out.value = Value::ofStr(std::move(s));
    } else if (bt_field_class_type_is(t, BT_FIELD_CLASS_TYPE_UNSIGNED_INTEGER)) {
      out.value = Value::ofInt(static_cast<int64_t>(bt_field_integer_unsigned_get_value(f)));
    } else if (bt_field_class_type_is(t, BT_FIELD_CLASS_TYPE_SIGNED_INTEGER)) {
      out.value = Value::ofInt(bt_field_integer_signed_get_value(f));
    } else if (bt_field_class_type_is(t, BT_FIELD_CLASS_TYPE_STRING)) {
      out.value = Value::ofStr(bt_field_string_get_value(f));
    } else if (bt_field_class_type_is(t, BT_FIELD_CLASS_TYPE_REAL)) {
      double d = bt_field_class_type_is(t, BT_FIELD_CLASS_TYPE_SINGLE_PRECISION_REAL)
                     ? bt_field_real_single_precision_get_value(f)
                     : bt_field_real_double_precision_get_value(f);
      char buf[64];
      std::snprintf(buf, sizeof buf, "%.17g", d);
      out.value = Value::ofStr(buf);  // the event model has no reals: kept as text
    } else if (bt_field_class_type_is(t, BT_FIELD_CLASS_TYPE_STRUCTURE)) {
      addStruct(f, tables_.symbols.name(key) + ".", ev);
      return;
    } else if (bt_field_class_type_is(t, BT_FIELD_CLASS_TYPE_OPTION)) {
      if (const bt_field* inner = bt_field_option_borrow_field_const(f)) addField(inner, key, ev);
      return;
    } else if (bt_field_class_type_is(t, BT_FIELD_CLASS_TYPE_VARIANT)) {
      addField(bt_field_variant_borrow_selected_option_field_const(f), key, ev);
      return;
    } else if (bt_field_class_type_is(t, BT_FIELD_CLASS_TYPE_ARRAY)) {
      // Arrays other than text (which babeltrace2 gives as strings): only their length.
      Field len;
      len.key = sym((tables_.symbols.name(key) + ".length").c_str());
      len.value = Value::ofInt(static_cast<int64_t>(bt_field_array_get_length(f)));
      ev.fields.push_back(std::move(len));
      return;
    } else {
      return;  // bit arrays and future types: skipped
    }
    ev.fields.push_back(std::move(out));
  }

  void addStruct(const bt_field* f, const std::string& prefix, Event& ev, bool context = false) {
    addStructNamed(f, memberSymbols(bt_field_borrow_class_const(f), prefix), ev, context);
  }

  void addStructNamed(const bt_field* f, const Members& mem, Event& ev, bool context) {
    const auto& names = mem.names;
    for (uint64_t i = 0; i < names.size(); ++i) {
      const bt_field* m = bt_field_structure_borrow_member_field_by_index_const(f, i);
      if (context) {
        Symbol k = names[i];
        if (k == vtid_ || k == vpid_ || k == tid_ || k == pid_) {
          bt_field_class_type t = bt_field_get_class_type(m);
          int64_t v = bt_field_class_type_is(t, BT_FIELD_CLASS_TYPE_SIGNED_INTEGER)
                          ? bt_field_integer_signed_get_value(m)
                          : static_cast<int64_t>(bt_field_integer_unsigned_get_value(m));
          if (k == vtid_ || (k == tid_ && !haveTid_)) {
            ctxTid_ = v;
            haveTid_ = true;
          } else if (k == vpid_ || (k == pid_ && !havePid_)) {
            ctxPid_ = v;
            havePid_ = true;
          }
          continue;
        }
        if (k == procname_ && bt_field_class_type_is(bt_field_get_class_type(m), BT_FIELD_CLASS_TYPE_STRING)) {
          procnameValue_ = bt_field_string_get_value(m);
          continue;
        }
      }
      addTyped(m, mem.types[i], names[i], ev);
    }
  }

  bool convert(const bt_message* msg, Event& ev) {
    ev.clear();
    const bt_event* e = bt_message_event_borrow_event_const(msg);
    const bt_event_class* ec = bt_event_borrow_class_const(e);
    // Per event class: its name and the member names of its context and payload structures
    // (those classes are fixed for an event class), so an event costs one hash lookup.
    auto it = classes_.find(ec);
    if (it == classes_.end()) {
      ClassInfo ci;
      const char* n = bt_event_class_get_name(ec);
      ci.name = sym(n ? n : "<unnamed>");
      if (const bt_field* c = bt_event_borrow_common_context_field_const(e))
        ci.common = &memberSymbols(bt_field_borrow_class_const(c), "");
      if (const bt_field* c = bt_event_borrow_specific_context_field_const(e))
        ci.specific = &memberSymbols(bt_field_borrow_class_const(c), "");
      if (const bt_field* c = bt_event_borrow_payload_field_const(e))
        ci.payload = &memberSymbols(bt_field_borrow_class_const(c), "");
      it = classes_.emplace(ec, ci).first;
    }
    const ClassInfo& ci = it->second;
    ev.name = ci.name;
    ev.origin.source = source_;
    ev.origin.line = ++index_;
    if (bt_message_event_borrow_stream_class_default_clock_class_const(msg)) {
      const bt_clock_snapshot* cs = bt_message_event_borrow_default_clock_snapshot_const(msg);
      int64_t ns;
      if (bt_clock_snapshot_get_ns_from_origin(cs, &ns) == BT_CLOCK_SNAPSHOT_GET_NS_FROM_ORIGIN_STATUS_OK) {
        ev.ts = ns;
        ev.hasTs = true;
      }
    }
    if (vtid_ == kNoSymbol) {
      vtid_ = sym("vtid");
      vpid_ = sym("vpid");
      tid_ = sym("tid");
      pid_ = sym("pid");
      procname_ = sym("procname");
    }
    ctxTid_ = ctxPid_ = 0;
    haveTid_ = havePid_ = false;
    procnameValue_ = nullptr;
    if (ci.common) addStructNamed(bt_event_borrow_common_context_field_const(e), *ci.common, ev, true);
    if (ci.specific) addStructNamed(bt_event_borrow_specific_context_field_const(e), *ci.specific, ev, true);
    if (ci.payload) addStructNamed(bt_event_borrow_payload_field_const(e), *ci.payload, ev, false);
    if (!haveTid_) ctxTid_ = ctxPid_;
    if (!haveLast_ || ctxPid_ != lastPid_ || ctxTid_ != lastTid_) {
      lastThread_ = tables_.threads.intern(source_, ctxPid_, ctxTid_);
      lastPid_ = ctxPid_, lastTid_ = ctxTid_, haveLast_ = true;
    }
    ev.thread = lastThread_;
    if (procnameValue_) tables_.threads.nameIfUnnamed(ev.thread, procnameValue_);
    return true;
  }

  ReaderOptions opts_;
  uint32_t source_;
  TraceTables& tables_;
  Diagnostics& diags_;
  bt_graph* graph_ = nullptr;
  std::vector<const bt_message*> pending_;
  size_t head_ = 0;
  bool done_ = false;
  uint64_t index_ = 0;
  uint64_t discardedEvents_ = 0, discardedPackets_ = 0;
  std::vector<StreamAccount> accounts_;  // one per trace directory
  std::set<std::string> begun_;          // canonical paths of the streams libbabeltrace2 started
  struct ClassInfo {
    Symbol name = kNoSymbol;
    const Members* common = nullptr;  // point into members_ (node-based: stable)
    const Members* specific = nullptr;
    const Members* payload = nullptr;
  };
  std::unordered_map<const bt_event_class*, ClassInfo> classes_;
  std::unordered_map<const bt_field_class*, Members> members_;
  Symbol vtid_ = kNoSymbol, vpid_ = kNoSymbol, tid_ = kNoSymbol, pid_ = kNoSymbol, procname_ = kNoSymbol;
  int64_t ctxTid_ = 0, ctxPid_ = 0;
  bool haveTid_ = false, havePid_ = false;
  const char* procnameValue_ = nullptr;
  bool haveLast_ = false;  // cache of the last thread looked up
  int64_t lastPid_ = 0, lastTid_ = 0;
  uint32_t lastThread_ = 0;
};

}  // namespace

std::unique_ptr<TraceReader> openCtfTrace(const std::string& path, const ReaderOptions& opts, uint32_t source,
                                          TraceTables& tables, Diagnostics& diags) {
  std::string dir = path;
  std::error_code ec;
  // A `metadata` file given directly stands for its trace directory.
  if (fs::is_regular_file(path, ec) && fs::path(path).filename() == "metadata")
    dir = fs::path(path).parent_path().string();
  auto dirs = findCtfTraceDirs(dir);
  if (dirs.empty()) {
    diags.error("trace-ctf", Location{path, 0, 0}, "no CTF trace here: no directory below holds a 'metadata' file",
                "pass the LTTng session output directory (lttng create --output=DIR)");
    return nullptr;
  }
  auto r = std::make_unique<CtfTraceReader>(opts, source, tables, diags);
  if (!r->build(dirs)) return nullptr;
  auto& recorders = tables.sources.at(source).recorders;
  for (const auto& d : dirs) lttngProviders(fs::path(d) / "metadata", recorders);
  std::sort(recorders.begin(), recorders.end());
  return r;
}

}  // namespace vc
