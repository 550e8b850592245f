#include "drivers/secrets.h"

#include <algorithm>
#include <cctype>
#include <cstdlib>
#include <exception>
#include <stdexcept>
#include <utility>

namespace clobber {
namespace {

/// `text` with every byte but A-Z a-z 0-9 - . _ ~ written as %XX.
std::string percent_encode_all(std::string_view text, bool upper) {
  static constexpr char kUpper[] = "0123456789ABCDEF";
  static constexpr char kLower[] = "0123456789abcdef";
  const char* digits = upper ? kUpper : kLower;
  std::string out;
  for (char c : text) {
    const auto byte = static_cast<unsigned char>(c);
    if (std::isalnum(byte) || c == '-' || c == '.' || c == '_' || c == '~') {
      out += c;
    } else {
      out += '%';
      out += digits[byte >> 4];
      out += digits[byte & 0xF];
    }
  }
  return out;
}

/// True when `message` contains one of `secrets`.
bool contains_secret(std::string_view message, const std::vector<std::string>& secrets) {
  return std::any_of(secrets.begin(), secrets.end(), [message](const std::string& secret) {
    return message.find(secret) != std::string_view::npos;
  });
}

/// The secrets shared by a scrubbing driver and its sessions.
using Secrets = std::shared_ptr<const std::vector<std::string>>;

/// Runs `call`; an exception it throws is thrown again with its message
/// scrubbed, as the same harness error type (InputError, ConnectionLost, DatabaseError). Any
/// other exception keeps its type unless its message holds a secret.
template <typename Call>
auto scrubbed(const Secrets& secrets, Call&& call) -> decltype(call()) {
  try {
    return call();
  } catch (const InputError& error) {
    if (!contains_secret(error.what(), *secrets)) throw;
    throw InputError(error.where(), scrub_secrets(error.message(), *secrets));
  } catch (const ConnectionLost& error) {
    if (!contains_secret(error.what(), *secrets)) throw;
    throw ConnectionLost(scrub_secrets(error.what(), *secrets));
  } catch (const DatabaseError& error) {
    if (!contains_secret(error.what(), *secrets)) throw;
    throw DatabaseError(scrub_secrets(error.what(), *secrets));
  } catch (const std::exception& error) {
    if (!contains_secret(error.what(), *secrets)) throw;
    throw std::runtime_error(scrub_secrets(error.what(), *secrets));
  }
}

/// `outcome` with its message scrubbed (the message of a success is empty).
Outcome scrubbed_outcome(Outcome outcome, const Secrets& secrets) {
  if (!outcome.ok() && contains_secret(outcome.message, *secrets))
    outcome.message = scrub_secrets(outcome.message, *secrets);
  return outcome;
}

/// A session whose every message is scrubbed of the URL's secrets.
class ScrubbingSession final : public Session {
 public:
  /// Wraps `session`, an open session of a driver whose URL has `secrets`.
  ScrubbingSession(std::unique_ptr<Session> session, Secrets secrets)
      : session_(std::move(session)), secrets_(std::move(secrets)) {}

  StatementHandle prepare(const std::string& sql, int param_count) override {
    return scrubbed(secrets_, [&] { return session_->prepare(sql, param_count); });
  }
  StatementHandle prepare(const Operation& operation) override {
    return scrubbed(secrets_, [&] { return session_->prepare(operation); });
  }
  Outcome begin(Isolation level) override {
    return scrubbed_outcome(scrubbed(secrets_, [&] { return session_->begin(level); }), secrets_);
  }
  Outcome commit() override {
    return scrubbed_outcome(scrubbed(secrets_, [&] { return session_->commit(); }), secrets_);
  }
  Outcome rollback() override {
    return scrubbed_outcome(scrubbed(secrets_, [&] { return session_->rollback(); }), secrets_);
  }
  Outcome execute(StatementHandle statement, std::span<const int64_t> params,
                  std::span<int64_t> row, StatementResult& result) override {
    return scrubbed_outcome(
        scrubbed(secrets_, [&] { return session_->execute(statement, params, row, result); }),
        secrets_);
  }
  bool commits_with_statement() const override { return session_->commits_with_statement(); }
  Outcome execute_then_commit(StatementHandle statement, std::span<const int64_t> params,
                              std::span<int64_t> row, StatementResult& result,
                              Outcome& commit) override {
    Outcome outcome = scrubbed_outcome(
        scrubbed(
            secrets_,
            [&] { return session_->execute_then_commit(statement, params, row, result, commit); }),
        secrets_);
    commit = scrubbed_outcome(std::move(commit), secrets_);
    return outcome;
  }
  QueryRows query(const std::string& sql) override {
    return scrubbed(secrets_, [&] { return session_->query(sql); });
  }
  QueryRows read_only_query(const std::string& sql) override {
    return scrubbed(secrets_, [&] { return session_->read_only_query(sql); });
  }
  Outcome execute_text(const std::string& sql, TextResult& result) override {
    return scrubbed_outcome(scrubbed(secrets_, [&] { return session_->execute_text(sql, result); }),
                            secrets_);
  }
  std::string backend_id() override {
    return scrubbed(secrets_, [&] { return session_->backend_id(); });
  }
  Outcome reconnect() override {
    return scrubbed_outcome(scrubbed(secrets_, [&] { return session_->reconnect(); }), secrets_);
  }
  void cancel() override { session_->cancel(); }  // never throws
  void hold_run_lock(const RunOwner& owner) override {
    scrubbed(secrets_, [&] { session_->hold_run_lock(owner); });
  }
  bool claim_run_lock(const RunOwner& owner) override {
    return scrubbed(secrets_, [&] { return session_->claim_run_lock(owner); });
  }
  void release_run_lock(const RunOwner& owner) override {
    scrubbed(secrets_, [&] { session_->release_run_lock(owner); });
  }
  bool table_exists(const std::string& name) override {
    return scrubbed(secrets_, [&] { return session_->table_exists(name); });
  }
  void limit_lock_waits(std::chrono::milliseconds limit) override {
    scrubbed(secrets_, [&] { session_->limit_lock_waits(limit); });
  }
  void create_table(const TableShape& table) override {
    scrubbed(secrets_, [&] { session_->create_table(table); });
  }
  void drop_table(const std::string& name) override {
    scrubbed(secrets_, [&] { session_->drop_table(name); });
  }
  void insert_rows(const TableShape& table, std::span<const std::vector<CellValue>> rows) override {
    scrubbed(secrets_, [&] { session_->insert_rows(table, rows); });
  }
  std::vector<std::vector<int64_t>> read_rows(const TableShape& table,
                                              std::span<const size_t> columns) override {
    return scrubbed(secrets_, [&] { return session_->read_rows(table, columns); });
  }
  bool kill_session(const std::string& backend_id) override {
    return scrubbed(secrets_, [&] { return session_->kill_session(backend_id); });
  }
  void registry_create() override {
    scrubbed(secrets_, [&] { session_->registry_create(); });
  }
  void registry_add(const RegisteredTable& entry) override {
    scrubbed(secrets_, [&] { session_->registry_add(entry); });
  }
  void registry_remove(const std::string& table) override {
    scrubbed(secrets_, [&] { session_->registry_remove(table); });
  }
  std::vector<RegisteredTable> registry_entries() override {
    return scrubbed(secrets_, [&] { return session_->registry_entries(); });
  }

 private:
  std::unique_ptr<Session> session_;
  Secrets secrets_;
};

/// A driver whose every message, and every session's, is scrubbed of the URL's secrets.
class ScrubbingDriver final : public Driver {
 public:
  /// Wraps `driver`, whose URL has secrets.
  explicit ScrubbingDriver(std::unique_ptr<Driver> driver)
      : driver_(std::move(driver)),
        secrets_(std::make_shared<const std::vector<std::string>>(driver_->url().secrets)) {}

  DatabaseKind kind() const override { return driver_->kind(); }
  DriverTraits traits() const override { return driver_->traits(); }
  const DatabaseUrl& url() const override { return driver_->url(); }
  std::string server_version() override {
    return scrubbed(secrets_, [&] { return driver_->server_version(); });
  }
  std::unique_ptr<Session> connect() override {
    return std::make_unique<ScrubbingSession>(
        scrubbed(secrets_, [&] { return driver_->connect(); }), secrets_);
  }
  std::optional<std::string> unsupported_isolation(Isolation level) const override {
    return driver_->unsupported_isolation(level);
  }
  std::optional<std::string> unsupported_locking(Locking mode) const override {
    return driver_->unsupported_locking(mode);
  }
  std::vector<std::string> cell_notes(Isolation level, Locking mode) const override {
    std::vector<std::string> notes = driver_->cell_notes(level, mode);
    for (std::string& note : notes) note = scrub_secrets(note, *secrets_);
    return notes;
  }
  std::vector<std::pair<std::string, std::string>> reported_settings() override {
    auto settings = scrubbed(secrets_, [&] { return driver_->reported_settings(); });
    for (auto& [name, value] : settings) value = scrub_secrets(value, *secrets_);
    return settings;
  }

 private:
  std::unique_ptr<Driver> driver_;
  Secrets secrets_;
};

}  // namespace

bool is_secret_option(std::string_view name) {
  constexpr std::string_view kPassword = "password";
  if (name.size() < kPassword.size()) return false;
  for (size_t i = 0; i + kPassword.size() <= name.size(); ++i) {
    bool match = true;
    for (size_t j = 0; j < kPassword.size() && match; ++j)
      match = std::tolower(static_cast<unsigned char>(name[i + j])) == kPassword[j];
    if (match) return true;
  }
  return false;
}

void add_secret(std::vector<std::string>& secrets, std::string_view secret) {
  if (secret.empty()) return;
  for (std::string form :
       {std::string(secret), percent_encode_all(secret, true), percent_encode_all(secret, false)})
    if (std::find(secrets.begin(), secrets.end(), form) == secrets.end())
      secrets.push_back(std::move(form));
  // Longest first: a secret that contains another is replaced whole.
  std::stable_sort(secrets.begin(), secrets.end(),
                   [](const std::string& a, const std::string& b) { return a.size() > b.size(); });
}

void add_environment_secrets(std::vector<std::string>& secrets) {
  for (const char* name : {"PGPASSWORD", "MYSQL_PWD"})
    if (const char* value = std::getenv(name)) add_secret(secrets, value);
}

std::string scrub_secrets(std::string_view message, const std::vector<std::string>& secrets) {
  std::string out(message);
  for (const std::string& secret : secrets) {
    for (size_t at = out.find(secret); at != std::string::npos;
         at = out.find(secret, at + kSecretMask.size()))
      out.replace(at, secret.size(), kSecretMask);
  }
  return out;
}

std::unique_ptr<Driver> scrub_driver_messages(std::unique_ptr<Driver> driver) {
  if (driver->url().secrets.empty()) return driver;
  return std::make_unique<ScrubbingDriver>(std::move(driver));
}

}  // namespace clobber
