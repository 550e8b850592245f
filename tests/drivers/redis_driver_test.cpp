// What only the Redis driver does (drivers/redis/redis_driver.h): the hash
// layout of a table, the Lua write scripts' exact 64-bit arithmetic (checked
// against harness/expr's evaluate() over edge values), WATCH/MULTI/EXEC
// conflicts, SET NX locks and their TTL, the run lock and the registry. The
// behaviour every driver shares is in tests/drivers/contract/.
#include <gtest/gtest.h>
#include <hiredis/hiredis.h>

#include <array>
#include <chrono>
#include <cstdint>
#include <functional>
#include <limits>
#include <memory>
#include <random>
#include <regex>
#include <string>
#include <thread>
#include <vector>

#include "drivers/driver.h"
#include "drivers/redis/redis_lua.h"
#include "drivers/url.h"
#include "harness/expr/expression.h"
#include "tests/common/clobber_binary.h"

namespace clobber {
namespace {

constexpr int64_t kMax = std::numeric_limits<int64_t>::max();
constexpr int64_t kMin = std::numeric_limits<int64_t>::min();

/// A table (id key, v, w integer, note text) of rows (1, 10, 0), (2, 20, 7), (3, 30, 8).
class RedisDriverTest : public ::testing::Test {
 protected:
  void SetUp() override {
    url_ = testing::server_url("CLOBBER_TEST_REDIS_URL");
    ASSERT_FALSE(url_.empty());
    driver_ = make_driver(parse_database_url(url_));
    admin_ = driver_->connect();
    std::string name = ::testing::UnitTest::GetInstance()->current_test_info()->name();
    for (char& c : name) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    table_.name = "clobber_redistest_" + name;
    table_.columns = {{"id", true}, {"v", true}, {"w", true}, {"note", false}};
    table_.key_column = 0;
    admin_->drop_table(table_.name);
    admin_->create_table(table_);
    const std::vector<std::vector<CellValue>> rows = {
        {int64_t{1}, int64_t{10}, int64_t{0}, std::string("a b")},
        {int64_t{2}, int64_t{20}, int64_t{7}, std::string("")},
        {int64_t{3}, int64_t{30}, int64_t{8}, std::string("c")}};
    admin_->insert_rows(table_, rows);
    const DatabaseUrl parsed = parse_database_url(url_);
    raw_.reset(redisConnect(parsed.host.c_str(), parsed.port));
    ASSERT_TRUE(raw_ && !raw_->err);
    raw({"SELECT", parsed.database});
  }

  void TearDown() override {
    if (admin_) admin_->drop_table(table_.name);
  }

  /// Runs a command on a plain hiredis connection; its reply as texts (an
  /// integer as its decimal, nil as "(nil)", an array flattened).
  std::vector<std::string> raw(const std::vector<std::string>& command) {
    std::vector<const char*> argv;
    std::vector<size_t> lengths;
    for (const std::string& word : command) {
      argv.push_back(word.data());
      lengths.push_back(word.size());
    }
    auto* reply = static_cast<redisReply*>(
        redisCommandArgv(raw_.get(), static_cast<int>(argv.size()), argv.data(), lengths.data()));
    EXPECT_NE(reply, nullptr);
    std::vector<std::string> out;
    if (!reply) return out;
    const auto add = [&out](const redisReply* r) {
      if (r->type == REDIS_REPLY_INTEGER)
        out.push_back(std::to_string(r->integer));
      else if (r->type == REDIS_REPLY_NIL)
        out.push_back("(nil)");
      else
        out.emplace_back(r->str, r->len);
    };
    if (reply->type == REDIS_REPLY_ARRAY)
      for (size_t i = 0; i < reply->elements; ++i) add(reply->element[i]);
    else
      add(reply);
    freeReplyObject(reply);
    return out;
  }

  /// The field `field` of row `key`.
  std::string field(int64_t key, const std::string& name) {
    return raw({"HGET", table_.name + ":" + std::to_string(key), name}).at(0);
  }

  /// A plain write of v (v = the first parameter), returning versions.
  WriteRow set_v(WriteRow::Guard guard = WriteRow::Guard::none) const {
    WriteRow write;
    write.table = table_;
    write.assignments = {{1, 0}};
    write.guard = guard;
    write.returns_versions = true;
    return write;
  }

  /// Executes `handle`; the row lands in row_ (reset to -1).
  Outcome run(Session& session, StatementHandle handle, std::vector<int64_t> params) {
    row_.assign(4, -1);
    result_ = StatementResult{};
    return session.execute(handle, params, row_, result_);
  }

  struct RawFree {
    void operator()(redisContext* context) const { redisFree(context); }
  };
  std::string url_;
  std::unique_ptr<Driver> driver_;
  std::unique_ptr<Session> admin_;
  TableShape table_;
  std::unique_ptr<redisContext, RawFree> raw_;
  std::vector<int64_t> row_;
  StatementResult result_;
};

TEST_F(RedisDriverTest, ARowIsAHashWithItsHiddenFieldsAndTheTableListsItsKeys) {
  EXPECT_EQ(raw({"HGETALL", table_.name + ":1"}),
            (std::vector<std::string>{"id", "1", "v", "10", "w", "0", "note", "a b", "clobber_txn",
                                      "0", "clobber_prev", "0", "clobber_version", "0"}));
  EXPECT_EQ(raw({"SCARD", table_.name + ":keys"}).at(0), "3");
  EXPECT_EQ(raw({"TYPE", table_.name + ":table"}).at(0), "hash");
  EXPECT_TRUE(admin_->table_exists(table_.name));
  EXPECT_THROW(admin_->create_table(table_), DatabaseError) << "it exists";

  // read_rows: by ascending key, whatever the order of insertion and sign.
  const std::vector<std::vector<CellValue>> more = {
      {int64_t{100}, int64_t{5}, int64_t{0}, std::string()},
      {int64_t{-4}, int64_t{kMin}, int64_t{0}, std::string()},
      {int64_t{kMax}, int64_t{kMax}, int64_t{0}, std::string()}};
  admin_->insert_rows(table_, more);
  const std::vector<size_t> columns = {0, 1};
  EXPECT_EQ(admin_->read_rows(table_, columns),
            (std::vector<std::vector<int64_t>>{
                {-4, kMin, 0}, {1, 10, 0}, {2, 20, 0}, {3, 30, 0}, {100, 5, 0}, {kMax, kMax, 0}}));

  admin_->drop_table(table_.name);
  EXPECT_FALSE(admin_->table_exists(table_.name));
  EXPECT_EQ(raw({"EXISTS", table_.name + ":1", table_.name + ":-4", table_.name + ":keys",
                 table_.name + ":table"})
                .at(0),
            "0")
      << "drop_table leaves nothing";
  admin_->drop_table(table_.name);  // harmless when it does not exist
}

TEST_F(RedisDriverTest, APlainWriteStampsTheWriterAndReturnsWhatItReplaced) {
  auto session = driver_->connect();
  const StatementHandle read = session->prepare(Operation(ReadRow{table_, {2, 1}, Locking::none}));
  const StatementHandle write = session->prepare(Operation(set_v()));
  ASSERT_TRUE(run(*session, read, {2}).ok());
  EXPECT_TRUE(result_.has_row);
  EXPECT_EQ(row_, (std::vector<int64_t>{7, 20, 0, 0})) << "w, v, writer, version";
  ASSERT_TRUE(run(*session, write, {21, 500, 2}).ok());
  EXPECT_EQ(result_.rows_affected, 1);
  EXPECT_EQ(row_[0], 0) << "replaced the seed";
  EXPECT_EQ(row_[1], 1) << "version 1";
  ASSERT_TRUE(run(*session, write, {22, 501, 2}).ok());
  EXPECT_EQ(row_[0], 500);
  EXPECT_EQ(row_[1], 2);
  EXPECT_EQ(
      raw({"HMGET", table_.name + ":2", "v", "clobber_txn", "clobber_prev", "clobber_version"}),
      (std::vector<std::string>{"22", "501", "500", "2"}));

  ASSERT_TRUE(run(*session, read, {99}).ok());
  EXPECT_FALSE(result_.has_row);
  EXPECT_EQ(result_.rows_affected, 0);
  ASSERT_TRUE(run(*session, write, {1, 502, 99}).ok());
  EXPECT_EQ(result_.rows_affected, 0) << "no such row";
  EXPECT_FALSE(result_.has_row);
  EXPECT_EQ(raw({"EXISTS", table_.name + ":99"}).at(0), "0") << "a write creates no row";
}

TEST_F(RedisDriverTest, ItRunsNoSql) {
  auto session = driver_->connect();
  EXPECT_THROW(session->prepare(std::string("SELECT 1"), 0), DatabaseError);
  EXPECT_THROW(session->query("SELECT 1"), DatabaseError);
  EXPECT_THROW(session->read_only_query("SELECT 1"), DatabaseError);
  TextResult text;
  EXPECT_THROW(session->execute_text("SELECT 1", text), DatabaseError);
  EXPECT_THROW(session->prepare(Operation(RawSql{{"SELECT 1"}})), DatabaseError);
  ReadRow locked{table_, {1}, Locking::for_update};
  EXPECT_THROW(session->prepare(Operation(locked)), DatabaseError);
  EXPECT_THROW(session->begin(Isolation::serializable), DatabaseError);
  EXPECT_FALSE(driver_->traits().runs_sql);
  EXPECT_TRUE(driver_->traits().plain_writes_return_versions);
  EXPECT_EQ(driver_->traits().name, "redis");
}

TEST_F(RedisDriverTest, AGuardedWriteUnderWatchIsAConflictWhenTheRowChanged) {
  auto first = driver_->connect();
  auto second = driver_->connect();
  const StatementHandle read = first->prepare(Operation(ReadRow{table_, {1}, Locking::none}));
  const StatementHandle write = first->prepare(Operation(set_v(WriteRow::Guard::version)));
  const StatementHandle other = second->prepare(Operation(set_v()));

  ASSERT_TRUE(first->begin(Isolation::none).ok());
  ASSERT_TRUE(run(*first, read, {1}).ok());
  EXPECT_EQ(row_[0], 10);
  const int64_t version = row_[2];
  ASSERT_TRUE(run(*second, other, {55, 900, 1}).ok()) << "changes the watched row";
  const Outcome outcome = run(*first, write, {11, 901, 1, version});
  EXPECT_EQ(outcome.cause, AbortCause::conflict) << outcome.code << " " << outcome.message;
  EXPECT_EQ(outcome.code, "WATCH");
  EXPECT_EQ(field(1, "v"), "55") << "EXEC ran nothing";
  EXPECT_TRUE(first->rollback().ok());

  // The retry reads again under WATCH and writes.
  ASSERT_TRUE(first->begin(Isolation::none).ok());
  ASSERT_TRUE(run(*first, read, {1}).ok());
  EXPECT_EQ(row_[0], 55);
  ASSERT_TRUE(run(*first, write, {56, 902, 1, row_[2]}).ok());
  EXPECT_EQ(result_.rows_affected, 1);
  EXPECT_EQ(row_[0], 900) << "the writer it replaced";
  EXPECT_EQ(row_[1], 2) << "the new version";
  ASSERT_TRUE(first->commit().ok());
  EXPECT_EQ(field(1, "v"), "56");
  EXPECT_EQ(field(1, "clobber_prev"), "900");
  EXPECT_EQ(field(1, "clobber_txn"), "902");

  // Without a read under WATCH the script checks the version itself.
  ASSERT_TRUE(first->begin(Isolation::none).ok());
  ASSERT_TRUE(run(*first, write, {57, 903, 1, 1}).ok());
  EXPECT_EQ(result_.rows_affected, 0) << "version 1 is gone";
  EXPECT_EQ(field(1, "v"), "56");
}

TEST_F(RedisDriverTest, ACompareAndSetWriteMatchesOnlyTheValuesRead) {
  auto session = driver_->connect();
  const StatementHandle cas = session->prepare(Operation(set_v(WriteRow::Guard::old_values)));
  ASSERT_TRUE(run(*session, cas, {5, 7, 2, 19}).ok());
  EXPECT_EQ(result_.rows_affected, 0);
  ASSERT_TRUE(run(*session, cas, {5, 7, 2, 20}).ok());
  EXPECT_EQ(result_.rows_affected, 1);
  EXPECT_EQ(field(2, "v"), "5");
  ASSERT_TRUE(run(*session, cas, {5, 7, 99, 20}).ok());
  EXPECT_EQ(result_.rows_affected, 0) << "no such row";
  EXPECT_EQ(raw({"EXISTS", table_.name + ":99"}).at(0), "0") << "a write creates no row";
}

TEST_F(RedisDriverTest, DeltaWritesAreExactAndRefuseToOverflow) {
  auto session = driver_->connect();
  WriteRow add;
  add.table = table_;
  add.assignments = {{1, +1}, {2, -1}};
  add.returns_versions = true;
  const StatementHandle handle = session->prepare(Operation(add));
  const std::vector<std::vector<CellValue>> big = {
      {int64_t{7}, int64_t{kMax - 5}, int64_t{kMin + 5}, std::string()}};
  admin_->insert_rows(table_, big);

  ASSERT_TRUE(run(*session, handle, {5, 5, 42, 7}).ok());
  EXPECT_EQ(row_[0], kMax) << "exact at the top of the range";
  EXPECT_EQ(row_[1], kMin);
  EXPECT_EQ(row_[2], 0) << "replaced the seed";
  EXPECT_EQ(row_[3], 1);
  const Outcome over = run(*session, handle, {1, 0, 43, 7});
  EXPECT_EQ(over.cause, AbortCause::other);
  EXPECT_EQ(over.code, kLuaOverflowCode) << over.message;
  EXPECT_EQ(field(7, "v"), std::to_string(kMax)) << "nothing written";
  EXPECT_EQ(field(7, "clobber_txn"), "42");
  const Outcome under = run(*session, handle, {0, 1, 44, 7});
  EXPECT_EQ(under.code, kLuaOverflowCode) << "the second column overflows: the first is unchanged";
  EXPECT_EQ(field(7, "v"), std::to_string(kMax));
  EXPECT_EQ(field(7, "w"), std::to_string(kMin));
  ASSERT_TRUE(run(*session, handle, {kMin, kMin, 45, 7}).ok()) << "max + min, min - min";
  EXPECT_EQ(row_[0], -1);
  EXPECT_EQ(row_[1], 0);
}

/// Random conditions over the row and two parameters, near every edge of the
/// 64-bit range: the script writes exactly when evaluate() says true, and
/// fails as it does (overflow, division by zero), never wrapping.
TEST_F(RedisDriverTest, GuardConditionsAgreeWithTheExpressionEvaluator) {
  auto session = driver_->connect();
  // Slots: 0-3 the columns; 4 and 5, the condition's parameters p and q.
  const SlotResolver resolve = [](std::string_view name) -> std::optional<int> {
    if (name == "v") return 1;
    if (name == "w") return 2;
    if (name == "p") return 4;
    if (name == "q") return 5;
    return std::nullopt;
  };
  const std::vector<std::string> atoms = {
      "v",          "w",         "p", "q", "0", "1", "2", "3", "7", "9223372036854775807",
      "4294967296", "3037000500"};
  const std::vector<std::string> binary = {
      "+", "-", "*", "/", "%", "<", "<=", ">", ">=", "=", "!=", "and", "or"};
  const std::vector<int64_t> values = {
      0, 1, -1, 2, -3, 7, kMax, kMin, kMax - 1, kMin + 1, 4294967296, -3037000500, 3037000499};
  std::mt19937_64 random(12);
  const auto pick = [&random](const auto& list) { return list[random() % list.size()]; };
  std::function<std::string(int)> expression = [&](int depth) -> std::string {
    const uint64_t kind = depth == 0 ? 0 : random() % 6;
    if (kind == 0) return pick(atoms);
    if (kind == 1) return "-(" + expression(depth - 1) + ")";
    if (kind == 2) return "(not (" + expression(depth - 1) + "))";
    if (kind == 3)
      return std::string(random() % 2 ? "min" : "max") + "(" + expression(depth - 1) + ", " +
             expression(depth - 1) + ")";
    return "(" + expression(depth - 1) + " " + pick(binary) + " " + expression(depth - 1) + ")";
  };
  int writes = 0, rejected = 0, overflows = 0, zero_divisions = 0;
  for (int round = 0; round < 150; ++round) {
    const std::string text = expression(3);
    SCOPED_TRACE(text);
    WriteRow write = set_v(WriteRow::Guard::condition);
    write.condition = parse_expression(text, SourceLocation{}, resolve);
    write.condition_params = 2;
    const StatementHandle handle = session->prepare(Operation(write));
    for (int trial = 0; trial < 3; ++trial) {
      const int64_t v = pick(values), w = pick(values), p = pick(values), q = pick(values);
      raw({"HSET", table_.name + ":1", "v", std::to_string(v), "w", std::to_string(w)});
      const int64_t frame[] = {1, v, w, 0, p, q};
      int64_t expected = 0;
      const EvalError error = evaluate(write.condition, frame, expected);
      const Outcome outcome = run(*session, handle, {123, 77, 1, p, q});
      if (error == EvalError::overflow) {
        EXPECT_EQ(outcome.code, kLuaOverflowCode) << outcome.message;
        ++overflows;
      } else if (error == EvalError::division_by_zero) {
        EXPECT_EQ(outcome.code, kLuaDivisionByZeroCode) << outcome.message;
        ++zero_divisions;
      } else {
        ASSERT_TRUE(outcome.ok()) << outcome.code << " " << outcome.message;
        EXPECT_EQ(result_.rows_affected, expected != 0 ? 1 : 0)
            << "v=" << v << " w=" << w << " p=" << p << " q=" << q;
        (expected != 0 ? writes : rejected)++;
      }
      EXPECT_EQ(field(1, "v"), std::to_string(expected != 0 && error == EvalError::none ? 123 : v));
    }
  }
  // Every kind of result came up.
  EXPECT_GT(writes, 20);
  EXPECT_GT(rejected, 20);
  EXPECT_GT(overflows, 5);
  EXPECT_GT(zero_divisions, 5);
}

TEST_F(RedisDriverTest, AnExpiredLockIsFreeAndItsReleaseLeavesTheNewHolderAlone) {
  driver_ = make_driver(parse_database_url(url_ + "?lock_ttl=300ms&lock_wait=50ms"));
  auto first = driver_->connect();
  auto second = driver_->connect();
  const LockKey lock{table_.name + "_lock"};
  const StatementHandle first_lock = first->prepare(Operation(lock));
  const StatementHandle first_release = first->prepare(Operation(ReleaseLocks{}));
  const StatementHandle second_lock = second->prepare(Operation(lock));
  const StatementHandle second_release = second->prepare(Operation(ReleaseLocks{}));

  ASSERT_TRUE(run(*first, first_lock, {5}).ok());
  EXPECT_EQ(row_[0], 1) << "granted";
  const std::string key = table_.name + "_lock:5";
  const int64_t ttl = std::stoll(raw({"PTTL", key}).at(0));
  EXPECT_GT(ttl, 0);
  EXPECT_LE(ttl, 300) << "SET NX PX lock_ttl";
  ASSERT_TRUE(run(*first, first_lock, {5}).ok());
  EXPECT_EQ(row_[0], 1) << "a session's own lock is granted again";
  ASSERT_TRUE(run(*second, second_lock, {5}).ok());
  EXPECT_EQ(row_[0], 0) << "held elsewhere: not granted within lock_wait";
  ASSERT_TRUE(run(*second, second_lock, {6}).ok());
  EXPECT_EQ(row_[0], 1) << "another key is another lock";

  std::this_thread::sleep_for(std::chrono::milliseconds(400));
  ASSERT_TRUE(run(*second, second_lock, {5}).ok());
  EXPECT_EQ(row_[0], 1) << "the TTL ended the first holder's lock";
  ASSERT_TRUE(run(*first, first_release, {}).ok());
  EXPECT_EQ(result_.rows_affected, 0) << "its lock had expired: nothing of its own to release";
  EXPECT_EQ(raw({"EXISTS", key}).at(0), "1") << "the new holder's lock stays";
  ASSERT_TRUE(run(*second, second_release, {}).ok());
  EXPECT_EQ(result_.rows_affected, 1) << "key 5; key 6's lock expired too";
  EXPECT_EQ(raw({"EXISTS", key}).at(0), "0");
}

TEST_F(RedisDriverTest, ALockWaitEndsWhenTheHolderReleases) {
  driver_ = make_driver(parse_database_url(url_ + "?lock_ttl=30s&lock_wait=10s"));
  auto holder = driver_->connect();
  auto waiter = driver_->connect();
  const LockKey lock{table_.name + "_lock:"};
  const StatementHandle hold = holder->prepare(Operation(lock));
  const StatementHandle release = holder->prepare(Operation(ReleaseLocks{}));
  const StatementHandle wait = waiter->prepare(Operation(lock));
  const StatementHandle done = waiter->prepare(Operation(ReleaseLocks{}));
  raw({"DEL", table_.name + "_lock:1"});  // left by an earlier run cut short
  ASSERT_TRUE(run(*holder, hold, {1}).ok());
  ASSERT_EQ(row_[0], 1);
  EXPECT_EQ(raw({"EXISTS", table_.name + "_lock:1"}).at(0), "1") << "no second ':'";
  const auto start = std::chrono::steady_clock::now();
  std::thread releaser([&] {
    std::this_thread::sleep_for(std::chrono::milliseconds(150));
    std::vector<int64_t> none;
    StatementResult result;
    EXPECT_TRUE(holder->execute(release, none, std::span<int64_t>(), result).ok());
  });
  std::array<int64_t, 1> granted{-1};
  StatementResult result;
  const Outcome outcome = waiter->execute(wait, std::vector<int64_t>{1}, granted, result);
  releaser.join();
  ASSERT_TRUE(outcome.ok()) << outcome.message;
  EXPECT_EQ(granted[0], 1);
  const auto waited = std::chrono::steady_clock::now() - start;
  EXPECT_GE(waited, std::chrono::milliseconds(150));
  EXPECT_LT(waited, std::chrono::seconds(5));

  // cancel() ends a wait at its next poll.
  auto third = driver_->connect();
  const StatementHandle blocked = third->prepare(Operation(lock));
  std::thread canceller([&] {
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
    third->cancel();
  });
  const Outcome cancelled = third->execute(blocked, std::vector<int64_t>{1}, granted, result);
  canceller.join();
  EXPECT_EQ(cancelled.code, "CANCELLED") << cancelled.message;
  ASSERT_TRUE(run(*waiter, done, {}).ok());
  EXPECT_EQ(result_.rows_affected, 1);
}

TEST_F(RedisDriverTest, ScriptsFlushedBehindItsBackAreLoadedAgain) {
  auto session = driver_->connect();
  const StatementHandle read = session->prepare(Operation(ReadRow{table_, {1}, Locking::none}));
  const StatementHandle write = session->prepare(Operation(set_v()));
  const StatementHandle guarded = session->prepare(Operation(set_v(WriteRow::Guard::version)));
  raw({"SCRIPT", "FLUSH"});  // every client's: the others load theirs again too
  ASSERT_TRUE(run(*session, write, {6, 2, 1}).ok()) << "loaded again and sent again";
  EXPECT_EQ(field(1, "v"), "6");
  // Under WATCH the EXEC is spent: the attempt fails as a conflict, retried.
  ASSERT_TRUE(run(*session, read, {1}).ok());
  raw({"SCRIPT", "FLUSH"});
  const Outcome flushed = run(*session, guarded, {7, 3, 1, row_[2]});
  EXPECT_EQ(flushed.cause, AbortCause::conflict) << flushed.message;
  EXPECT_EQ(flushed.code, "NOSCRIPT");
  ASSERT_TRUE(run(*session, read, {1}).ok());
  ASSERT_TRUE(run(*session, guarded, {7, 3, 1, row_[2]}).ok());
  EXPECT_EQ(result_.rows_affected, 1);
  EXPECT_EQ(field(1, "v"), "7");
  ASSERT_TRUE(session->reconnect().ok());
  ASSERT_TRUE(run(*session, write, {8, 4, 1}).ok()) << "reconnect() loads them again";
  EXPECT_EQ(field(1, "v"), "8");
}

TEST_F(RedisDriverTest, TheRunLockIsTheHoldersClientIdAndDiesWithIt) {
  const RunOwner owner{"00000000redis001", "host", 1};
  auto holder = driver_->connect();
  auto cleaner = driver_->connect();
  auto rival = driver_->connect();
  holder->hold_run_lock(owner);
  EXPECT_EQ(raw({"GET", "clobber_run:" + owner.run_id}).at(0), holder->backend_id());
  EXPECT_FALSE(cleaner->claim_run_lock(owner)) << "the holder is connected";
  holder.reset();
  std::this_thread::sleep_for(std::chrono::milliseconds(50));
  raw({"SET", "clobber_run:" + owner.run_id, "999999999"});  // as a holder that died holding it
  EXPECT_TRUE(cleaner->claim_run_lock(owner)) << "its client is gone";
  EXPECT_FALSE(rival->claim_run_lock(owner)) << "the first cleaner holds it now";
  cleaner->release_run_lock(owner);
  EXPECT_EQ(raw({"EXISTS", "clobber_run:" + owner.run_id}).at(0), "0");
  EXPECT_TRUE(rival->claim_run_lock(owner)) << "a missing key is a dead run";
  rival->release_run_lock(owner);
}

TEST_F(RedisDriverTest, TheRegistryIsAHashOfEntries) {
  const RegisteredTable mine{
      table_.name + "_a", {"00000000redis002", "h", 12}, "2026-01-01T00:00:00Z"};
  const RegisteredTable theirs{
      table_.name + "_a", {"00000000redis003", "h", 13}, "2026-01-01T00:00:01Z"};
  admin_->registry_create();
  admin_->registry_add(mine);
  admin_->registry_add(mine);  // sent again after a lost connection
  EXPECT_THROW(admin_->registry_add(theirs), DatabaseError);
  bool found = false;
  for (const RegisteredTable& entry : admin_->registry_entries()) {
    if (entry.table != mine.table) continue;
    found = true;
    EXPECT_EQ(entry.owner.run_id, mine.owner.run_id);
    EXPECT_EQ(entry.owner.host, "h");
    EXPECT_EQ(entry.owner.pid, 12);
    EXPECT_EQ(entry.created_at, mine.created_at);
  }
  EXPECT_TRUE(found);
  admin_->registry_remove(mine.table);
  for (const RegisteredTable& entry : admin_->registry_entries())
    EXPECT_NE(entry.table, mine.table);
}

TEST_F(RedisDriverTest, UrlOptionsAreCheckedAndReported) {
  EXPECT_THROW(make_driver(parse_database_url(url_ + "?lock_ttl=soon")), InputError);
  EXPECT_THROW(make_driver(parse_database_url(url_ + "?lock_ttl=0ms")), InputError);
  EXPECT_THROW(make_driver(parse_database_url(url_ + "?sslmode=require")), InputError);
  auto driver = make_driver(parse_database_url(url_ + "?lock_ttl=2s"));
  EXPECT_EQ(driver->reported_settings(), (std::vector<std::pair<std::string, std::string>>{
                                             {"lock_ttl", "2000ms"}, {"lock_wait", "10000ms"}}));
  EXPECT_TRUE(std::regex_search(driver->server_version(), std::regex("^[0-9]+\\.[0-9]+")));
}

}  // namespace
}  // namespace clobber
