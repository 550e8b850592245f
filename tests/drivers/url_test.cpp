// Database URL parsing: the accepted forms (PostgreSQL as libpq reads them, the
// MySQL and Redis grammars), masking, secrets and their scrubbing, and the messages of bad URLs.
#include <gtest/gtest.h>

#include <pwd.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cstdlib>
#include <string>
#include <vector>

#include "drivers/secrets.h"
#include "drivers/url.h"

namespace clobber {
namespace {

/// The user libpq connects as when neither the URL nor PGUSER names one.
std::string default_user() {
  if (const char* user = std::getenv("PGUSER")) return user;
  const passwd* entry = getpwuid(geteuid());
  return entry != nullptr ? entry->pw_name : "";
}

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
  EXPECT_EQ(url.user, default_user());  // libpq's default, shown
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

TEST(DatabaseUrl, MasksPasswordOption) {
  // Rebuilt from what libpq parsed: a password given as an option is the password.
  DatabaseUrl url = parse_database_url("postgresql://u@h/db?password=hunter2&sslmode=require");
  EXPECT_EQ(url.password, "hunter2");
  EXPECT_EQ(url.masked, "postgresql://u:***@h/db?sslmode=require");
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

TEST(DatabaseUrl, MissingHostOrDatabaseAreLibpqDefaults) {
  if (std::getenv("PGHOST") != nullptr || std::getenv("PGDATABASE") != nullptr)
    GTEST_SKIP() << "PGHOST or PGDATABASE is set";
  EXPECT_EQ(parse_database_url("postgresql://u:pw@/db").host, "/var/run/postgresql");
  EXPECT_EQ(parse_database_url("postgresql://u:pw@h").database, "u");
  EXPECT_EQ(parse_database_url("postgresql://u:pw@h:5432/").database, "u");
  std::string no_host = parse_error("mysql://u:pw@/db");
  EXPECT_NE(no_host.find("missing host"), std::string::npos) << no_host;
  EXPECT_NE(no_host.find("mysql://u:***@/db"), std::string::npos) << no_host;
  EXPECT_NE(parse_error("mysql://u:pw@h").find("missing database"), std::string::npos);
}

TEST(DatabaseUrl, BadPercentEncoding) {
  // libpq's message echoes the token, the password: it is scrubbed.
  std::string message = parse_error("postgresql://u:p%zzQ@h/db");
  EXPECT_NE(message.find("invalid percent-encoded token"), std::string::npos) << message;
  EXPECT_EQ(message.find("zzQ"), std::string::npos) << message;
  message = parse_error("mysql://u:p%zzQ@h/db");
  EXPECT_NE(message.find("percent-encoding in the password"), std::string::npos) << message;
  EXPECT_EQ(message.find("zzQ"), std::string::npos) << message;
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

/// True when `secret` appears nowhere in `text`.
bool absent(const std::string& text, const std::string& secret) {
  return text.find(secret) == std::string::npos;
}

TEST(PostgresUrl, UnencodedQuestionMarkAndHashAreInThePasswordAsLibpqReadsThem) {
  for (const std::string password : {"pa?ss", "pa#ss", "pa ss", "p:a:ss"}) {
    DatabaseUrl url = parse_database_url("postgresql://u:" + password + "@host:6000/db");
    EXPECT_EQ(url.password, password);
    EXPECT_EQ(url.user, "u");
    EXPECT_EQ(url.host, "host");
    EXPECT_EQ(url.port, 6000);
    EXPECT_EQ(url.database, "db");
    EXPECT_TRUE(url.options.empty());
    EXPECT_EQ(url.masked, "postgresql://u:***@host:6000/db");
    EXPECT_NE(std::find(url.secrets.begin(), url.secrets.end(), password), url.secrets.end());
  }
}

TEST(PostgresUrl, AmbiguousAtOrSlashIsRefusedWithoutEchoingThePassword) {
  // libpq reads "u:Qx@Zw@host" as password "Qx", host "Zw@host"; "u:Qx/Zw@host/db" as host
  // "u", port "Qx", database "Zw@host/db"; "u:x@h1/db@h2/db" as host h1, database
  // "db@h2/db". Each shows part of the password, or is read otherwise than meant.
  for (const std::string text :
       {"postgresql://u:Qx@Zw@host/db", "postgresql://u:Qx/Zw@host/db",
        "postgresql://u:QxZw@h1/db@h2/db", "postgres://u:Qx@Zw@host:5432/db?sslmode=disable"}) {
    const std::string message = parse_error(text);
    EXPECT_NE(message.find("--db: bad database URL"), std::string::npos) << message;
    EXPECT_NE(message.find("percent-encode '@' as %40"), std::string::npos) << message;
    EXPECT_TRUE(absent(message, "Qx")) << message;
    EXPECT_TRUE(absent(message, "Zw")) << message;
  }
  DatabaseUrl encoded = parse_database_url("postgresql://u:Qx%40Zw%2F@host/db");
  EXPECT_EQ(encoded.password, "Qx@Zw/");
  EXPECT_EQ(encoded.host, "host");
}

TEST(PostgresUrl, HostInTheQueryWinsAsInLibpq) {
  DatabaseUrl socket = parse_database_url("postgresql:///db?host=/tmp");
  EXPECT_EQ(socket.host, "/tmp");
  EXPECT_EQ(socket.database, "db");
  EXPECT_EQ(socket.port, 5432);
  EXPECT_EQ(socket.masked, "postgresql://" + default_user() + "@/db?host=/tmp");
  DatabaseUrl replaced = parse_database_url("postgresql://u:pw@decoy:7000/db?host=real");
  EXPECT_EQ(replaced.host, "real");
  EXPECT_EQ(replaced.port, 7000);
  EXPECT_EQ(replaced.masked, "postgresql://u:***@real:7000/db");
  DatabaseUrl encoded_socket = parse_database_url("postgresql://u@%2Fvar%2Frun/db");
  EXPECT_EQ(encoded_socket.host, "/var/run");
  EXPECT_EQ(encoded_socket.masked, "postgresql://u@/db?host=/var/run");
  DatabaseUrl hostaddr = parse_database_url("postgresql://u@/db?hostaddr=127.0.0.1");
  EXPECT_EQ(hostaddr.host, "");
  EXPECT_EQ(hostaddr.masked, "postgresql://u@/db?hostaddr=127.0.0.1");
}

TEST(PostgresUrl, PasswordThatIsAlsoANameIsMaskedThere) {
  DatabaseUrl url = parse_database_url("postgresql://admin:admin@db/admin");
  EXPECT_EQ(url.user, "admin");
  EXPECT_EQ(url.database, "admin");
  EXPECT_EQ(url.masked, "postgresql://***:***@db/***");
  const std::string message = parse_error("mysql://admin:admin@db:0/admin");
  EXPECT_NE(message.find("bad port"), std::string::npos) << message;
  EXPECT_TRUE(absent(message, "admin")) << message;
}

TEST(PostgresUrl, MultipleHostsAndPorts) {
  DatabaseUrl both = parse_database_url("postgresql://u@h1:5433,h2:5434/db");
  EXPECT_EQ(both.host, "h1,h2");
  EXPECT_EQ(both.ports, "5433,5434");
  EXPECT_EQ(both.port, 5433);
  EXPECT_EQ(both.masked, "postgresql://u@h1:5433,h2:5434/db");
  DatabaseUrl second_only = parse_database_url("postgresql://u@h1,h2:5434/db");
  EXPECT_EQ(second_only.ports, ",5434");
  EXPECT_EQ(second_only.port, 5434);
  EXPECT_EQ(second_only.masked, "postgresql://u@h1,h2:5434/db");
  DatabaseUrl one_port = parse_database_url("postgresql://u@h1,h2/db?port=5435");
  EXPECT_EQ(one_port.masked, "postgresql://u@/db?host=h1,h2&port=5435");
  DatabaseUrl ipv6 = parse_database_url("postgresql://[::1]:5433,h2/db");
  EXPECT_EQ(ipv6.host, "::1,h2");
  EXPECT_EQ(ipv6.masked, "postgresql://" + default_user() + "@[::1]:5433,h2/db");
  std::string message = parse_error("postgresql://u:pw@h1,h2,h3/db?port=1,2");
  EXPECT_NE(message.find("2 ports for 3 hosts"), std::string::npos) << message;
  message = parse_error("postgresql://u:pw@h1:1,h2:x/db");
  EXPECT_NE(message.find("bad port 'x'"), std::string::npos) << message;
}

TEST(PostgresUrl, MaskedFormParsesBackToTheSameFields) {
  for (const std::string text :
       {"postgresql://al%20ice:pw@db.example.com:6543/led%2Fger?sslmode=disable&options=-c%20x%3D1",
        "postgresql://u@h1:5433,h2:5434/db?application_name=a%26b", "postgresql:///db?host=/tmp",
        "postgres://u:pq7@[::1]:5433/db?sslpassword=sz9&target_session_attrs=any"}) {
    DatabaseUrl url = parse_database_url(text);
    DatabaseUrl again = parse_database_url(url.masked);
    EXPECT_EQ(again.user, url.user) << text;
    EXPECT_EQ(again.host, url.host) << text;
    EXPECT_EQ(again.ports, url.ports) << text;
    EXPECT_EQ(again.database, url.database) << text;
    EXPECT_EQ(again.masked, url.masked) << text;
    ASSERT_EQ(again.options.size(), url.options.size()) << text;
    for (size_t i = 0; i < url.options.size(); ++i)
      if (url.options[i].first != "sslpassword") {
        EXPECT_EQ(again.options[i], url.options[i]);
      }
  }
}

TEST(PostgresUrl, EveryPasswordOptionIsMaskedOrRefused) {
  DatabaseUrl url =
      parse_database_url("postgresql://u@h/db?sslpassword=Kp%3F9x&sslmode=require&password=Zr7w");
  EXPECT_EQ(url.password, "Zr7w");
  EXPECT_EQ(url.masked, "postgresql://u:***@h/db?sslmode=require&sslpassword=***");
  for (const std::string secret : {"Kp?9x", "Kp%3F9x", "Kp%3f9x", "Zr7w"})
    EXPECT_NE(std::find(url.secrets.begin(), url.secrets.end(), secret), url.secrets.end())
        << secret;
  // libpq knows no PASSWORD or ssl_password: refused, and the value is not echoed.
  for (const std::string name : {"PASSWORD", "ssl_password", "SslPassword"}) {
    const std::string message = parse_error("postgresql://u@h/db?" + name + "=Kp9x&sslmode=a");
    EXPECT_NE(message.find("libpq refuses it"), std::string::npos) << message;
    EXPECT_NE(message.find(name + "=***"), std::string::npos) << message;
    EXPECT_TRUE(absent(message, "Kp9x")) << message;
  }
}

TEST(PostgresUrl, LibpqErrorsAreScrubbed) {
  // libpq echoes the whole URI or a token of it; neither may show the password.
  for (const std::string text :
       {"postgresql://u:Qz9%zz@h/db", "postgresql://u:Qz9w@[::1/db",
        "postgresql://u@h/db?sslpassword=Qz9%00w", "postgresql://u:Qz9w@h/db?x=1=2"}) {
    const std::string message = parse_error(text);
    EXPECT_NE(message.find("libpq refuses it"), std::string::npos) << message;
    EXPECT_TRUE(absent(message, "Qz9")) << message;
  }
}

TEST(PostgresUrl, EnvironmentPasswordsAreSecrets) {
  setenv("PGPASSWORD", "EnvPg#1", 1);
  setenv("MYSQL_PWD", "EnvMy#2", 1);
  DatabaseUrl url = parse_database_url("postgresql://u@h/db");
  unsetenv("PGPASSWORD");
  unsetenv("MYSQL_PWD");
  for (const std::string secret : {"EnvPg#1", "EnvPg%231", "EnvMy#2"})
    EXPECT_NE(std::find(url.secrets.begin(), url.secrets.end(), secret), url.secrets.end())
        << secret;
  EXPECT_EQ(url.password, "");  // libpq reads PGPASSWORD itself when it connects
  EXPECT_TRUE(parse_database_url("postgresql://u@h/db").secrets.empty());
}

TEST(MysqlUrl, PasswordExtendsToTheLastAt) {
  DatabaseUrl url = parse_database_url("mysql://root:Wr0ng?p@w#/x:y@127.0.0.1:13306/shop");
  EXPECT_EQ(url.user, "root");
  EXPECT_EQ(url.password, "Wr0ng?p@w#/x:y");
  EXPECT_EQ(url.host, "127.0.0.1");
  EXPECT_EQ(url.port, 13306);
  EXPECT_EQ(url.database, "shop");
  EXPECT_TRUE(url.options.empty());
  EXPECT_EQ(url.masked, "mysql://root:***@127.0.0.1:13306/shop");
  DatabaseUrl encoded = parse_database_url("mariadb://r%3Aoot:a%40b@h/db%2Dx?sql_mode=ANSI");
  EXPECT_EQ(encoded.user, "r:oot");
  EXPECT_EQ(encoded.password, "a@b");
  EXPECT_EQ(encoded.database, "db-x");
  EXPECT_EQ(encoded.masked, "mariadb://r%3Aoot:***@h/db-x?sql_mode=ANSI");
  // An '@' after the host is read as the end of the user info: it must be %40.
  const std::string message = parse_error("mysql://root@h/db?init=a@b");
  EXPECT_NE(message.find("missing database name"), std::string::npos) << message;
  EXPECT_EQ(parse_database_url("mysql://root@h/db?init=a%40b").options[0].second, "a@b");
}

TEST(MysqlUrl, SecretOptionsAreMasked) {
  DatabaseUrl url = parse_database_url("mysql://root@h/db?password=Xy7&SSL_Password=Kw3");
  EXPECT_EQ(url.password, "Xy7");
  EXPECT_EQ(url.masked, "mysql://root:***@h/db?password=***&SSL_Password=***");
  EXPECT_TRUE(absent(url.masked, "Xy7"));
  EXPECT_TRUE(absent(url.masked, "Kw3"));
  EXPECT_NE(std::find(url.secrets.begin(), url.secrets.end(), "Kw3"), url.secrets.end());
}

TEST(RedisUrl, DefaultsAndEveryPart) {
  DatabaseUrl plain = parse_database_url("redis://127.0.0.1");
  EXPECT_EQ(plain.kind, DatabaseKind::redis);
  EXPECT_EQ(plain.host, "127.0.0.1");
  EXPECT_EQ(plain.port, 6379);
  EXPECT_EQ(plain.database, "0");
  EXPECT_TRUE(plain.user.empty());
  EXPECT_TRUE(plain.password.empty());
  EXPECT_EQ(plain.masked, "redis://127.0.0.1/0");

  DatabaseUrl full = parse_database_url("redis://ann:p%40ss@w:rd@[::1]:16379/3?lock_ttl=2s");
  EXPECT_EQ(full.user, "ann");
  EXPECT_EQ(full.password, "p@ss@w:rd") << "the user info ends at the last '@'";
  EXPECT_EQ(full.host, "::1");
  EXPECT_EQ(full.port, 16379);
  EXPECT_EQ(full.database, "3");
  ASSERT_EQ(full.options.size(), 1u);
  EXPECT_EQ(full.options[0], (std::pair<std::string, std::string>{"lock_ttl", "2s"}));
  EXPECT_EQ(full.masked, "redis://ann:***@[::1]:16379/3?lock_ttl=2s");
  EXPECT_TRUE(absent(full.masked, "p@ss"));

  DatabaseUrl password_only = parse_database_url("redis://:Zq9@h:1/0");
  EXPECT_TRUE(password_only.user.empty());
  EXPECT_EQ(password_only.password, "Zq9");
  EXPECT_EQ(password_only.masked, "redis://:***@h:1/0");
}

TEST(RedisUrl, BadPartsAreNamedWithoutThePassword) {
  for (const auto& [text, problem] : std::vector<std::pair<std::string, std::string>>{
           {"redis://:Zq9@h/x", "bad database 'x'"},
           {"redis://:Zq9@h/-1", "bad database '-1'"},
           {"redis://:Zq9@h:0/0", "bad port '0'"},
           {"redis://:Zq9@/0", "missing host"},
           {"redis://ann@h/0", "a user name without a password"},
           {"redis://:Zq9@h/0/1", "bad database"}}) {
    SCOPED_TRACE(text);
    const std::string message = parse_error(text);
    EXPECT_EQ(message.rfind("--db: bad database URL '", 0), 0u) << message;
    EXPECT_NE(message.find(problem), std::string::npos) << message;
    EXPECT_TRUE(absent(message, "Zq9")) << message;
  }
}

TEST(SecretScrubbing, ReplacesEveryFormLongestFirst) {
  std::vector<std::string> secrets;
  add_secret(secrets, "a?b");
  add_secret(secrets, "a?bc");
  add_secret(secrets, "");
  EXPECT_EQ(secrets.front(), "a%3Fbc");
  EXPECT_EQ(scrub_secrets("x a?bc y a%3fb z a?b", secrets), "x *** y *** z ***");
  EXPECT_EQ(scrub_secrets("nothing here", secrets), "nothing here");
  EXPECT_TRUE(is_secret_option("sslpassword"));
  EXPECT_TRUE(is_secret_option("PASSWORD"));
  EXPECT_TRUE(is_secret_option("ssl_PassWord_x"));
  EXPECT_FALSE(is_secret_option("passfile"));
  EXPECT_FALSE(is_secret_option("sslmode"));
}

TEST(SecretScrubbing, CommandLineUrlsAreScrubbedFromCommandLineErrors) {
  std::vector<std::string> args = {"clobber", "run", "--db=postgresql://u:Kq1@h/db",
                                   "mysql://r:Kq2?x@h/db", "postgresql://u@h:5432/db"};
  std::vector<char*> argv;
  for (std::string& arg : args) argv.push_back(arg.data());
  const std::string message = scrub_command_line_secrets(
      "not expected: mysql://r:Kq2?x@h/db, postgresql://u:Kq1@h/db, postgresql://u@h:5432/db",
      static_cast<int>(argv.size()), argv.data());
  EXPECT_EQ(message,
            "not expected: mysql://r:***@h/db, postgresql://u:***@h/db, postgresql://u@h:5432/db");
}

TEST(SecretScrubbing, DriverMessagesAreScrubbed) {
  // A real SQLite driver whose URL is given a secret that its error messages echo.
  DatabaseUrl url = temporary_sqlite_url();
  add_secret(url.secrets, "no_such_table_Qk7");
  auto driver = make_driver(url);
  auto session = driver->connect();
  try {
    session->query("SELECT * FROM no_such_table_Qk7");
    FAIL() << "expected DatabaseError";
  } catch (const DatabaseError& error) {
    const std::string message = error.what();
    EXPECT_NE(message.find("no such table: ***"), std::string::npos) << message;
    EXPECT_TRUE(absent(message, "Qk7")) << message;
  }
  TextResult result;
  const Outcome outcome = session->execute_text("SELECT * FROM no_such_table_Qk7", result);
  EXPECT_FALSE(outcome.ok());
  EXPECT_TRUE(absent(outcome.message, "Qk7")) << outcome.message;
  EXPECT_NE(outcome.message.find("***"), std::string::npos) << outcome.message;
  try {
    session->prepare("SELECT v FROM no_such_table_Qk7", 0);
    FAIL() << "expected DatabaseError";
  } catch (const DatabaseError& error) {
    EXPECT_TRUE(absent(error.what(), "Qk7")) << error.what();
  }
}

}  // namespace
}  // namespace clobber
