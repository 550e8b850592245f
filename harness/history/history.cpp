#include "harness/history/history.h"

#include <algorithm>
#include <stdexcept>

namespace clobber {
namespace {

// Bytes an entry can take at most, per part (a varint of 64 bits is 10 bytes).
constexpr size_t kHeaderBound = 1 + 10 + 20 + 3 + 5 + 3 * 10 + 2 * 10;
constexpr size_t kReadBound = 5 + 10 + 20 + 10 + 3;
constexpr size_t kWriteBound = 1 + 5 + 10 + 20 + 10 + 20 + 20 + 2 * 10 + 3;
constexpr size_t kChangeBound = 5 + 3 + 2 * 10;
constexpr size_t kValueBound = 10;

uint64_t zigzag(int64_t v) {
  return (static_cast<uint64_t>(v) << 1) ^ static_cast<uint64_t>(v >> 63);
}
int64_t unzigzag(uint64_t v) {
  return static_cast<int64_t>(v >> 1) ^ -static_cast<int64_t>(v & 1);
}
/// a - b modulo 2^64, as a signed difference.
int64_t minus(int64_t a, int64_t b) {
  return static_cast<int64_t>(static_cast<uint64_t>(a) - static_cast<uint64_t>(b));
}
/// a + b modulo 2^64.
int64_t plus(int64_t a, int64_t b) {
  return static_cast<int64_t>(static_cast<uint64_t>(a) + static_cast<uint64_t>(b));
}

/// Appends varints at a position known to have room.
class Writer {
 public:
  explicit Writer(uint8_t* p) : p_(p) {}
  void byte(uint8_t b) { *p_++ = b; }
  void u(uint64_t v) {
    while (v >= 0x80) {
      *p_++ = static_cast<uint8_t>(v | 0x80);
      v >>= 7;
    }
    *p_++ = static_cast<uint8_t>(v);
  }
  void s(int64_t v) { u(zigzag(v)); }
  void id(uint64_t v) {
    u(v >> 32);
    u(v & 0xffffffffu);
  }
  uint8_t* at() const { return p_; }

 private:
  uint8_t* p_;
};

/// Reads what Writer wrote.
class Cursor {
 public:
  explicit Cursor(const uint8_t* p) : p_(p) {}
  uint8_t byte() { return *p_++; }
  uint64_t u() {
    uint64_t v = *p_++;
    if (v < 0x80) return v;
    v &= 0x7f;
    for (int shift = 7;; shift += 7) {
      const uint64_t b = *p_++;
      v |= (b & 0x7f) << shift;
      if (b < 0x80) return v;
    }
  }
  int64_t s() { return unzigzag(u()); }
  void skip() {
    while (*p_++ >= 0x80) {
    }
  }
  uint64_t id() {
    const uint64_t high = u();
    return high << 32 | u();
  }
  const uint8_t* at() const { return p_; }

 private:
  const uint8_t* p_;
};

enum : uint8_t {
  kAttemptGiven = 1 << 5,
  kCodeGiven = 1 << 6,
  kCommitGiven = 1 << 7,
};
enum : uint8_t {
  kOverwroteRead = 0,
  kOverwroteUnknown = 1,
  kOverwroteGiven = 2,
  kRowOfRead = 1 << 4,
  kTxnGiven = 1 << 5,
};

}  // namespace

std::string txn_name(uint64_t id) {
  if (id == 0) return "the seed";
  return "T" + std::to_string(txn_worker(id)) + "." + std::to_string(txn_index(id));
}

void History::append(int worker, const AttemptRecord& a, const ReadRecord* reads,
                     const int64_t* values, const WriteRecord* writes,
                     const ColumnChange* changes) {
  if (size_ >= UINT32_MAX) throw std::length_error("more than 2^32 - 1 attempts in one history");
  size_t bound = kHeaderBound;
  for (uint32_t r = a.first_read; r < a.first_read + a.read_count; ++r)
    bound += kReadBound + reads[r].value_count * kValueBound;
  for (uint32_t w = a.first_write; w < a.first_write + a.write_count; ++w)
    bound += kWriteBound + writes[w].change_count * kChangeBound;
  // A chunk larger than kLargestChunk holds one attempt: offsets stay 16-bit.
  if (chunks_.empty() || chunks_.back().bytes.size() > kLargestChunk ||
      chunks_.back().bytes.size() - chunks_.back().used < bound) {
    const size_t grown =
        chunks_.empty() ? kFirstChunk : std::min(chunks_.back().bytes.size() * 2, kLargestChunk);
    Chunk& chunk = chunks_.emplace_back();
    chunk.bytes.resize(std::max(grown, bound));
    chunk.first = size_;
  }
  if (size_ % kOffsetsPerBlock == 0) offsets_.emplace_back().reserve(kOffsetsPerBlock);
  Chunk& chunk = chunks_.back();
  offsets_.back().push_back(static_cast<uint16_t>(chunk.used));

  Writer out(chunk.bytes.data() + chunk.used);
  const uint64_t implicit = make_txn_id(worker, size_);
  out.byte(static_cast<uint8_t>(static_cast<uint8_t>(a.outcome) & 3) |
           static_cast<uint8_t>((static_cast<uint8_t>(a.cause) & 7) << 2) |
           (a.attempt != 1 ? kAttemptGiven : 0) | (a.code != -1 ? kCodeGiven : 0) |
           (a.commit_ns != -1 ? kCommitGiven : 0));
  out.u(static_cast<uint64_t>(a.type) << 1 | (a.id != implicit ? 1 : 0));
  if (a.id != implicit) out.id(a.id);
  if (a.attempt != 1) out.u(a.attempt);
  if (a.code != -1) out.s(a.code);
  out.s(a.start_ns);
  if (a.commit_ns != -1) {
    out.s(minus(a.commit_ns, a.start_ns));
    out.s(minus(a.end_ns, a.commit_ns));
  } else {
    out.s(minus(a.end_ns, a.start_ns));
  }
  out.u(a.read_count);
  for (uint32_t r = a.first_read; r < a.first_read + a.read_count; ++r) {
    const ReadRecord& read = reads[r];
    out.u(read.table);
    out.s(read.key);
    out.id(read.version);
    out.s(read.version_number);
    const int64_t* value = values + read.first_value;
    const bool key_first = read.value_count > 0 && value[0] == read.key;
    out.u(static_cast<uint64_t>(read.value_count) << 1 | (key_first ? 1 : 0));
    for (uint32_t v = key_first ? 1 : 0; v < read.value_count; ++v) out.s(value[v]);
  }
  out.u(a.write_count);
  for (uint32_t w = a.first_write; w < a.first_write + a.write_count; ++w) {
    const WriteRecord& write = writes[w];
    // The attempt's last read of the row, when the write read that version.
    uint32_t of_read = a.read_count;
    for (uint32_t r = a.read_count; r-- > 0;) {
      const ReadRecord& read = reads[a.first_read + r];
      if (read.table == write.table && read.key == write.key) {
        if (read.version == write.version_read) of_read = r;
        break;
      }
    }
    const uint8_t overwrote = write.overwrote == write.version_read ? kOverwroteRead
                              : write.overwrote == kUnknownVersion  ? kOverwroteUnknown
                                                                    : kOverwroteGiven;
    out.byte(static_cast<uint8_t>(static_cast<uint8_t>(write.durability) & 3) |
             static_cast<uint8_t>(overwrote << 2) | (of_read < a.read_count ? kRowOfRead : 0) |
             (write.txn != a.id ? kTxnGiven : 0));
    if (of_read < a.read_count) {
      out.u(of_read);
      out.s(minus(write.version_number, reads[a.first_read + of_read].version_number));
    } else {
      out.u(write.table);
      out.s(write.key);
      out.id(write.version_read);
      out.s(write.version_number);
    }
    if (overwrote == kOverwroteGiven) out.id(write.overwrote);
    if (write.txn != a.id) out.id(write.txn);
    out.s(minus(write.sent_ns, a.start_ns));
    out.s(minus(write.done_ns, write.sent_ns));
    out.u(write.change_count);
    for (uint32_t c = 0; c < write.change_count; ++c) {
      const ColumnChange& change = changes[write.first_change + c];
      out.u(change.column);
      if (of_read < a.read_count) {
        // The value the write's read saw, when it is one: its position + 1.
        const ReadRecord& read = reads[a.first_read + of_read];
        uint32_t seen = 0;
        while (seen < read.value_count && values[read.first_value + seen] != change.old_value)
          ++seen;
        out.u(seen < read.value_count ? seen + 1 : 0);
        if (seen < read.value_count) {
          out.s(minus(change.new_value, change.old_value));
          continue;
        }
      }
      out.s(change.old_value);
      out.s(minus(change.new_value, change.old_value));
    }
  }
  chunk.used = static_cast<size_t>(out.at() - chunk.bytes.data());
  ++size_;
  reads_ += a.read_count;
  writes_ += a.write_count;
}

const uint8_t* History::decode_entry(const uint8_t* p, int worker, size_t index, bool values,
                                     Records& out) {
  // Every field of every record is assigned below: resizing, not clearing,
  // spares constructing them again.
  out.values.clear();
  out.changes.clear();
  out.attempts.resize(1);
  Cursor in(p);
  AttemptRecord& a = out.attempts[0];
  const uint8_t flags = in.byte();
  a.outcome = static_cast<AttemptOutcome>(flags & 3);
  a.cause = static_cast<AbortCause>((flags >> 2) & 7);
  const uint64_t type = in.u();
  a.type = static_cast<uint32_t>(type >> 1);
  a.id = type & 1 ? in.id() : make_txn_id(worker, index);
  a.attempt = flags & kAttemptGiven ? static_cast<uint16_t>(in.u()) : 1;
  a.code = flags & kCodeGiven ? static_cast<int32_t>(in.s()) : -1;
  a.start_ns = in.s();
  if (flags & kCommitGiven) {
    a.commit_ns = plus(a.start_ns, in.s());
    a.end_ns = plus(a.commit_ns, in.s());
  } else {
    a.commit_ns = -1;
    a.end_ns = plus(a.start_ns, in.s());
  }
  a.first_read = 0;
  a.read_count = static_cast<uint32_t>(in.u());
  out.reads.resize(a.read_count);
  for (ReadRecord& read : out.reads) {
    read.table = static_cast<uint32_t>(in.u());
    read.key = in.s();
    read.version = in.id();
    read.version_number = in.s();
    const uint64_t count = in.u();
    read.value_count = static_cast<uint16_t>(count >> 1);
    read.first_value = static_cast<uint32_t>(out.values.size());
    const uint32_t key_first = count & 1;
    if (values) {
      if (key_first) out.values.push_back(read.key);
      for (uint32_t v = key_first; v < read.value_count; ++v) out.values.push_back(in.s());
    } else {
      for (uint32_t v = key_first; v < read.value_count; ++v) in.skip();
    }
  }
  a.first_write = 0;
  a.write_count = static_cast<uint32_t>(in.u());
  out.writes.resize(a.write_count);
  for (WriteRecord& write : out.writes) {
    const uint8_t bits = in.byte();
    write.durability = static_cast<Durability>(bits & 3);
    const ReadRecord* of_read = nullptr;
    if (bits & kRowOfRead) {
      of_read = &out.reads[in.u()];
      const ReadRecord& read = *of_read;
      write.table = read.table;
      write.key = read.key;
      write.version_read = read.version;
      write.version_number = plus(read.version_number, in.s());
    } else {
      write.table = static_cast<uint32_t>(in.u());
      write.key = in.s();
      write.version_read = in.id();
      write.version_number = in.s();
    }
    switch ((bits >> 2) & 3) {
      case kOverwroteRead:
        write.overwrote = write.version_read;
        break;
      case kOverwroteUnknown:
        write.overwrote = kUnknownVersion;
        break;
      default:
        write.overwrote = in.id();
        break;
    }
    write.txn = bits & kTxnGiven ? in.id() : a.id;
    write.sent_ns = plus(a.start_ns, in.s());
    write.done_ns = plus(write.sent_ns, in.s());
    write.change_count = static_cast<uint16_t>(in.u());
    write.first_change = static_cast<uint32_t>(out.changes.size());
    if (!values) {
      for (uint32_t c = 0; c < write.change_count; ++c) {
        in.skip();                               // column
        if (!of_read || in.u() == 0) in.skip();  // old_value, unless the read's
        in.skip();                               // new_value
      }
      continue;
    }
    for (uint32_t c = 0; c < write.change_count; ++c) {
      ColumnChange& change = out.changes.emplace_back();
      change.column = static_cast<uint32_t>(in.u());
      const uint64_t seen = of_read ? in.u() : 0;
      change.old_value = seen ? out.values[of_read->first_value + seen - 1] : in.s();
      change.new_value = plus(change.old_value, in.s());
    }
  }
  return in.at();
}

size_t History::chunk_of(size_t index) const {
  const auto it = std::upper_bound(chunks_.begin(), chunks_.end(), index,
                                   [](size_t i, const Chunk& c) { return i < c.first; });
  return static_cast<size_t>(it - chunks_.begin()) - 1;
}

void History::decode(int worker, size_t index, Records& out) const {
  const uint32_t offset = offsets_[index / kOffsetsPerBlock][index % kOffsetsPerBlock];
  decode_entry(chunks_[chunk_of(index)].bytes.data() + offset, worker, index, true, out);
}

int64_t History::bytes() const {
  size_t total = chunks_.capacity() * sizeof(Chunk) + offsets_.capacity() * sizeof(offsets_[0]);
  for (const Chunk& chunk : chunks_) total += chunk.bytes.capacity();
  for (const auto& block : offsets_) total += block.capacity() * sizeof(uint16_t);
  return static_cast<int64_t>(total);
}

bool History::Reader::next(Records& out) {
  if (index_ >= history_.size_) return false;
  while (chunk_ + 1 < history_.chunks_.size() && history_.chunks_[chunk_ + 1].first <= index_) {
    ++chunk_;
    offset_ = 0;
  }
  const uint8_t* base = history_.chunks_[chunk_].bytes.data();
  const uint8_t* end = decode_entry(base + offset_, worker_, index_, values_, out);
  offset_ = static_cast<uint32_t>(end - base);
  ++index_;
  return true;
}

void WorkerLog::end_attempt(const AttemptRecord& attempt) {
  history.append(worker, attempt, reads.data(), values.data(), writes.data(), changes.data());
  reads.clear();
  values.clear();
  writes.clear();
  changes.clear();
}

void WorkerLog::append(const Records& records) {
  for (const AttemptRecord& attempt : records.attempts)
    history.append(worker, attempt, records.reads.data(), records.values.data(),
                   records.writes.data(), records.changes.data());
}

std::vector<WorkerLog> encode_logs(const std::vector<Records>& per_worker) {
  std::vector<WorkerLog> logs(per_worker.size());
  for (size_t w = 0; w < per_worker.size(); ++w) {
    logs[w].worker = static_cast<int>(w);
    logs[w].append(per_worker[w]);
  }
  return logs;
}

}  // namespace clobber
