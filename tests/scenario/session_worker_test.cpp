// One scenario session alone (harness/scenario/session_worker.h), on embedded
// SQLite: commands run on the worker's thread, each completion carries what a
// failure did to the transaction, and a transaction whose statement the server
// undid alone goes on and commits.
#include <gtest/gtest.h>

#include <unistd.h>

#include <filesystem>
#include <memory>
#include <mutex>
#include <string>

#include "drivers/url.h"
#include "harness/scenario/session_worker.h"

namespace clobber {
namespace {

namespace fs = std::filesystem;

class SessionWorkerTest : public ::testing::Test {
 protected:
  void SetUp() override {
    path_ = (fs::temp_directory_path() /
             ("clobber_session_worker_" + std::to_string(getpid()) + "_" +
              ::testing::UnitTest::GetInstance()->current_test_info()->name() + ".db"))
                .string();
    driver_ = make_driver(parse_database_url("sqlite:" + path_));
    driver_->use_for_scenarios();
    admin_ = driver_->connect();
    admin_->query("CREATE TABLE item (id INT PRIMARY KEY, value INT)");
    admin_->query("INSERT INTO item (id, value) VALUES (1, 10), (2, 20)");
  }
  void TearDown() override {
    admin_.reset();
    driver_.reset();
    for (const char* suffix : {"", "-wal", "-shm"}) fs::remove(path_ + suffix);
  }

  /// Sends `command` to `worker` and waits for its completion.
  Completion run(SessionWorker& worker, Command command) {
    worker.send(std::move(command));
    std::unique_lock lock(signal_->mutex);
    signal_->completed.wait(lock, [&] { return worker.finished_locked(); });
    EXPECT_TRUE(worker.in_flight_locked());
    std::optional<Completion> completion = worker.take_locked();
    EXPECT_FALSE(worker.in_flight_locked());
    return std::move(*completion);
  }

  Completion sql(SessionWorker& worker, const std::string& text) {
    return run(worker, Command{Command::Kind::sql, Isolation::none, text});
  }

  std::string path_;
  std::unique_ptr<Driver> driver_;
  std::unique_ptr<Session> admin_;
  std::shared_ptr<Signal> signal_ = std::make_shared<Signal>();
};

TEST_F(SessionWorkerTest, AStatementUndoneAloneLeavesTheTransactionGoingOn) {
  SessionWorker worker(*driver_, signal_);
  EXPECT_EQ(run(worker, Command{Command::Kind::connect, Isolation::none, {}}).backend_id, "");
  const Completion begin = run(worker, Command{Command::Kind::begin, Isolation::serializable, {}});
  ASSERT_TRUE(begin.outcome.ok()) << begin.outcome.message;
  EXPECT_EQ(begin.effect, TransactionEffect::none);

  const Completion duplicate = sql(worker, "INSERT INTO item (id, value) VALUES (1, 11)");
  EXPECT_EQ(duplicate.outcome.code, "SQLITE_CONSTRAINT_PRIMARYKEY");
  EXPECT_EQ(duplicate.effect, TransactionEffect::statement_rolled_back);
  const Completion erase = sql(worker, "DELETE FROM item WHERE id = 2");
  ASSERT_TRUE(erase.outcome.ok()) << erase.outcome.message;
  EXPECT_EQ(erase.result.rows_affected, 1);
  const Completion commit = run(worker, Command{Command::Kind::commit, Isolation::none, {}});
  ASSERT_TRUE(commit.outcome.ok()) << commit.outcome.message;

  const QueryRows rows = admin_->query("SELECT id, value FROM item ORDER BY id");
  ASSERT_EQ(rows.rows.size(), 1u) << "the DELETE committed";
  EXPECT_EQ(rows.rows[0][1], "10") << "the failed INSERT did not";
}

TEST_F(SessionWorkerTest, ABusyDatabaseFailsAtOnceAndKeepsTheTransaction) {
  SessionWorker worker(*driver_, signal_);
  run(worker, Command{Command::Kind::connect, Isolation::none, {}});
  ASSERT_TRUE(admin_->begin(Isolation::serializable).ok());
  TextResult text;
  ASSERT_TRUE(admin_->execute_text("UPDATE item SET value = 12 WHERE id = 1", text).ok());

  run(worker, Command{Command::Kind::begin, Isolation::serializable, {}});
  ASSERT_TRUE(sql(worker, "SELECT value FROM item WHERE id = 2").outcome.ok());
  const Completion busy = sql(worker, "UPDATE item SET value = 21 WHERE id = 2");
  EXPECT_EQ(busy.outcome.code, "SQLITE_BUSY") << "busy_timeout=0: no wait";
  EXPECT_EQ(busy.effect, TransactionEffect::statement_rolled_back);
  const Completion read = sql(worker, "SELECT value FROM item WHERE id = 2");
  ASSERT_TRUE(read.outcome.ok()) << "still in its transaction: " << read.outcome.message;
  EXPECT_EQ(read.result.rows.rows.at(0).at(0), "20");
  EXPECT_TRUE(run(worker, Command{Command::Kind::rollback, Isolation::none, {}}).outcome.ok());
  EXPECT_TRUE(admin_->commit().ok());
}

TEST_F(SessionWorkerTest, ASessionThatCannotConnectIsAHarnessError) {
  const fs::path folder = path_ + ".d";
  fs::create_directory(folder);
  std::unique_ptr<Driver> gone =
      make_driver(parse_database_url("sqlite:" + (folder / "x.db").string()));
  fs::remove_all(folder);  // connect() now cannot open the file
  SessionWorker worker(*gone, signal_);
  const Completion connect = run(worker, Command{Command::Kind::connect, Isolation::none, {}});
  EXPECT_NE(connect.harness_error.find("x.db"), std::string::npos) << connect.harness_error;
}

}  // namespace
}  // namespace clobber
