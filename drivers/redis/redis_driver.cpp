#include "drivers/redis/redis_driver.h"

#include <hiredis/hiredis.h>
#include <sys/time.h>

#include <algorithm>
#include <atomic>
#include <charconv>
#include <random>
#include <set>
#include <thread>
#include <tuple>

#include "drivers/redis/redis_lua.h"
#include "drivers/url.h"

namespace clobber {
namespace {

/// How long opening a connection may take.
constexpr timeval kConnectTimeout{10, 0};
/// Commands sent in one pipeline by the table calls (seeding, reading, dropping).
constexpr size_t kBatch = 1000;
/// The shortest and longest pause between two tries of a lock held by another session.
constexpr std::chrono::microseconds kLockPollMin{100};
constexpr std::chrono::microseconds kLockPollMax{2000};
/// The code of an outcome whose connection broke.
constexpr const char* kConnectionCode = "CONNECTION";

struct ReplyFree {
  void operator()(redisReply* reply) const { freeReplyObject(reply); }
};
/// One reply, freed with its elements.
using Reply = std::unique_ptr<redisReply, ReplyFree>;

struct ContextFree {
  void operator()(redisContext* context) const { redisFree(context); }
};
/// One connection.
using Context = std::unique_ptr<redisContext, ContextFree>;

/// One command: its words, binary-safe.
using Command = std::vector<std::string>;

/// The key of row `key` of table `table`: `table:key`.
std::string row_key(const std::string& table, int64_t key) {
  return table + ":" + std::to_string(key);
}
/// The set of a table's keys.
std::string keys_key(const std::string& table) {
  return table + ":keys";
}
/// The hash that says a table exists (its columns and their types).
std::string table_key(const std::string& table) {
  return table + ":table";
}
/// The key holding the CLIENT ID of the session that holds run `run_id`'s lock.
std::string run_key(const std::string& run_id) {
  return "clobber_run:" + run_id;
}

/// `text` as an int64, or nullopt.
std::optional<int64_t> to_int(std::string_view text) {
  int64_t value = 0;
  const auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (error != std::errc() || end != text.data() + text.size() || text.empty()) return std::nullopt;
  return value;
}

/// The text of a string, status or error reply.
std::string_view text_of(const redisReply* reply) {
  return std::string_view(reply->str, reply->len);
}

/// A failed outcome for an error reply: the code is the error's first word
/// (ERR, WRONGTYPE, NOSCRIPT, OVERFLOW...), the message the rest.
Outcome error_outcome(const redisReply* reply) {
  const std::string_view text = text_of(reply);
  const size_t space = text.find(' ');
  if (space == std::string_view::npos)
    return Outcome::failure(AbortCause::other, "ERR", std::string(text));
  return Outcome::failure(AbortCause::other, std::string(text.substr(0, space)),
                          std::string(text.substr(space + 1)));
}

/// A duration option: digits and "ms" or "s" (digits alone are milliseconds).
std::chrono::milliseconds parse_duration(const DatabaseUrl& url, const std::string& name,
                                         const std::string& value) {
  std::string_view text(value);
  int64_t scale = 1;
  if (text.ends_with("ms")) {
    text.remove_suffix(2);
  } else if (text.ends_with("s")) {
    text.remove_suffix(1);
    scale = 1000;
  }
  const std::optional<int64_t> number = to_int(text);
  if (!number || *number <= 0 || *number > 86'400'000 / scale)
    throw bad_database_url(url.masked, "bad " + name + " '" + value +
                                           "' (expected a duration such as 2000ms or 5s, "
                                           "at most a day)");
  return std::chrono::milliseconds(*number * scale);
}

/// Opens, authenticates and selects the database of `url`; throws DatabaseError.
Context open_context(const DatabaseUrl& url) {
  Context context(redisConnectWithTimeout(url.host.c_str(), url.port, kConnectTimeout));
  if (!context) throw DatabaseError("cannot connect to Redis at " + url.masked + ": out of memory");
  if (context->err)
    throw DatabaseError("cannot connect to Redis at " + url.masked + ": " + context->errstr);
  const auto run = [&](const Command& command, const std::string& what) {
    std::vector<const char*> argv;
    std::vector<size_t> lengths;
    for (const std::string& word : command) {
      argv.push_back(word.data());
      lengths.push_back(word.size());
    }
    Reply reply(static_cast<redisReply*>(redisCommandArgv(
        context.get(), static_cast<int>(argv.size()), argv.data(), lengths.data())));
    if (!reply)
      throw DatabaseError("cannot connect to Redis at " + url.masked + ": " + context->errstr);
    if (reply->type == REDIS_REPLY_ERROR)
      throw DatabaseError("Redis at " + url.masked + " refused " + what + ": " +
                          std::string(text_of(reply.get())));
  };
  if (!url.password.empty()) {
    if (url.user.empty())
      run({"AUTH", url.password}, "the password");
    else
      run({"AUTH", url.user, url.password}, "the user name and password");
  }
  if (url.database != "0") run({"SELECT", url.database}, "database " + url.database);
  return context;
}

/// A random 64-bit value as 16 hex digits (lock tokens).
std::string random_hex() {
  std::random_device device;
  const uint64_t value = (static_cast<uint64_t>(device()) << 32) | device();
  static constexpr char kDigits[] = "0123456789abcdef";
  std::string out(16, '0');
  for (int i = 0; i < 16; ++i) out[static_cast<size_t>(i)] = kDigits[(value >> (60 - 4 * i)) & 0xF];
  return out;
}

/// One connection to Redis (see redis_driver.h and docs/redis.md).
class RedisSession final : public Session {
 public:
  RedisSession(const DatabaseUrl& url, const RedisOptions& options)
      : url_(url), options_(options), token_(random_hex()) {
    open();
  }

  ~RedisSession() override {
    // The run lock's key names a client that is gone once this closes; a
    // cleaner would find it dead anyway (claim_run_lock), this only tidies.
    if (run_held_ && !broken_) {
      try {
        release_run_lock(*run_held_);
      } catch (const DatabaseError&) {
      }
    }
  }

  StatementHandle prepare(const std::string&, int) override { throw no_sql("prepare SQL"); }

  StatementHandle prepare(const Operation& operation) override {
    Prepared prepared;
    prepared.operation = operation;
    if (const auto* read = std::get_if<ReadRow>(&operation)) {
      if (read->lock != Locking::none)
        throw DatabaseError("Redis has no row locks: cannot read with " +
                            std::string(to_string(read->lock)));
      for (size_t column : read->columns)
        prepared.fields.push_back(read->table.columns.at(column).name);
      prepared.fields.push_back(kTxnColumn);
      prepared.fields.push_back(kVersionColumn);
    } else if (const auto* write = std::get_if<WriteRow>(&operation)) {
      prepared.script = load_script(lua_write_script(*write));
      if (write->guard == WriteRow::Guard::version || write->guard == WriteRow::Guard::old_values)
        watched_tables_.insert(write->table.name);
    } else if (std::holds_alternative<ReleaseLocks>(operation)) {
      prepared.script = load_script(kLuaCompareAndDelete);
    } else if (std::holds_alternative<RawSql>(operation)) {
      throw no_sql("run a workload's sql step");
    }
    prepared_.push_back(std::move(prepared));
    return static_cast<StatementHandle>(prepared_.size()) - 1;
  }

  Outcome begin(Isolation level) override {
    if (level != Isolation::none)
      throw DatabaseError("Redis runs no transaction at " + std::string(to_string(level)) +
                          ": only isolation none");
    cancelled_.store(false, std::memory_order_relaxed);
    if (broken_) return lost();
    return Outcome{};
  }

  /// Nothing to commit: each write was applied when it ran. Drops a WATCH
  /// that no EXEC consumed.
  Outcome commit() override { return unwatch(); }

  /// Nothing to undo (Redis has no rollback); drops a WATCH like commit().
  Outcome rollback() override {
    if (!broken_) unwatch();
    return Outcome{};
  }

  Outcome execute(StatementHandle statement, std::span<const int64_t> params,
                  std::span<int64_t> row, StatementResult& result) override {
    result = StatementResult{};
    if (statement < 0 || static_cast<size_t>(statement) >= prepared_.size())
      throw DatabaseError("Redis: no prepared operation " + std::to_string(statement));
    if (broken_) return lost();
    const Prepared& prepared = prepared_[static_cast<size_t>(statement)];
    if (static_cast<int>(params.size()) != parameter_count(prepared.operation))
      throw DatabaseError("Redis: operation " + std::to_string(statement) + " takes " +
                          std::to_string(parameter_count(prepared.operation)) +
                          " parameters, not " + std::to_string(params.size()));
    if (const auto* read = std::get_if<ReadRow>(&prepared.operation))
      return read_row(*read, prepared, params[0], row, result);
    if (const auto* write = std::get_if<WriteRow>(&prepared.operation))
      return write_row(*write, prepared, params, row, result);
    if (const auto* lock = std::get_if<LockKey>(&prepared.operation))
      return lock_key(*lock, params[0], row, result);
    return release_locks(prepared, result);
  }

  QueryRows query(const std::string&) override { throw no_sql("run a query"); }
  QueryRows read_only_query(const std::string&) override { throw no_sql("run an SQL check"); }
  Outcome execute_text(const std::string&, TextResult&) override {
    throw no_sql("run a statement");
  }

  /// CLIENT ID of the connection, read when it opened.
  std::string backend_id() override { return client_id_; }

  Outcome reconnect() override {
    try {
      open();
      for (const std::string& script : scripts_) admin({"SCRIPT", "LOAD", script});
    } catch (const DatabaseError& error) {
      broken_ = true;
      return Outcome::failure(AbortCause::connection, kConnectionCode, error.what());
    }
    return Outcome{};
  }

  /// A Redis command cannot be interrupted (each is short); what waits is a
  /// LockKey polling for a lock held elsewhere, which gives up at the next
  /// poll. The flag is cleared by begin().
  void cancel() override { cancelled_.store(true, std::memory_order_relaxed); }

  /// The key clobber_run:<id> holds this connection's CLIENT ID.
  void hold_run_lock(const RunOwner& owner) override {
    admin({"SET", run_key(owner.run_id), client_id_});
    run_held_ = owner;
  }

  /// The owner is dead when the client its key names is no longer connected
  /// (CLIENT LIST ID), or the key is missing; this session then writes its
  /// own CLIENT ID there under WATCH, so of two cleaners one wins.
  bool claim_run_lock(const RunOwner& owner) override {
    const std::string key = run_key(owner.run_id);
    admin({"WATCH", key});
    const Reply holder = admin({"GET", key});
    if (holder->type == REDIS_REPLY_STRING) {
      const std::string id(text_of(holder.get()));
      const bool alive =
          id == client_id_ || (to_int(id) && admin({"CLIENT", "LIST", "ID", id})->len > 0);
      if (alive) {
        admin({"UNWATCH"});
        return false;
      }
    }
    const std::vector<Reply> replies = pipeline({{"MULTI"}, {"SET", key, client_id_}, {"EXEC"}});
    if (replies.size() != 3) throw connection_lost();
    for (const Reply& reply : replies)
      if (reply->type == REDIS_REPLY_ERROR)
        throw DatabaseError("Redis: " + std::string(text_of(reply.get())));
    return replies[2]->type == REDIS_REPLY_ARRAY;  // nil: the key changed since WATCH
  }

  /// Deletes the run's key when it still holds this connection's CLIENT ID.
  void release_run_lock(const RunOwner& owner) override {
    admin({"EVAL", kLuaCompareAndDelete, "1", run_key(owner.run_id), client_id_});
    if (run_held_ && run_held_->run_id == owner.run_id) run_held_.reset();
  }

  bool table_exists(const std::string& name) override {
    return admin({"EXISTS", table_key(name)})->integer > 0;
  }

  /// Nothing in Redis waits for a lock: dropping a table never blocks.
  void limit_lock_waits(std::chrono::milliseconds) override {}

  void create_table(const TableShape& table) override {
    if (table_exists(table.name))
      throw DatabaseError("Redis: table " + table.name + " already exists");
    Command command{"HSET", table_key(table.name)};
    for (size_t c = 0; c < table.columns.size(); ++c) {
      command.push_back(table.columns[c].name);
      command.push_back(std::string(table.columns[c].integer ? "integer" : "text") +
                        (c == table.key_column ? " key" : ""));
    }
    admin(command);
  }

  void drop_table(const std::string& name) override {
    const Reply members = admin({"SMEMBERS", keys_key(name)});
    std::vector<Command> commands;
    for (size_t i = 0; i < members->elements; ++i) {
      commands.push_back({"DEL", name + ":" + std::string(text_of(members->element[i]))});
      if (commands.size() == kBatch) admin_pipeline(std::exchange(commands, {}));
    }
    commands.push_back({"DEL", keys_key(name), table_key(name)});
    admin_pipeline(std::move(commands));
  }

  /// The set lists a key before its hash exists, so drop_table() finds every row.
  void insert_rows(const TableShape& table, std::span<const std::vector<CellValue>> rows) override {
    std::vector<Command> commands;
    for (const std::vector<CellValue>& values : rows) {
      const auto* key = std::get_if<int64_t>(&values.at(table.key_column));
      if (!key) throw DatabaseError("Redis: a row of " + table.name + " has a text key");
      commands.push_back({"SADD", keys_key(table.name), std::to_string(*key)});
      Command hset{"HSET", row_key(table.name, *key)};
      for (size_t c = 0; c < table.columns.size(); ++c) {
        hset.push_back(table.columns[c].name);
        const CellValue& value = values.at(c);
        hset.push_back(std::holds_alternative<int64_t>(value)
                           ? std::to_string(std::get<int64_t>(value))
                           : std::get<std::string>(value));
      }
      for (const char* hidden : {kTxnColumn, kPrevTxnColumn, kVersionColumn}) {
        hset.push_back(hidden);
        hset.push_back("0");
      }
      commands.push_back(std::move(hset));
      if (commands.size() >= kBatch) admin_pipeline(std::exchange(commands, {}));
    }
    admin_pipeline(std::move(commands));
  }

  std::vector<std::vector<int64_t>> read_rows(const TableShape& table,
                                              std::span<const size_t> columns) override {
    const Reply members = admin({"SMEMBERS", keys_key(table.name)});
    std::vector<int64_t> keys;
    for (size_t i = 0; i < members->elements; ++i) {
      const std::optional<int64_t> key = to_int(text_of(members->element[i]));
      if (!key)
        throw DatabaseError("Redis: " + keys_key(table.name) +
                            " holds a key that is not an integer");
      keys.push_back(*key);
    }
    std::sort(keys.begin(), keys.end());
    std::vector<std::vector<int64_t>> rows;
    for (size_t first = 0; first < keys.size(); first += kBatch) {
      std::vector<Command> commands;
      for (size_t i = first; i < std::min(keys.size(), first + kBatch); ++i) {
        Command hmget{"HMGET", row_key(table.name, keys[i])};
        for (size_t c : columns) hmget.push_back(table.columns.at(c).name);
        hmget.push_back(kTxnColumn);
        commands.push_back(std::move(hmget));
      }
      for (const Reply& reply : admin_pipeline(std::move(commands))) {
        if (reply->elements == 0 || reply->element[reply->elements - 1]->type == REDIS_REPLY_NIL)
          continue;  // listed, never written (a seeding cut short)
        std::vector<int64_t>& values = rows.emplace_back();
        for (size_t i = 0; i < reply->elements; ++i) {
          const redisReply* field = reply->element[i];
          const std::optional<int64_t> value =
              field->type == REDIS_REPLY_STRING ? to_int(text_of(field)) : int64_t{0};
          if (!value)
            throw DatabaseError("Redis: a field of " + table.name + " is not an integer: '" +
                                std::string(text_of(field)) + "'");
          values.push_back(*value);
        }
      }
    }
    return rows;
  }

  bool kill_session(const std::string& backend_id) override {
    return admin({"CLIENT", "KILL", "ID", backend_id})->integer > 0;
  }

  /// The registry is the hash clobber_registry: one field per table, its
  /// value "run_id host pid created_at" (none of which holds a space).
  void registry_create() override {}

  void registry_add(const RegisteredTable& entry) override {
    const std::string value = entry.owner.run_id + " " + entry.owner.host + " " +
                              std::to_string(entry.owner.pid) + " " + entry.created_at;
    if (admin({"HSETNX", kRegistryTable, entry.table, value})->integer == 1) return;
    const Reply held = admin({"HGET", kRegistryTable, entry.table});
    const std::string_view now = held->type == REDIS_REPLY_STRING ? text_of(held.get()) : "";
    if (now.substr(0, now.find(' ')) != entry.owner.run_id)
      throw DatabaseError("Redis: table " + entry.table + " is registered by another run");
  }

  void registry_remove(const std::string& table) override {
    admin({"HDEL", kRegistryTable, table});
  }

  std::vector<RegisteredTable> registry_entries() override {
    const Reply all = admin({"HGETALL", kRegistryTable});
    std::vector<RegisteredTable> entries;
    for (size_t i = 0; i + 1 < all->elements; i += 2) {
      RegisteredTable entry;
      entry.table = std::string(text_of(all->element[i]));
      std::string_view value = text_of(all->element[i + 1]);
      std::string fields[4];
      for (std::string& field : fields) {
        const size_t space = value.find(' ');
        field = std::string(value.substr(0, space));
        value.remove_prefix(space == std::string_view::npos ? value.size() : space + 1);
      }
      entry.owner.run_id = fields[0];
      entry.owner.host = fields[1];
      entry.owner.pid = to_int(fields[2]).value_or(0);
      entry.created_at = fields[3];
      entries.push_back(std::move(entry));
    }
    std::sort(entries.begin(), entries.end(),
              [](const RegisteredTable& a, const RegisteredTable& b) {
                return std::tie(a.owner.run_id, a.table) < std::tie(b.owner.run_id, b.table);
              });
    return entries;
  }

 private:
  /// A prepared operation and what executing it needs.
  struct Prepared {
    Operation operation;
    std::vector<std::string> fields;  // ReadRow: HMGET's fields
    std::string script;               // WriteRow, ReleaseLocks: the script's SHA1
  };

  /// Opens a fresh connection; forgets the old one's WATCH and locks.
  void open() {
    context_ = open_context(url_);
    broken_ = false;
    watching_ = false;
    held_locks_.clear();
    client_id_ = std::to_string(admin({"CLIENT", "ID"})->integer);
  }

  static DatabaseError no_sql(const std::string& what) {
    return DatabaseError("Redis runs no SQL: cannot " + what);
  }

  ConnectionLost connection_lost() {
    broken_ = true;
    return ConnectionLost("lost the connection to Redis at " + url_.masked + ": " +
                          (context_ && context_->err ? context_->errstr : "closed"));
  }

  /// The outcome of a broken connection; the session stays broken until reconnect().
  Outcome lost() {
    broken_ = true;
    return Outcome::failure(AbortCause::connection, kConnectionCode,
                            context_ && context_->err ? std::string(context_->errstr)
                                                      : "the connection to Redis is broken");
  }

  /// Sends `commands` in one round trip; the replies, or fewer when the
  /// connection broke (broken_ is then set).
  std::vector<Reply> pipeline(const std::vector<Command>& commands) {
    std::vector<Reply> replies;
    if (broken_) return replies;
    for (const Command& command : commands) {
      std::vector<const char*> argv;
      std::vector<size_t> lengths;
      for (const std::string& word : command) {
        argv.push_back(word.data());
        lengths.push_back(word.size());
      }
      if (redisAppendCommandArgv(context_.get(), static_cast<int>(argv.size()), argv.data(),
                                 lengths.data()) != REDIS_OK) {
        broken_ = true;
        return replies;
      }
    }
    for (size_t i = 0; i < commands.size(); ++i) {
      void* reply = nullptr;
      if (redisGetReply(context_.get(), &reply) != REDIS_OK || reply == nullptr) {
        broken_ = true;
        return replies;
      }
      replies.emplace_back(static_cast<redisReply*>(reply));
    }
    return replies;
  }

  /// One command outside the measured path: throws ConnectionLost, or
  /// DatabaseError for an error reply.
  Reply admin(const Command& command) {
    if (broken_) throw connection_lost();
    std::vector<Reply> replies = pipeline({command});
    if (replies.empty()) throw connection_lost();
    if (replies[0]->type == REDIS_REPLY_ERROR)
      throw DatabaseError("Redis: " + command[0] +
                          " failed: " + std::string(text_of(replies[0].get())));
    return std::move(replies[0]);
  }

  /// admin() of many commands in one round trip.
  std::vector<Reply> admin_pipeline(std::vector<Command> commands) {
    if (broken_) throw connection_lost();
    std::vector<Reply> replies = pipeline(commands);
    if (replies.size() != commands.size()) throw connection_lost();
    for (size_t i = 0; i < replies.size(); ++i)
      if (replies[i]->type == REDIS_REPLY_ERROR)
        throw DatabaseError("Redis: " + commands[i][0] +
                            " failed: " + std::string(text_of(replies[i].get())));
    return replies;
  }

  /// SCRIPT LOAD of `text`, remembered for reconnect(); returns its SHA1.
  std::string load_script(const std::string& text) {
    const Reply sha = admin({"SCRIPT", "LOAD", text});
    if (std::find(scripts_.begin(), scripts_.end(), text) == scripts_.end())
      scripts_.push_back(text);
    return std::string(text_of(sha.get()));
  }

  /// UNWATCH when a WATCH is pending.
  Outcome unwatch() {
    if (broken_) return lost();
    if (!watching_) return Outcome{};
    watching_ = false;
    const std::vector<Reply> replies = pipeline({{"UNWATCH"}});
    if (replies.empty()) return lost();
    return Outcome{};
  }

  /// HMGET of the row's columns, writer and version; under WATCH when this
  /// session prepared a version- or value-guarded write of the table.
  Outcome read_row(const ReadRow& read, const Prepared& prepared, int64_t key,
                   std::span<int64_t> row, StatementResult& result) {
    const std::string name = row_key(read.table.name, key);
    Command hmget{"HMGET", name};
    hmget.insert(hmget.end(), prepared.fields.begin(), prepared.fields.end());
    std::vector<Command> commands;
    const bool watch = watched_tables_.contains(read.table.name);
    if (watch) commands.push_back({"WATCH", name});
    commands.push_back(std::move(hmget));
    const std::vector<Reply> replies = pipeline(commands);
    if (replies.size() != commands.size()) return lost();
    for (const Reply& reply : replies)
      if (reply->type == REDIS_REPLY_ERROR) return error_outcome(reply.get());
    if (watch) watching_ = true;
    const redisReply* values = replies.back().get();
    if (values->elements < 2 || values->element[values->elements - 2]->type == REDIS_REPLY_NIL)
      return Outcome{};  // no such row: no writer id
    result.rows_affected = 1;
    result.has_row = true;
    return copy_row(values, name, row);
  }

  /// Copies an array of decimal texts (nil: 0) into `row`, up to its size.
  static Outcome copy_row(const redisReply* values, const std::string& key,
                          std::span<int64_t> row) {
    for (size_t i = 0; i < values->elements && i < row.size(); ++i) {
      const redisReply* field = values->element[i];
      if (field->type == REDIS_REPLY_NIL) {
        row[i] = 0;
        continue;
      }
      const std::optional<int64_t> value =
          field->type == REDIS_REPLY_INTEGER ? field->integer : to_int(text_of(field));
      if (!value)
        return Outcome::failure(
            AbortCause::other, kLuaNotIntegerCode,
            "a field of " + key + " is not an integer: '" + std::string(text_of(field)) + "'");
      row[i] = *value;
    }
    return Outcome{};
  }

  /// EVALSHA of the write's script; inside MULTI/EXEC when a ReadRow of this
  /// transaction WATCHed, where a nil EXEC (a watched key changed) is a conflict.
  Outcome write_row(const WriteRow& write, const Prepared& prepared,
                    std::span<const int64_t> params, std::span<int64_t> row,
                    StatementResult& result) {
    const int64_t key = params[write.assignments.size() + 1];
    Command evalsha{"EVALSHA", prepared.script, "1", row_key(write.table.name, key)};
    for (int64_t param : params) evalsha.push_back(std::to_string(param));
    const bool exec = watching_ && (write.guard == WriteRow::Guard::version ||
                                    write.guard == WriteRow::Guard::old_values);
    std::vector<Reply> replies;
    const redisReply* reply = nullptr;
    if (exec) {
      watching_ = false;  // EXEC ends every WATCH, whatever it returns
      replies = pipeline({{"MULTI"}, evalsha, {"EXEC"}});
      if (replies.size() != 3) return lost();
      if (replies[2]->type == REDIS_REPLY_NIL)
        return Outcome::failure(AbortCause::conflict, "WATCH",
                                "EXEC ran nothing: a key read under WATCH changed");
      if (replies[1]->type == REDIS_REPLY_ERROR) return error_outcome(replies[1].get());
      if (replies[2]->type == REDIS_REPLY_ERROR) return error_outcome(replies[2].get());
      if (replies[2]->type != REDIS_REPLY_ARRAY || replies[2]->elements != 1)
        return Outcome::failure(AbortCause::other, "EXEC", "EXEC returned an unexpected reply");
      reply = replies[2]->element[0];
      if (is_noscript(reply)) {
        // The WATCH is spent: the attempt is retried, as after a conflict.
        if (!reload_scripts()) return lost();
        return Outcome::failure(AbortCause::conflict, "NOSCRIPT",
                                "the write's script had been flushed from the server: loaded "
                                "again, the attempt is retried");
      }
    } else {
      replies = pipeline({evalsha});
      if (replies.empty()) return lost();
      if (is_noscript(replies[0].get())) {  // nothing ran: load and send it again
        if (!reload_scripts()) return lost();
        replies = pipeline({evalsha});
        if (replies.empty()) return lost();
      }
      reply = replies[0].get();
    }
    if (reply->type == REDIS_REPLY_ERROR) return error_outcome(reply);
    if (reply->type == REDIS_REPLY_INTEGER) {
      result.rows_affected = reply->integer;
      return Outcome{};
    }
    result.rows_affected = 1;
    result.has_row = true;
    return copy_row(reply, row_key(write.table.name, key), row);
  }

  /// True for the reply to EVALSHA of a script the server does not have
  /// (SCRIPT FLUSH, or a restarted server): nothing ran.
  static bool is_noscript(const redisReply* reply) {
    return reply->type == REDIS_REPLY_ERROR && text_of(reply).starts_with("NOSCRIPT");
  }

  /// Loads every script again (after a SCRIPT FLUSH); false when the connection broke.
  bool reload_scripts() {
    std::vector<Command> commands;
    for (const std::string& script : scripts_) commands.push_back({"SCRIPT", "LOAD", script});
    return pipeline(commands).size() == commands.size();
  }

  /// SET name:key token NX PX ttl, polled until granted or lock_wait passes.
  Outcome lock_key(const LockKey& lock, int64_t key, std::span<int64_t> row,
                   StatementResult& result) {
    const std::string name =
        lock.name + (lock.name.ends_with(':') ? "" : ":") + std::to_string(key);
    const auto grant = [&](int64_t granted) {
      if (!row.empty()) row[0] = granted;
      result.has_row = true;
      result.rows_affected = 1;
      return Outcome{};
    };
    if (std::find(held_locks_.begin(), held_locks_.end(), name) != held_locks_.end())
      return grant(1);
    const Command set{"SET", name, token_, "NX", "PX", std::to_string(options_.lock_ttl.count())};
    const auto deadline = std::chrono::steady_clock::now() + options_.lock_wait;
    auto pause = kLockPollMin;
    for (;;) {
      const std::vector<Reply> replies = pipeline({set});
      if (replies.empty()) return lost();
      const redisReply* reply = replies[0].get();
      if (reply->type == REDIS_REPLY_ERROR) return error_outcome(reply);
      if (reply->type == REDIS_REPLY_STATUS) {
        held_locks_.push_back(name);
        return grant(1);
      }
      if (std::chrono::steady_clock::now() >= deadline) return grant(0);
      if (cancelled_.exchange(false, std::memory_order_relaxed))
        return Outcome::failure(AbortCause::other, "CANCELLED",
                                "cancelled while waiting for lock " + name);
      std::this_thread::sleep_for(pause);
      pause = std::min(pause * 2, kLockPollMax);
    }
  }

  /// The compare-and-delete script for every lock this session holds, in one
  /// round trip; rows_affected counts the locks still held (not expired).
  Outcome release_locks(const Prepared& prepared, StatementResult& result) {
    if (held_locks_.empty()) return Outcome{};
    std::vector<Command> commands;
    for (const std::string& name : held_locks_)
      commands.push_back({"EVALSHA", prepared.script, "1", name, token_});
    held_locks_.clear();
    std::vector<Reply> replies = pipeline(commands);
    if (replies.size() != commands.size()) return lost();
    if (std::any_of(replies.begin(), replies.end(),
                    [](const Reply& reply) { return is_noscript(reply.get()); })) {
      // None of them ran (the script is missing for all): load it, send them again.
      if (!reload_scripts()) return lost();
      replies = pipeline(commands);
      if (replies.size() != commands.size()) return lost();
    }
    for (const Reply& reply : replies) {
      if (reply->type == REDIS_REPLY_ERROR) return error_outcome(reply.get());
      result.rows_affected += reply->integer;
    }
    return Outcome{};
  }

  DatabaseUrl url_;
  RedisOptions options_;
  std::string token_;  // names this session's locks
  Context context_;
  bool broken_ = false;
  std::string client_id_;
  std::vector<Prepared> prepared_;
  std::vector<std::string> scripts_;      // every script loaded, for reconnect()
  std::set<std::string> watched_tables_;  // tables of version- or value-guarded writes
  bool watching_ = false;                 // a WATCH is pending (no EXEC or UNWATCH since)
  std::vector<std::string> held_locks_;   // lock keys set with token_
  std::optional<RunOwner> run_held_;      // hold_run_lock()'s owner
  std::atomic<bool> cancelled_{false};
};

}  // namespace

RedisOptions parse_redis_options(const DatabaseUrl& url) {
  RedisOptions options;
  for (const auto& [name, value] : url.options) {
    if (name == "lock_ttl")
      options.lock_ttl = parse_duration(url, name, value);
    else if (name == "lock_wait")
      options.lock_wait = parse_duration(url, name, value);
    else
      throw bad_database_url(url.masked,
                             "unknown option '" + name + "' (Redis takes lock_ttl and lock_wait)");
  }
  return options;
}

RedisDriver::RedisDriver(DatabaseUrl url)
    : url_(std::move(url)), options_(parse_redis_options(url_)) {}

DriverTraits RedisDriver::traits() const {
  DriverTraits traits;
  traits.name = "redis";
  traits.runs_sql = false;
  traits.plain_writes_return_versions = true;
  traits.locks_outlive_transaction = true;  // SET NX keys: released by ReleaseLocks
  return traits;
}

std::string RedisDriver::server_version() {
  Context context = open_context(url_);
  Reply info(static_cast<redisReply*>(redisCommand(context.get(), "INFO server")));
  if (!info) throw DatabaseError("lost the connection to Redis at " + url_.masked);
  const std::string_view text = text_of(info.get());
  const size_t at = text.find("redis_version:");
  if (info->type != REDIS_REPLY_STRING || at == std::string_view::npos)
    throw DatabaseError("Redis at " + url_.masked + " did not say its version");
  const std::string_view rest = text.substr(at + std::string_view("redis_version:").size());
  return std::string(rest.substr(0, rest.find_first_of("\r\n")));
}

std::unique_ptr<Session> RedisDriver::connect() {
  return std::make_unique<RedisSession>(url_, options_);
}

std::optional<std::string> RedisDriver::unsupported_isolation(Isolation level) const {
  if (level == Isolation::none) return std::nullopt;
  return "Redis has no isolation levels: MULTI/EXEC runs queued commands together but is not a "
         "transaction that reads, so only isolation none runs";
}

std::optional<std::string> RedisDriver::unsupported_locking(Locking mode) const {
  if (mode == Locking::for_update || mode == Locking::for_share)
    return "Redis has no row locks (no SELECT ... FOR UPDATE or FOR SHARE); advisory (SET NX "
           "locks) and optimistic (WATCH) protect a read-modify-write";
  return std::nullopt;
}

std::vector<std::string> RedisDriver::cell_notes(Isolation, Locking mode) const {
  if (mode != Locking::advisory) return {};
  return {"advisory locks on Redis expire: each is a SET NX PX key that lives lock_ttl (" +
          std::to_string(options_.lock_ttl.count()) +
          " ms) unless released, and a lock that expires while its holder still writes protects "
          "nothing (another worker takes it and both write); a transaction must finish well "
          "within lock_ttl"};
}

std::vector<std::pair<std::string, std::string>> RedisDriver::reported_settings() {
  return {{"lock_ttl", std::to_string(options_.lock_ttl.count()) + "ms"},
          {"lock_wait", std::to_string(options_.lock_wait.count()) + "ms"}};
}

}  // namespace clobber
