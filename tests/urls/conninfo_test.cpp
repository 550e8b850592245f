// PostgreSQL databases as people write them: libpq key=value strings, URIs
// with everything in the query, the PG* environment variables and libpq's own
// defaults, the CLOBBER_DB list, and the masking of every one of them.
#include <gtest/gtest.h>
#include <pwd.h>
#include <unistd.h>

#include <algorithm>
#include <cstdlib>
#include <cstring>
#include <string>
#include <utility>
#include <vector>

#include "drivers/secrets.h"
#include "drivers/url.h"

extern char** environ;

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

/// True when `secret` is one of `url`'s secrets.
bool has_secret(const DatabaseUrl& url, const std::string& secret) {
  return std::find(url.secrets.begin(), url.secrets.end(), secret) != url.secrets.end();
}

/// The operating-system user libpq connects as when nothing names one.
std::string os_user() {
  const passwd* entry = getpwuid(geteuid());
  return entry != nullptr ? entry->pw_name : "";
}

/// Every test starts with no PG* variable set (libpq would read them) and
/// gets the caller's back afterwards.
class ConninfoTest : public ::testing::Test {
 protected:
  void SetUp() override {
    for (char** entry = environ; *entry != nullptr; ++entry) {
      const std::string text = *entry;
      const size_t eq = text.find('=');
      if (text.starts_with("PG") && eq != std::string::npos)
        saved_.emplace_back(text.substr(0, eq), text.substr(eq + 1));
    }
    for (const auto& [name, value] : saved_) unsetenv(name.c_str());
  }
  void TearDown() override {
    for (char** entry = environ; *entry != nullptr;) {
      const std::string text = *entry;
      if (text.starts_with("PG") && text.find('=') != std::string::npos) {
        unsetenv(text.substr(0, text.find('=')).c_str());
        entry = environ;  // unsetenv moves the entries
      } else {
        ++entry;
      }
    }
    for (const auto& [name, value] : saved_) setenv(name.c_str(), value.c_str(), 1);
  }

 private:
  std::vector<std::pair<std::string, std::string>> saved_;
};

TEST_F(ConninfoTest, KeyValueStringIsReadByLibpqAndShownAsOne) {
  DatabaseUrl url =
      parse_database_url("host=127.0.0.1 port=15432 dbname=clobber_test user=postgres");
  EXPECT_EQ(url.kind, DatabaseKind::postgresql);
  EXPECT_EQ(url.host, "127.0.0.1");
  EXPECT_EQ(url.port, 15432);
  EXPECT_EQ(url.ports, "15432");
  EXPECT_EQ(url.user, "postgres");
  EXPECT_EQ(url.database, "clobber_test");
  EXPECT_TRUE(url.options.empty());
  EXPECT_EQ(url.masked, "host=127.0.0.1 port=15432 user=postgres dbname=clobber_test");
  // libpq's spacing and quoting: spaces around '=', quoted values, escapes.
  DatabaseUrl spaced = parse_database_url(
      "  host = h1  dbname='my db' options='-c statement_timeout=5s' application_name=a\\ b ");
  EXPECT_EQ(spaced.host, "h1");
  EXPECT_EQ(spaced.database, "my db");
  ASSERT_EQ(spaced.options.size(), 2u);
  EXPECT_EQ(spaced.options[0],
            (std::pair<std::string, std::string>{"options", "-c statement_timeout=5s"}));
  EXPECT_EQ(spaced.options[1], (std::pair<std::string, std::string>{"application_name", "a b"}));
  EXPECT_EQ(spaced.masked,
            "host=h1 user=" + os_user() +
                " dbname='my db' options='-c statement_timeout=5s' application_name='a b'");
}

TEST_F(ConninfoTest, KeyValuePasswordsAreMaskedAndSecret) {
  DatabaseUrl url = parse_database_url(
      "host=h dbname=d user=u password='Pw9 x\\'y' sslmode=require sslpassword=Ks7q");
  EXPECT_EQ(url.password, "Pw9 x'y");
  EXPECT_EQ(url.masked, "host=h user=u password=*** dbname=d sslmode=require sslpassword=***");
  for (const std::string secret : {"Pw9 x'y", "'Pw9 x\\'y'", "Ks7q"})
    EXPECT_TRUE(has_secret(url, secret)) << secret;
  // The masked form reads back to the same fields.
  DatabaseUrl again = parse_database_url(url.masked);
  EXPECT_EQ(again.host, url.host);
  EXPECT_EQ(again.user, url.user);
  EXPECT_EQ(again.database, url.database);
  EXPECT_EQ(again.masked, url.masked);
  // A password that is also a name is masked there too.
  EXPECT_EQ(parse_database_url("host=h user=admin password=admin dbname=admin").masked,
            "host=h user=*** password=*** dbname=***");
}

TEST_F(ConninfoTest, BadKeyValueStringsAreRefusedWithoutTheirSecrets) {
  struct Case {
    const char* text;
    const char* problem;
    const char* secret;
  };
  for (const Case& bad : {
           Case{"host=h password Qz9secret", "a keyword without '='", "Qz9secret"},
           Case{"host=h dbname=d password='Qz9 unterminated", "unterminated quoted value", "Qz9"},
           Case{"host=h dbname=d pasword=Qz9typo", "libpq refuses it", "Qz9typo"},
           Case{"host=h port=abc dbname=d password=Qz9port", "bad port 'abc'", "Qz9port"},
           Case{"host=h port=1,2 dbname=d password=Qz9list hostaddr=1.2.3.4", "2 ports for 1 hosts",
                "Qz9list"},
       }) {
    const std::string message = parse_error(bad.text);
    EXPECT_NE(message.find("--db: bad database URL"), std::string::npos) << message;
    EXPECT_NE(message.find(bad.problem), std::string::npos) << bad.text << ": " << message;
    EXPECT_EQ(message.find(bad.secret), std::string::npos) << message;
  }
  // The unknown key is named, its value is not.
  EXPECT_NE(parse_error("host=h dbname=d pasword=Qz9typo").find("pasword=***"), std::string::npos);
  EXPECT_NE(parse_error("just words").find("a libpq key=value string"), std::string::npos);
}

TEST_F(ConninfoTest, UriWithEverythingInTheQuery) {
  DatabaseUrl url = parse_database_url("postgresql:///postgres?host=127.0.0.1&port=15432");
  EXPECT_EQ(url.host, "127.0.0.1");
  EXPECT_EQ(url.port, 15432);
  EXPECT_EQ(url.database, "postgres");
  EXPECT_EQ(url.user, os_user());
  EXPECT_EQ(url.masked, "postgresql://" + os_user() + "@127.0.0.1:15432/postgres");
}

TEST_F(ConninfoTest, EnvironmentFillsWhatTheTextLeavesUnset) {
  setenv("PGHOST", "127.0.0.1", 1);
  setenv("PGPORT", "15432", 1);
  setenv("PGUSER", "postgres", 1);
  setenv("PGDATABASE", "clobber_test", 1);
  setenv("PGSSLMODE", "disable", 1);
  DatabaseUrl bare = parse_database_url("postgresql://");
  EXPECT_EQ(bare.host, "127.0.0.1");
  EXPECT_EQ(bare.port, 15432);
  EXPECT_EQ(bare.user, "postgres");
  EXPECT_EQ(bare.database, "clobber_test");
  EXPECT_EQ(bare.masked, "postgresql://postgres@127.0.0.1:15432/clobber_test?sslmode=disable");
  // What the text names wins over the environment, as in libpq.
  DatabaseUrl own = parse_database_url("postgresql://alice@h2:6000/db2?sslmode=require");
  EXPECT_EQ(own.masked, "postgresql://alice@h2:6000/db2?sslmode=require");
  DatabaseUrl key_value = parse_database_url("dbname=other");
  EXPECT_EQ(key_value.masked,
            "host=127.0.0.1 port=15432 user=postgres dbname=other sslmode=disable");
  // clobber's own application_name and connect_timeout stay (the driver sets them).
  setenv("PGAPPNAME", "someone_else", 1);
  setenv("PGCONNECT_TIMEOUT", "99", 1);
  EXPECT_TRUE(std::none_of(bare.options.begin(), bare.options.end(), [](const auto& option) {
    return option.first == "application_name" || option.first == "connect_timeout";
  }));
  EXPECT_EQ(parse_database_url("postgresql://").masked, bare.masked);
  setenv("PGPORT", "nope", 1);
  EXPECT_NE(parse_error("postgresql://").find("bad port 'nope'"), std::string::npos);
}

TEST_F(ConninfoTest, EnvironmentPasswordIsASecretNeverAField) {
  setenv("PGPASSWORD", "Env#Pw7", 1);
  DatabaseUrl url = parse_database_url("host=h dbname=d user=u");
  EXPECT_EQ(url.password, "");  // libpq reads PGPASSWORD itself
  EXPECT_EQ(url.masked, "host=h user=u dbname=d");
  EXPECT_TRUE(has_secret(url, "Env#Pw7"));
  EXPECT_TRUE(has_secret(url, "Env%23Pw7"));
}

TEST_F(ConninfoTest, LibpqDefaultsWhenNothingIsSet) {
  // libpq: the operating-system user, a database named after the user, the
  // Unix socket directory, port 5432.
  DatabaseUrl url = parse_database_url("postgresql://");
  EXPECT_EQ(url.user, os_user());
  EXPECT_EQ(url.database, os_user());
  EXPECT_EQ(url.host, "/var/run/postgresql");
  EXPECT_EQ(url.port, 5432);
  EXPECT_EQ(url.masked,
            "postgresql://" + os_user() + "@/" + os_user() + "?host=/var/run/postgresql");
  EXPECT_EQ(parse_database_url("postgresql://u:pw@h").database, "u");
  DatabaseUrl hostaddr = parse_database_url("hostaddr=127.0.0.1 user=u dbname=d");
  EXPECT_EQ(hostaddr.host, "");  // libpq connects to hostaddr alone
  EXPECT_EQ(hostaddr.masked, "user=u dbname=d hostaddr=127.0.0.1");
}

TEST_F(ConninfoTest, DatabaseListSplitsAtSpacesButKeepsKeyValueStringsWhole) {
  using List = std::vector<std::string>;
  EXPECT_EQ(split_database_list("  sqlite:/tmp/a.db   postgresql://u@h/db\tmysql://r@h/d "),
            (List{"sqlite:/tmp/a.db", "postgresql://u@h/db", "mysql://r@h/d"}));
  EXPECT_EQ(split_database_list("host=h port=1 dbname=d mysql://r@h/d host=h2 dbname=e"),
            (List{"host=h port=1 dbname=d", "mysql://r@h/d", "host=h2 dbname=e"}));
  EXPECT_EQ(split_database_list("host=h dbname=d;host=h2 dbname=e\nhost=h3 dbname=f"),
            (List{"host=h dbname=d", "host=h2 dbname=e", "host=h3 dbname=f"}));
  EXPECT_EQ(split_database_list("host=h password='a b;c' dbname=d postgresql:///x"),
            (List{"host=h password='a b;c' dbname=d", "postgresql:///x"}));
  EXPECT_TRUE(split_database_list(" ;\n ").empty());
}

TEST_F(ConninfoTest, KeyValueSecretsAreScrubbedFromCommandLineErrorsAndSavedFiles) {
  std::string arg0 = "clobber";
  std::string arg1 = "--db=host=h password=Zq9x dbname=d";
  std::string arg2 = "host=h sslpassword='Zq9 y'";
  std::vector<char*> argv{arg0.data(), arg1.data(), arg2.data()};
  setenv("CLOBBER_DB", "host=h password=Kv7w dbname=d", 1);
  const std::string message = scrub_command_line_secrets(
      "saw Zq9x and Zq9 y and Kv7w", static_cast<int>(argv.size()), argv.data());
  unsetenv("CLOBBER_DB");
  EXPECT_EQ(message, "saw *** and *** and ***");
  EXPECT_EQ(mask_saved_url("host=h password=Zq9x dbname=d"), "host=h password=*** dbname=d");
  EXPECT_EQ(mask_saved_url("host=h password=*** dbname=d"), "host=h password=*** dbname=d");
}

}  // namespace
}  // namespace clobber
