// Database URL parsing: the accepted forms, masking, and the messages of bad URLs.
#include <gtest/gtest.h>

#include <sys/stat.h>
#include <unistd.h>

#include <string>

#include "drivers/url.h"

namespace clobber {
namespace {

/// The message of the InputError that parsing `text` throws ("" when it does not).
std::string parse_error(const std::string& text) {
  try {
    parse_database_url(text);
  } catch (const InputError& error) {
    return error.what();
  }
  return "";
}

TEST(DatabaseUrl, PostgresqlWithEverything) {
  DatabaseUrl url =
      parse_database_url("postgresql://alice:s3cret@db.example.com:6543/ledger?sslmode=disable");
  EXPECT_EQ(url.kind, DatabaseKind::postgresql);
  EXPECT_EQ(url.user, "alice");
  EXPECT_EQ(url.password, "s3cret");
  EXPECT_EQ(url.host, "db.example.com");
  EXPECT_EQ(url.port, 6543);
  EXPECT_EQ(url.database, "ledger");
  ASSERT_EQ(url.options.size(), 1u);
  EXPECT_EQ(url.options[0].first, "sslmode");
  EXPECT_EQ(url.options[0].second, "disable");
  EXPECT_EQ(url.masked, "postgresql://alice:***@db.example.com:6543/ledger?sslmode=disable");
  EXPECT_EQ(url.text, "postgresql://alice:s3cret@db.example.com:6543/ledger?sslmode=disable");
  EXPECT_FALSE(url.temporary);
}

TEST(DatabaseUrl, PostgresShortSchemeDefaultsPort) {
  DatabaseUrl url = parse_database_url("postgres://bob@localhost/app");
  EXPECT_EQ(url.kind, DatabaseKind::postgresql);
  EXPECT_EQ(url.user, "bob");
  EXPECT_EQ(url.password, "");
  EXPECT_EQ(url.port, 5432);
  EXPECT_EQ(url.masked, "postgres://bob@localhost/app");
}

TEST(DatabaseUrl, UserIsOptional) {
  DatabaseUrl url = parse_database_url("postgresql://127.0.0.1:55999/clobber_test");
  EXPECT_EQ(url.user, "");
  EXPECT_EQ(url.host, "127.0.0.1");
  EXPECT_EQ(url.port, 55999);
}

TEST(DatabaseUrl, MysqlAndMariadbDefaultPort) {
  DatabaseUrl mysql = parse_database_url("mysql://root:pw@127.0.0.1/shop");
  EXPECT_EQ(mysql.kind, DatabaseKind::mysql);
  EXPECT_EQ(mysql.port, 3306);
  EXPECT_EQ(mysql.masked, "mysql://root:***@127.0.0.1/shop");
  DatabaseUrl mariadb = parse_database_url("mariadb://root@127.0.0.1:53306/shop");
  EXPECT_EQ(mariadb.kind, DatabaseKind::mysql);
  EXPECT_EQ(mariadb.port, 53306);
}

TEST(DatabaseUrl, PercentDecodesUserAndPassword) {
  DatabaseUrl url = parse_database_url("postgresql://us%40er:p%3Aa%2Fss%25@h/db");
  EXPECT_EQ(url.user, "us@er");
  EXPECT_EQ(url.password, "p:a/ss%");
  EXPECT_EQ(url.masked, "postgresql://us%40er:***@h/db");
}

TEST(DatabaseUrl, MasksUnencodedSpecialCharactersInPassword) {
  DatabaseUrl url = parse_database_url("postgresql://u:pa/s@s@h:5432/db");
  EXPECT_EQ(url.password, "pa/s@s");
  EXPECT_EQ(url.host, "h");
  EXPECT_EQ(url.masked, "postgresql://u:***@h:5432/db");
}

TEST(DatabaseUrl, MasksPasswordOption) {
  DatabaseUrl url = parse_database_url("postgresql://u@h/db?password=hunter2&sslmode=require");
  EXPECT_EQ(url.password, "hunter2");
  EXPECT_EQ(url.masked, "postgresql://u@h/db?password=***&sslmode=require");
  EXPECT_EQ(url.masked.find("hunter2"), std::string::npos);
}

TEST(DatabaseUrl, Ipv6Host) {
  DatabaseUrl url = parse_database_url("postgresql://u@[::1]:5433/db");
  EXPECT_EQ(url.host, "::1");
  EXPECT_EQ(url.port, 5433);
}

TEST(DatabaseUrl, SqliteForms) {
  DatabaseUrl plain = parse_database_url("sqlite:/tmp/x.db");
  EXPECT_EQ(plain.kind, DatabaseKind::sqlite);
  EXPECT_EQ(plain.database, "/tmp/x.db");
  EXPECT_EQ(plain.masked, "sqlite:/tmp/x.db");
  EXPECT_EQ(parse_database_url("sqlite:///tmp/x.db").database, "/tmp/x.db");
  EXPECT_EQ(parse_database_url("sqlite:relative.db").database, "relative.db");
  EXPECT_EQ(parse_database_url("sqlite://relative.db").database, "relative.db");
  DatabaseUrl options = parse_database_url("sqlite:/tmp/x.db?busy_timeout=50");
  EXPECT_EQ(options.database, "/tmp/x.db");
  ASSERT_EQ(options.options.size(), 1u);
  EXPECT_EQ(options.options[0].first, "busy_timeout");
  EXPECT_EQ(options.options[0].second, "50");
}

TEST(DatabaseUrl, SqliteInMemoryIsRejectedWithReason) {
  std::string message = parse_error("sqlite::memory:");
  EXPECT_NE(message.find("sqlite::memory:"), std::string::npos) << message;
  EXPECT_NE(message.find("share"), std::string::npos) << message;
  EXPECT_NE(parse_error("sqlite://:memory:"), "");
  EXPECT_NE(parse_error("sqlite:"), "");
}

TEST(DatabaseUrl, UnknownSchemeNamesItAndMasksPassword) {
  std::string message = parse_error("oracle://scott:tiger@h/db");
  EXPECT_NE(message.find("unknown scheme 'oracle'"), std::string::npos) << message;
  EXPECT_NE(message.find("oracle://scott:***@h/db"), std::string::npos) << message;
  EXPECT_EQ(message.find("tiger"), std::string::npos) << message;
}

TEST(DatabaseUrl, NotAUrl) {
  std::string message = parse_error("localhost:5432");
  EXPECT_NE(message.find("expected postgresql://"), std::string::npos) << message;
}

TEST(DatabaseUrl, BadPort) {
  for (const char* text : {"postgresql://u:pw@h:abc/db", "postgresql://u:pw@h:0/db",
                           "postgresql://u:pw@h:65536/db", "mysql://u:pw@h:/db"}) {
    std::string message = parse_error(text);
    EXPECT_NE(message.find("bad port"), std::string::npos) << text << ": " << message;
    EXPECT_EQ(message.find("pw@"), std::string::npos) << message;
    EXPECT_NE(message.find(":***@"), std::string::npos) << message;
  }
}

TEST(DatabaseUrl, MissingHostOrDatabase) {
  std::string no_host = parse_error("postgresql://u:pw@/db");
  EXPECT_NE(no_host.find("missing host"), std::string::npos) << no_host;
  EXPECT_NE(no_host.find("postgresql://u:***@/db"), std::string::npos) << no_host;
  EXPECT_NE(parse_error("postgresql://u:pw@h").find("missing database"), std::string::npos);
  EXPECT_NE(parse_error("postgresql://u:pw@h:5432/").find("missing database"), std::string::npos);
}

TEST(DatabaseUrl, BadPercentEncoding) {
  std::string message = parse_error("postgresql://u:p%zz@h/db");
  EXPECT_NE(message.find("percent-encoding in the password"), std::string::npos) << message;
  EXPECT_EQ(message.find("p%zz"), std::string::npos) << message;
}

TEST(DatabaseUrl, TemporarySqliteUrlIsAFreshFile) {
  DatabaseUrl first = temporary_sqlite_url();
  DatabaseUrl second = temporary_sqlite_url();
  EXPECT_EQ(first.kind, DatabaseKind::sqlite);
  EXPECT_TRUE(first.temporary);
  EXPECT_NE(first.database, second.database);
  EXPECT_NE(first.database.find("clobber-"), std::string::npos);
  EXPECT_TRUE(first.database.ends_with(".db"));
  EXPECT_EQ(first.text, "sqlite:" + first.database);
  struct stat info;
  EXPECT_EQ(stat(first.database.c_str(), &info), 0);
  unlink(first.database.c_str());
  unlink(second.database.c_str());
}

}  // namespace
}  // namespace clobber
