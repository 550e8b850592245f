// Worker sessions open with connect_until (harness/runner/reconnect.h): a
// server that refuses connections for a moment (here PostgreSQL's per-role
// CONNECTION LIMIT 0, lifted after 400 ms) is tried again with backoff until
// the timeout, so a burst of a thousand handshakes does not fail a cell.
#include <gtest/gtest.h>

#include <atomic>
#include <cctype>
#include <chrono>
#include <string>
#include <thread>

#include "drivers/driver.h"
#include "drivers/url.h"
#include "harness/runner/reconnect.h"
#include "tests/common/clobber_binary.h"

namespace clobber {
namespace {

class ConnectRetryTest : public ::testing::Test {
 protected:
  void SetUp() override {
    // One role per test: ctest runs the tests of this file side by side.
    role_ =
        "clobber_test_retry_" +
        std::string(::testing::UnitTest::GetInstance()->current_test_info()->name()).substr(0, 40);
    for (char& c : role_) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    const std::string url = testing::server_url("CLOBBER_TEST_PG_URL");
    ASSERT_NE(url, "");
    admin_driver_ = make_driver(parse_database_url(url));
    admin_ = admin_driver_->connect();
    admin_->query(std::string("DROP ROLE IF EXISTS ") + role_);
    admin_->query(std::string("CREATE ROLE ") + role_ + " LOGIN CONNECTION LIMIT 0");
    std::string text = url;  // the same server and database, as the limited role
    const size_t scheme = text.find("://") + 3;
    text.replace(scheme, text.find('@', scheme) - scheme, role_);
    driver_ = make_driver(parse_database_url(text));
  }
  void TearDown() override {
    if (admin_) admin_->query(std::string("DROP ROLE IF EXISTS ") + role_);
  }

  std::string role_;
  std::unique_ptr<Driver> admin_driver_;
  std::unique_ptr<Session> admin_;
  std::unique_ptr<Driver> driver_;
  std::atomic<bool> stop_{false};
};

TEST_F(ConnectRetryTest, RefusedConnectionsAreTriedAgainUntilTheServerTakesThem) {
  EXPECT_THROW(driver_->connect(), DatabaseError) << "the role may not connect yet";
  std::thread lift([this] {
    std::this_thread::sleep_for(std::chrono::milliseconds(400));
    admin_->query(std::string("ALTER ROLE ") + role_ + " CONNECTION LIMIT -1");
  });
  const auto start = std::chrono::steady_clock::now();
  std::unique_ptr<Session> session;
  EXPECT_NO_THROW(session = connect_until(*driver_, std::chrono::seconds(10), stop_));
  lift.join();
  const auto waited = std::chrono::steady_clock::now() - start;
  ASSERT_TRUE(session);
  EXPECT_EQ(session->query("SELECT current_user").rows.at(0).at(0), role_);
  EXPECT_GE(waited, std::chrono::milliseconds(350));
  EXPECT_LT(waited, std::chrono::seconds(5)) << "tried again within about a second of the lift";
}

TEST_F(ConnectRetryTest, GivesUpAtTheTimeoutWithTheServersReason) {
  const auto start = std::chrono::steady_clock::now();
  try {
    connect_until(*driver_, std::chrono::milliseconds(300), stop_);
    ADD_FAILURE() << "connected although the role may not";
  } catch (const DatabaseError& error) {
    EXPECT_NE(std::string(error.what()).find("too many connections for role"), std::string::npos)
        << error.what();
  }
  const auto waited = std::chrono::steady_clock::now() - start;
  EXPECT_GE(waited, std::chrono::milliseconds(300));
  EXPECT_LT(waited, std::chrono::seconds(3));
}

TEST_F(ConnectRetryTest, ACtrlCEndsTheWait) {
  stop_ = true;
  const auto start = std::chrono::steady_clock::now();
  EXPECT_THROW(connect_until(*driver_, std::chrono::seconds(30), stop_), DatabaseError);
  EXPECT_LT(std::chrono::steady_clock::now() - start, std::chrono::seconds(1));
}

}  // namespace
}  // namespace clobber
