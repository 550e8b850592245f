// The encoded history (harness/history/history.h): every field of every record
// round-trips, at its extremes and at random, through decode() and the Reader;
// and a read-then-update transaction costs under 64 bytes.
#include "harness/history/history.h"

#include <gtest/gtest.h>

#include <limits>
#include <random>
#include <vector>

namespace clobber {
namespace {

constexpr int64_t kMin = std::numeric_limits<int64_t>::min();
constexpr int64_t kMax = std::numeric_limits<int64_t>::max();

/// Attempt `index` of `original` and its records equal `decoded`, field by field.
void expect_same(const Records& original, size_t index, const Records& decoded) {
  SCOPED_TRACE("attempt " + std::to_string(index));
  ASSERT_EQ(decoded.attempts.size(), 1u);
  const AttemptRecord& a = original.attempts[index];
  const AttemptRecord& d = decoded.attempts[0];
  EXPECT_EQ(d.id, a.id);
  EXPECT_EQ(d.type, a.type);
  EXPECT_EQ(d.attempt, a.attempt);
  EXPECT_EQ(d.outcome, a.outcome);
  EXPECT_EQ(d.cause, a.cause);
  EXPECT_EQ(d.code, a.code);
  EXPECT_EQ(d.start_ns, a.start_ns);
  EXPECT_EQ(d.end_ns, a.end_ns);
  EXPECT_EQ(d.commit_ns, a.commit_ns);
  EXPECT_EQ(d.first_read, 0u);
  EXPECT_EQ(d.first_write, 0u);
  ASSERT_EQ(d.read_count, a.read_count);
  ASSERT_EQ(d.write_count, a.write_count);
  ASSERT_EQ(decoded.reads.size(), a.read_count);
  ASSERT_EQ(decoded.writes.size(), a.write_count);
  for (uint32_t r = 0; r < a.read_count; ++r) {
    const ReadRecord& o = original.reads[a.first_read + r];
    const ReadRecord& x = decoded.reads[r];
    EXPECT_EQ(x.table, o.table);
    EXPECT_EQ(x.key, o.key);
    EXPECT_EQ(x.version, o.version);
    EXPECT_EQ(x.version_number, o.version_number);
    ASSERT_EQ(x.value_count, o.value_count);
    for (uint32_t v = 0; v < o.value_count; ++v)
      ASSERT_EQ(decoded.values[x.first_value + v], original.values[o.first_value + v]) << v;
  }
  for (uint32_t w = 0; w < a.write_count; ++w) {
    const WriteRecord& o = original.writes[a.first_write + w];
    const WriteRecord& x = decoded.writes[w];
    EXPECT_EQ(x.table, o.table);
    EXPECT_EQ(x.key, o.key);
    EXPECT_EQ(x.txn, o.txn);
    EXPECT_EQ(x.version_read, o.version_read);
    EXPECT_EQ(x.overwrote, o.overwrote);
    EXPECT_EQ(x.version_number, o.version_number);
    EXPECT_EQ(x.sent_ns, o.sent_ns);
    EXPECT_EQ(x.done_ns, o.done_ns);
    EXPECT_EQ(x.durability, o.durability);
    ASSERT_EQ(x.change_count, o.change_count);
    for (uint32_t c = 0; c < o.change_count; ++c) {
      const ColumnChange& oc = original.changes[o.first_change + c];
      const ColumnChange& xc = decoded.changes[x.first_change + c];
      ASSERT_EQ(xc.column, oc.column) << c;
      ASSERT_EQ(xc.old_value, oc.old_value) << c;
      ASSERT_EQ(xc.new_value, oc.new_value) << c;
    }
  }
}

/// Encodes `records` as worker `worker`'s log and checks that both ways of
/// reading it give every attempt back.
void expect_round_trip(const Records& records, int worker) {
  WorkerLog log;
  log.worker = worker;
  log.append(records);
  ASSERT_EQ(log.attempts(), records.attempts.size());
  EXPECT_EQ(log.history.reads(), records.reads.size());
  EXPECT_EQ(log.history.writes(), records.writes.size());
  Records decoded;
  for (size_t i = records.attempts.size(); i-- > 0;) {  // backwards: no help from order
    log.decode(i, decoded);
    expect_same(records, i, decoded);
  }
  size_t count = 0;
  for (History::Reader reader = log.reader(); reader.next(decoded); ++count) {
    ASSERT_EQ(reader.index(), count);
    expect_same(records, count, decoded);
  }
  EXPECT_EQ(count, records.attempts.size());
}

/// Appends an attempt with the given reads and writes to `records`.
AttemptRecord& add_attempt(Records& records, int worker) {
  AttemptRecord& a = records.attempts.emplace_back();
  a.id = make_txn_id(worker, records.attempts.size() - 1);
  a.first_read = static_cast<uint32_t>(records.reads.size());
  a.first_write = static_cast<uint32_t>(records.writes.size());
  return a;
}

ReadRecord& add_read(Records& records, std::vector<int64_t> values) {
  AttemptRecord& a = records.attempts.back();
  ReadRecord& r = records.reads.emplace_back();
  r.first_value = static_cast<uint32_t>(records.values.size());
  r.value_count = static_cast<uint16_t>(values.size());
  records.values.insert(records.values.end(), values.begin(), values.end());
  ++a.read_count;
  return r;
}

WriteRecord& add_write(Records& records, std::vector<ColumnChange> changes) {
  AttemptRecord& a = records.attempts.back();
  WriteRecord& w = records.writes.emplace_back();
  w.txn = a.id;
  w.first_change = static_cast<uint32_t>(records.changes.size());
  w.change_count = static_cast<uint16_t>(changes.size());
  records.changes.insert(records.changes.end(), changes.begin(), changes.end());
  ++a.write_count;
  return w;
}

TEST(HistoryEncoding, EveryFieldAtItsExtremes) {
  Records records;
  // Room for every record up front: the references below outlive later appends.
  records.attempts.reserve(16);
  records.reads.reserve(16);
  records.writes.reserve(16);
  const int worker = 7;
  for (const int64_t extreme : {kMin, kMax, int64_t{-1}, int64_t{0}}) {
    AttemptRecord& a = add_attempt(records, worker);
    a.type = std::numeric_limits<uint32_t>::max();
    a.attempt = 65535;
    a.outcome = AttemptOutcome::indeterminate;
    a.cause = AbortCause::other;
    a.code =
        extreme < 0 ? std::numeric_limits<int32_t>::min() : std::numeric_limits<int32_t>::max();
    a.start_ns = extreme;
    a.end_ns = extreme == kMin ? kMax : kMin;  // the widest differences, both ways
    a.commit_ns = extreme == -1 ? -1 : ~extreme;
    ReadRecord& r = add_read(records, {kMin, kMax, -1, 0, extreme});
    r.table = std::numeric_limits<uint32_t>::max();
    r.key = extreme;
    r.version = kUnknownVersion;
    r.version_number = kMin;
    ReadRecord& seed = add_read(records, {});
    seed.key = ~extreme;
    seed.version = 0;
    seed.version_number = kMax;
    // Of the row read: its version, and version numbers as far apart as can be.
    WriteRecord& w =
        add_write(records, {ColumnChange{std::numeric_limits<uint32_t>::max(), kMin, kMax},
                            ColumnChange{0, kMax, kMin}, ColumnChange{1, -1, -1}});
    w.table = r.table;
    w.key = r.key;
    w.version_read = r.version;
    w.overwrote = kUnknownVersion;
    w.version_number = kMax;
    w.sent_ns = kMax;
    w.done_ns = kMin;
    w.durability = Durability::maybe;
    // Of the same row but another version than the one read; another attempt's txn.
    WriteRecord& other = add_write(records, {});
    other.table = r.table;
    other.key = r.key;
    other.version_read = 0;
    other.overwrote = kUnknownVersion - 1;
    other.version_number = kMin;
    other.txn = kUnknownVersion;
    other.sent_ns = kMin;
    other.done_ns = kMax;
    other.durability = Durability::discarded;
    // Of a row never read.
    WriteRecord& blind = add_write(records, {ColumnChange{2, extreme, ~extreme}});
    blind.key = kMin;
    blind.version_read = make_txn_id(1'000'000, 0xffffffffu);
    blind.overwrote = blind.version_read;
    blind.version_number = -1;
    blind.sent_ns = extreme;
    blind.done_ns = extreme;
    blind.durability = Durability::pending;
  }
  // An attempt whose id is not the one its position gives, and one that did nothing.
  AttemptRecord& odd = add_attempt(records, worker);
  odd.id = kUnknownVersion;
  odd.commit_ns = -1;
  odd.code = -1;
  AttemptRecord& none = add_attempt(records, worker);
  none.id = 0;
  expect_round_trip(records, worker);
}

TEST(HistoryEncoding, EveryOutcomeCauseAndDurability) {
  Records records;
  for (int o = 0; o < 4; ++o)
    for (int c = 0; c <= static_cast<int>(AbortCause::other); ++c)
      for (int d = 0; d < 4; ++d) {
        AttemptRecord& a = add_attempt(records, 0);
        a.outcome = static_cast<AttemptOutcome>(o);
        a.cause = static_cast<AbortCause>(c);
        add_write(records, {}).durability = static_cast<Durability>(d);
      }
  expect_round_trip(records, 0);
}

TEST(HistoryEncoding, HugeCountsAndAnAttemptLargerThanAChunk) {
  Records records;
  add_attempt(records, 3);
  std::vector<int64_t> values(65535);
  for (size_t v = 0; v < values.size(); ++v)
    values[v] = v % 2 ? kMax - static_cast<int64_t>(v) : kMin;
  add_read(records, values);  // 65,535 values of up to 10 bytes: one attempt of over 640 KB
  for (int r = 0; r < 70'000; ++r) add_read(records, {r}).key = -r;
  std::vector<ColumnChange> changes(65535);
  for (size_t c = 0; c < changes.size(); ++c)
    changes[c] = ColumnChange{static_cast<uint32_t>(c), kMin + static_cast<int64_t>(c), kMax};
  add_write(records, changes).key = -1;
  for (int i = 0; i < 5000; ++i) {  // small attempts around it, across chunks
    add_attempt(records, 3).start_ns = i;
    add_read(records, {i, -i}).key = i;
  }
  expect_round_trip(records, 3);
}

TEST(HistoryEncoding, ManyWorkersAndRandomRecords) {
  std::mt19937_64 rng(20261130);
  const auto pick = [&]() -> int64_t {
    switch (rng() % 6) {
      case 0:
        return kMin + static_cast<int64_t>(rng() % 3);
      case 1:
        return kMax - static_cast<int64_t>(rng() % 3);
      case 2:
        return static_cast<int64_t>(rng() % 200) - 100;
      default:
        return static_cast<int64_t>(rng());
    }
  };
  for (const int worker : {0, 1, 999, 65'535, 1'000'000, std::numeric_limits<int>::max() - 1}) {
    Records records;
    for (int i = 0; i < 3000; ++i) {
      AttemptRecord& a = add_attempt(records, worker);
      a.type = static_cast<uint32_t>(rng() % 4);
      a.attempt = static_cast<uint16_t>(1 + rng() % 3);
      a.outcome = static_cast<AttemptOutcome>(rng() % 4);
      a.cause = static_cast<AbortCause>(rng() % 7);
      a.code = static_cast<int32_t>(rng() % 4) - 1;
      a.start_ns = pick();
      a.end_ns = pick();
      a.commit_ns = rng() % 2 ? -1 : pick();
      const uint64_t version = rng() % 3
                                   ? make_txn_id(static_cast<int>(rng() % 1000), rng() % 100000)
                                   : (rng() % 2 ? 0 : kUnknownVersion);
      const size_t reads = rng() % 4;
      for (size_t r = 0; r < reads; ++r) {
        ReadRecord& read = add_read(records, {pick(), pick()});
        read.table = static_cast<uint32_t>(rng() % 3);
        read.key = rng() % 2 ? pick() : static_cast<int64_t>(rng() % 5);
        read.version = rng() % 2 ? version : rng();
        read.version_number = pick();
      }
      const size_t writes = rng() % 4;
      for (size_t w = 0; w < writes; ++w) {
        WriteRecord& write = add_write(records, {ColumnChange{1, pick(), pick()}});
        write.table = static_cast<uint32_t>(rng() % 3);
        write.key = rng() % 2 ? pick() : static_cast<int64_t>(rng() % 5);
        write.version_read = rng() % 2 ? version : rng();
        write.overwrote = rng() % 3 == 0   ? kUnknownVersion
                          : rng() % 2 == 0 ? write.version_read
                                           : rng();
        write.version_number = pick();
        write.sent_ns = pick();
        write.done_ns = pick();
        write.durability = static_cast<Durability>(rng() % 4);
        if (rng() % 5 == 0) write.txn = rng();
      }
    }
    expect_round_trip(records, worker);
  }
}

/// A read-then-update transaction as a worker records it on a busy run: one
/// attempt, one read of the key and one column, one write of that column
/// from the value read, with the times,
/// keys, version numbers and values of a 1,000,000-transaction run over
/// 100,000 rows.
TEST(HistoryEncoding, AReadThenUpdateTakesUnder64Bytes) {
  constexpr int kWorkers = 8;
  constexpr size_t kPerWorker = 125'000;
  std::mt19937_64 rng(11);
  std::vector<WorkerLog> logs(kWorkers);
  int64_t clock = 30'000'000'000;  // 30 s into the run: a 5-byte start
  int64_t bytes = 0;
  for (int w = 0; w < kWorkers; ++w) {
    WorkerLog& log = logs[static_cast<size_t>(w)];
    log.worker = w;
    for (size_t i = 0; i < kPerWorker; ++i) {
      AttemptRecord a;
      a.id = make_txn_id(w, i);
      a.outcome = AttemptOutcome::committed;
      a.start_ns = clock += 2'000;
      a.commit_ns = a.start_ns + 150'000;
      a.end_ns = a.commit_ns + 60'000;
      ReadRecord& r = log.reads.emplace_back();
      r.key = 1 + static_cast<int64_t>(rng() % 100'000);
      r.version = make_txn_id(static_cast<int>(rng() % kWorkers), rng() % kPerWorker);
      r.version_number = static_cast<int64_t>(rng() % 40);
      r.value_count = 2;  // the integer columns: the key, then the balance
      const int64_t balance = static_cast<int64_t>(rng() % 200'000) - 100'000;
      log.values.push_back(r.key);
      log.values.push_back(balance);
      WriteRecord& write = log.writes.emplace_back();
      write.key = r.key;
      write.txn = a.id;
      write.version_read = write.overwrote = r.version;
      write.version_number = r.version_number + 1;
      write.sent_ns = a.start_ns + 70'000;
      write.done_ns = write.sent_ns + 70'000;
      write.change_count = 1;
      write.durability = Durability::durable;
      log.changes.push_back(ColumnChange{1, balance, balance + 4'321});
      a.read_count = a.write_count = 1;
      log.end_attempt(a);
      ASSERT_TRUE(log.reads.empty() && log.writes.empty()) << "end_attempt clears the open records";
    }
    bytes += log.history.bytes();
  }
  const double per_transaction = static_cast<double>(bytes) / (kWorkers * kPerWorker);
  EXPECT_LT(per_transaction, 64.0);
  RecordProperty("bytes_per_transaction", std::to_string(per_transaction));
  // And it decodes to what was recorded.
  Records decoded;
  logs[5].decode(kPerWorker - 1, decoded);
  EXPECT_EQ(decoded.attempts[0].id, make_txn_id(5, kPerWorker - 1));
  EXPECT_EQ(decoded.writes[0].version_number, decoded.reads[0].version_number + 1);
  EXPECT_EQ(decoded.values[0], decoded.reads[0].key);
  EXPECT_EQ(decoded.changes[0].new_value, decoded.values[1] + 4'321);
}

}  // namespace
}  // namespace clobber
