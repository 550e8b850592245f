#include "harness/sqlcheck/sql_check.h"

#include <algorithm>
#include <cctype>
#include <initializer_list>

namespace clobber {
namespace {

using Words = std::initializer_list<std::string_view>;

bool among(std::string_view word, Words words) {
  return std::find(words.begin(), words.end(), word) != words.end();
}

template <size_t N>
bool among(std::string_view word, const std::string_view (&words)[N]) {
  return std::find(std::begin(words), std::end(words), word) != std::end(words);
}

/// Built-in functions that cannot write anything (both dialects define most;
/// pg_sleep is PostgreSQL's, sleep MySQL's).
constexpr std::string_view kPureFunctions[] = {
    "count", "sum", "min", "max", "avg", "coalesce", "greatest", "least", "abs", "mod", "cast",
    "lower", "upper", "length", "char_length", "character_length", "octet_length", "nullif",
    "round", "floor", "ceil", "ceiling", "sign", "power", "sqrt", "exp", "ln", "concat",
    "concat_ws", "substring", "substr", "trim", "ltrim", "rtrim", "replace", "position", "left",
    "right", "lpad", "rpad", "reverse", "repeat", "extract", "bool_and", "bool_or", "bit_and",
    "bit_or", "string_agg", "group_concat", "stddev", "variance", "stddev_pop", "stddev_samp",
    "var_pop", "var_samp", "row_number", "rank", "dense_rank", "lag", "lead", "first_value",
    "last_value", "ntile", "if", "ifnull", "now",
    // They write nothing: scenarios hold a lock for a while with them.
    "pg_sleep", "sleep"};

/// Keywords a `(` may follow without making a function call: reserved words
/// and column-name keywords, which PostgreSQL never reads as a function name
/// (MySQL reserves them too). Non-reserved ones are allowed only in the one
/// place their syntax puts them (paren_keyword()).
constexpr std::string_view kParenKeywords[] = {
    "in",      "exists",  "values",    "as",      "on",       "using",     "any",     "all",
    "some",    "check",   "default",   "row",     "array",    "and",       "or",      "not",
    "when",    "then",    "else",      "case",    "select",   "where",     "having",  "from",
    "join",    "union",   "intersect", "except",  "distinct", "returning", "limit",   "offset",
    "group",   "with",    "table",     "to",      "asc",      "desc",      "between", "unique",
    "primary", "foreign", "end",       "interval"};

/// Type names allowed after `::` and `CAST(... AS`, and before `(` in column definitions.
constexpr std::string_view kTypes[] = {
    "int",     "integer",   "bigint",      "smallint",  "tinyint",   "mediumint", "decimal",
    "numeric", "dec",       "varchar",     "char",      "character", "varying",   "text",
    "float",   "double",    "precision",   "real",      "timestamp", "time",      "datetime",
    "date",    "bit",       "binary",      "varbinary", "blob",      "bool",      "boolean",
    "serial",  "bigserial", "smallserial", "signed",    "unsigned",  "json",      "jsonb",
    "uuid",    "year"};

/// Words one dialect reads as a modifier and the other as a table name.
constexpr std::string_view kModifiers[] = {"only",    "ignore", "low_priority", "high_priority",
                                           "delayed", "quick",  "lateral"};

/// Words that start a statement (of any kind this checker allows anywhere).
constexpr std::string_view kQueryVerbs[] = {"select", "with", "values", "table"};
constexpr std::string_view kWriteVerbs[] = {"insert", "update", "delete", "replace"};

/// Words after which a comma no longer continues a table list.
constexpr std::string_view kListEnders[] = {
    "where",  "set",       "group",  "order",  "having", "limit", "offset", "union",    "intersect",
    "except", "returning", "window", "values", "for",    "lock",  "select", "procedure"};

/// Session settings a scenario may change: timeouts, and PostgreSQL's read-only
/// and deferrable transaction defaults (they only restrict what a transaction
/// may do; the isolation level still comes from the cell).
constexpr std::string_view kSettable[] = {"lock_timeout",
                                          "statement_timeout",
                                          "deadlock_timeout",
                                          "idle_in_transaction_session_timeout",
                                          "innodb_lock_wait_timeout",
                                          "lock_wait_timeout",
                                          "default_transaction_read_only",
                                          "default_transaction_deferrable"};

/// Operators every dialect reads the same way and that are built in.
constexpr std::string_view kOperators[] = {
    "=", "<", ">", "<=", ">=", "<>", "!=", "+", "-", "*", "/", "%", "||"};

enum class Kind { word, number, string, op, open, close, comma, dot, semicolon, param, cast };

struct Token {
  Kind kind;
  size_t offset;
  size_t length;
  std::string text;  // words lower case
};

bool space(char c) {
  return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '\v';
}
bool word_start(char c) {
  return std::isalpha(static_cast<unsigned char>(c)) || c == '_';
}
bool word_char(char c) {
  return std::isalnum(static_cast<unsigned char>(c)) || c == '_';
}
bool operator_char(char c) {
  return std::string_view("+-*/<>=~!@%^&|?").find(c) != std::string_view::npos;
}

std::string lower(std::string_view text) {
  std::string out(text);
  for (char& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

/// A rejection; carried by exception inside this file only, returned as a value.
struct Reject {
  SqlProblem problem;
};

[[noreturn]] void reject(size_t offset, std::string message) {
  throw Reject{SqlProblem{offset, std::move(message)}};
}

/// Splits the text into tokens, rejecting what the dialects read differently.
std::vector<Token> tokenize(std::string_view sql) {
  std::vector<Token> tokens;
  size_t i = 0;
  const auto at = [&](size_t k) { return k < sql.size() ? sql[k] : '\0'; };
  while (i < sql.size()) {
    const char c = sql[i];
    const size_t start = i;
    if (space(c)) {
      ++i;
    } else if (c == '-' && at(i + 1) == '-') {
      if (i + 2 < sql.size() && !space(sql[i + 2]))
        reject(i,
               "`--` must be followed by a space to be a comment (MySQL reads `--x` as two "
               "minus signs)");
      i = std::min(sql.find('\n', i), sql.size());
    } else if (c == '/' && at(i + 1) == '*') {
      if (at(i + 2) == '!' || (at(i + 2) == 'M' && at(i + 3) == '!'))
        reject(i, "`/*!` comments are executed by MySQL and MariaDB");
      const size_t end = sql.find("*/", i + 2);
      if (end == std::string_view::npos) reject(i, "this comment is never closed");
      const size_t nested = sql.substr(i + 2, end - i - 2).find("/*");
      if (nested != std::string_view::npos)
        reject(i + 2 + nested, "`/*` inside a comment: PostgreSQL nests comments, MySQL does not");
      i = end + 2;
    } else if (c == '#') {
      reject(i, "`#` starts a comment in MySQL and is an operator in PostgreSQL; use `-- `");
    } else if (c == '"' || c == '`') {
      reject(i, std::string("quoted names (") + c +
                    "...) are not allowed: write table and column names unquoted, so that "
                    "clobber sees and renames every table");
    } else if (c == '$') {
      reject(i,
             "`$` is not allowed outside strings (PostgreSQL dollar quoting runs "
             "procedural code)");
    } else if (c == '\'') {
      if (start > 0 && sql[start - 1] == '&') reject(start, "U&'...' strings are not allowed");
      if (!tokens.empty() && tokens.back().kind == Kind::word &&
          tokens.back().offset + tokens.back().length == start) {
        const std::string& prefix = tokens.back().text;
        if (prefix != "n" && prefix != "x" && prefix != "b" && prefix[0] != '_')
          reject(tokens.back().offset,
                 "string prefix '" + prefix + "' is not allowed (E'...' reads backslashes)");
      }
      for (++i;; ++i) {
        if (i >= sql.size()) reject(start, "this string is never closed");
        if (sql[i] == '\\')
          reject(i,
                 "a backslash in a string is read as an escape by MySQL and not by "
                 "PostgreSQL; not allowed");
        if (sql[i] != '\'') continue;
        if (at(i + 1) == '\'') {
          ++i;
          continue;
        }
        ++i;
        break;
      }
      tokens.push_back({Kind::string, start, i - start, ""});
    } else if (c == ':') {
      if (at(i + 1) == ':') {
        tokens.push_back({Kind::cast, start, 2, "::"});
        i += 2;
      } else if (word_start(at(i + 1))) {
        for (++i; i < sql.size() && word_char(sql[i]);) ++i;
        tokens.push_back(
            {Kind::param, start, i - start, std::string(sql.substr(start, i - start))});
      } else {
        reject(i, "unexpected ':'");
      }
    } else if (word_start(c)) {
      while (i < sql.size() && word_char(sql[i])) ++i;
      tokens.push_back({Kind::word, start, i - start, lower(sql.substr(start, i - start))});
    } else if (std::isdigit(static_cast<unsigned char>(c)) ||
               (c == '.' && std::isdigit(static_cast<unsigned char>(at(i + 1))))) {
      while (i < sql.size() && (word_char(sql[i]) || sql[i] == '.')) ++i;
      tokens.push_back({Kind::number, start, i - start, ""});
    } else if (c == '(' || c == ')' || c == ',' || c == '.' || c == ';') {
      const Kind kind = c == '('   ? Kind::open
                        : c == ')' ? Kind::close
                        : c == ',' ? Kind::comma
                        : c == '.' ? Kind::dot
                                   : Kind::semicolon;
      tokens.push_back({kind, start, 1, std::string(1, c)});
      ++i;
    } else if (operator_char(c)) {
      while (i < sql.size() && operator_char(sql[i]) && !(sql[i] == '-' && at(i + 1) == '-') &&
             !(sql[i] == '/' && at(i + 1) == '*'))
        ++i;
      std::string run(sql.substr(start, i - start));
      // PostgreSQL ends an operator before trailing + and - unless it holds one
      // of ~ ! @ % ^ & | ?; MySQL splits such runs the same way.
      size_t keep = run.size();
      if (run.find_first_of("~!@%^&|?") == std::string::npos)
        while (keep > 1 && (run[keep - 1] == '+' || run[keep - 1] == '-')) --keep;
      if (!among(run.substr(0, keep), kOperators))
        reject(start, "operator '" + run +
                          "' is not allowed (allowed: = < > <= >= <> != + - * / % ||; separate "
                          "operators with spaces)");
      tokens.push_back({Kind::op, start, keep, run.substr(0, keep)});
      for (size_t k = keep; k < run.size(); ++k)
        tokens.push_back({Kind::op, start + k, 1, std::string(1, run[k])});
    } else if (static_cast<unsigned char>(c) >= 0x80) {
      reject(i, "only ASCII is allowed outside strings and comments");
    } else {
      reject(i, std::string("unexpected character '") + c + "'");
    }
  }
  return tokens;
}

/// What a `(` opened.
struct Frame {
  enum class Type { top, statement, call, group } type = Type::group;
  bool cast = false;      // call frame of CAST(: its AS names a type
  bool cte_body = false;  // the body of a WITH definition
  // Commas continue a table list after FROM, JOIN, UPDATE, DELETE FROM, USING.
  enum class List { none, read, write } list = List::none;
  std::string verb;  // statement frames: the statement's first word
};

class Checker {
 public:
  Checker(std::string_view sql, SqlContext context, const std::vector<std::string>& declared)
      : sql_(sql), context_(context), declared_(declared) {}

  SqlCheck run() {
    SqlCheck out;
    try {
      tokens_ = tokenize(sql_);
      while (!tokens_.empty() && tokens_.back().kind == Kind::semicolon) tokens_.pop_back();
      for (const Token& token : tokens_)
        if (token.kind == Kind::semicolon)
          reject(token.offset, "one statement per text: nothing may follow ';'");
      if (tokens_.empty()) reject(0, "the statement is empty");
      statement();
      out.tables = std::move(refs_);
      out.created_table = created_;
    } catch (const Reject& rejected) {
      out.problem = rejected.problem;
      out.tables.clear();
    }
    return out;
  }

 private:
  // ---- Tokens ---------------------------------------------------------------

  const Token* peek(size_t i) const { return i < tokens_.size() ? &tokens_[i] : nullptr; }
  bool is_word(size_t i, std::string_view word) const {
    const Token* t = peek(i);
    return t && t->kind == Kind::word && t->text == word;
  }
  size_t end_offset() const { return sql_.size(); }
  size_t offset_of(size_t i) const { return i < tokens_.size() ? tokens_[i].offset : end_offset(); }
  const Token& need(size_t i, const std::string& what) const {
    if (i >= tokens_.size()) reject(end_offset(), "the statement ends where " + what + " belongs");
    return tokens_[i];
  }
  std::string declared_list() const {
    std::string out;
    for (const std::string& name : declared_) out += (out.empty() ? "" : ", ") + name;
    return out.empty() ? "none" : out;
  }
  bool declared(const std::string& name) const {
    return std::find(declared_.begin(), declared_.end(), name) != declared_.end();
  }

  // ---- Statements -------------------------------------------------------------

  void statement() {
    const Token& first = tokens_[0];
    const std::string verb = first.kind == Kind::word ? first.text : "";
    const bool setup = context_ == SqlContext::scenario_setup;
    const bool step = context_ == SqlContext::scenario_step;
    if (verb == "create" && setup) return create();
    if (verb == "set" && (setup || step)) return set();
    if (step && (verb == "lock")) return lock();
    if (step && verb == "unlock") return expect_exactly({"unlock", "tables"});
    if (step && verb == "savepoint") return expect_name_after(1);
    if (step && verb == "release") return expect_name_after(is_word(1, "savepoint") ? 2 : 1);
    if (step && verb == "rollback" && is_word(1, "to"))
      return expect_name_after(is_word(2, "savepoint") ? 3 : 2);
    if (among(verb, {"drop", "alter", "rename", "truncate"}))
      reject(first.offset, "'" + verb +
                               "' is not allowed: clobber creates, renames and drops the "
                               "tables itself, and nothing else may be changed");
    if (!allowed_verb(verb))
      reject(first.offset, (verb.empty() ? std::string("this") : "'" + verb + "'") +
                               " is not a statement allowed here (allowed: " + allowed_list() +
                               ")");
    walk(0, tokens_.size(), Frame{Frame::Type::top, false, false, Frame::List::none, ""}, true);
  }

  bool writes_allowed() const { return context_ != SqlContext::read_query; }

  bool allowed_verb(std::string_view verb) const {
    return among(verb, kQueryVerbs) || (among(verb, kWriteVerbs) && writes_allowed());
  }

  std::string allowed_list() const {
    switch (context_) {
      case SqlContext::read_query:
        return "SELECT, WITH, VALUES, TABLE";
      case SqlContext::workload_step:
        return "SELECT, WITH, VALUES, TABLE, INSERT, UPDATE, DELETE, REPLACE";
      case SqlContext::scenario_setup:
        return "SELECT, WITH, VALUES, TABLE, INSERT, UPDATE, DELETE, REPLACE, CREATE TABLE or "
               "CREATE INDEX of a declared table, SET of a timeout";
      case SqlContext::scenario_step:
        return "SELECT, WITH, VALUES, TABLE, INSERT, UPDATE, DELETE, REPLACE, LOCK TABLE, "
               "UNLOCK TABLES, SET of a timeout, SAVEPOINT, RELEASE, ROLLBACK TO";
    }
    return "";
  }

  void expect_exactly(Words words) const {
    size_t i = 0;
    for (std::string_view word : words) {
      if (!is_word(i, word)) reject(offset_of(i), "expected '" + std::string(word) + "' here");
      ++i;
    }
    if (i < tokens_.size()) reject(tokens_[i].offset, "nothing may follow here");
  }

  void expect_name_after(size_t i) const {
    if (need(i, "a savepoint name").kind != Kind::word)
      reject(tokens_[i].offset, "expected a savepoint name");
    if (i + 1 < tokens_.size()) reject(tokens_[i + 1].offset, "nothing may follow the name");
  }

  /// SET [SESSION | LOCAL] timeout_setting {= | TO} value
  void set() const {
    size_t i = 1;
    if (is_word(i, "session") || is_word(i, "local")) ++i;
    const Token& name = need(i, "a setting");
    if (name.kind != Kind::word || !among(name.text, kSettable))
      reject(name.offset,
             "only these settings may be changed: lock_timeout, statement_timeout, "
             "deadlock_timeout, idle_in_transaction_session_timeout, "
             "innodb_lock_wait_timeout, lock_wait_timeout, default_transaction_read_only, "
             "default_transaction_deferrable (per session)");
    if (peek(i + 1) && tokens_[i + 1].kind == Kind::dot)
      reject(tokens_[i + 1].offset, "qualified settings are not allowed");
    const Token& assign = need(i + 1, "'=' or TO");
    if (!(assign.kind == Kind::op && assign.text == "=") && !is_word(i + 1, "to"))
      reject(assign.offset, "expected '=' or TO");
    const Token& value = need(i + 2, "a value");
    if (value.kind != Kind::number && value.kind != Kind::string &&
        !(value.kind == Kind::word && value.text == "default"))
      reject(value.offset, "the value must be a number, a string or DEFAULT");
    if (i + 3 < tokens_.size()) reject(tokens_[i + 3].offset, "nothing may follow the value");
  }

  /// LOCK TABLE[S] t [, t]... [IN ... MODE] [NOWAIT] | LOCK TABLES t READ|WRITE, ...
  void lock() {
    if (!is_word(1, "table") && !is_word(1, "tables"))
      reject(offset_of(1), "expected LOCK TABLE or LOCK TABLES");
    size_t i = 2;
    table_ref(i, true, "LOCK TABLE");
    for (++i; i < tokens_.size(); ++i) {
      const Token& t = tokens_[i];
      if (t.kind == Kind::comma) {
        table_ref(++i, true, "LOCK TABLE");
      } else if (t.kind != Kind::word ||
                 !among(t.text, {"in", "share", "exclusive", "row", "mode", "access", "update",
                                 "nowait", "read", "write", "local"})) {
        reject(t.offset,
               "unexpected word in LOCK TABLE (it names declared tables and a lock "
               "mode only)");
      }
    }
  }

  /// CREATE TABLE [IF NOT EXISTS] t (...) [ENGINE [=] InnoDB] |
  /// CREATE [UNIQUE] INDEX [CONCURRENTLY] [IF NOT EXISTS] [name] ON t [USING m] (...) ...
  void create() {
    size_t i = 1;
    if (is_word(i, "table")) {
      ++i;
      if (is_word(i, "if")) {
        if (!is_word(i + 1, "not") || !is_word(i + 2, "exists"))
          reject(offset_of(i), "expected IF NOT EXISTS");
        i += 3;
      }
      table_ref(i, true, "CREATE TABLE");
      created_ = tokens_[i].text;
      const size_t open = i + 1;
      if (need(open, "'(' and the column definitions").kind != Kind::open)
        reject(tokens_[open].offset,
               "CREATE TABLE must be followed by its column definitions in parentheses (AS, "
               "LIKE, PARTITION OF and INHERITS are not allowed)");
      const size_t close = matching(open);
      in_create_ = true;
      walk(open, close + 1, Frame{Frame::Type::group, false, false, Frame::List::none, "create"},
           false);
      in_create_ = false;
      size_t k = close + 1;
      if (is_word(k, "engine")) {
        ++k;
        if (peek(k) && tokens_[k].kind == Kind::op && tokens_[k].text == "=") ++k;
        if (!is_word(k, "innodb")) reject(offset_of(k), "only ENGINE=InnoDB is allowed");
        ++k;
      }
      if (k < tokens_.size())
        reject(tokens_[k].offset,
               "nothing but ENGINE=InnoDB may follow the column definitions of CREATE TABLE");
      return;
    }
    if (is_word(i, "unique")) ++i;
    if (!is_word(i, "index"))
      reject(offset_of(i), "only CREATE TABLE and CREATE INDEX of a declared table are allowed");
    ++i;
    if (is_word(i, "concurrently")) ++i;
    if (is_word(i, "if")) {
      if (!is_word(i + 1, "not") || !is_word(i + 2, "exists"))
        reject(offset_of(i), "expected IF NOT EXISTS");
      i += 3;
    }
    if (!is_word(i, "on")) {
      if (need(i, "the index name").kind != Kind::word)
        reject(tokens_[i].offset, "expected the index name");
      ++i;
    }
    if (!is_word(i, "on")) reject(offset_of(i), "expected ON and a declared table");
    table_ref(++i, true, "CREATE INDEX");
    ++i;
    if (is_word(i, "using")) {
      if (need(i + 1, "an index method").kind != Kind::word)
        reject(tokens_[i + 1].offset, "expected an index method");
      i += 2;
    }
    if (need(i, "'(' and the indexed columns").kind != Kind::open)
      reject(tokens_[i].offset, "expected '(' and the indexed columns");
    walk(i, tokens_.size(), Frame{Frame::Type::group, false, false, Frame::List::none, "create"},
         false);
  }

  /// The index of the `)` matching the `(` at `open`.
  size_t matching(size_t open) const {
    int depth = 0;
    for (size_t i = open; i < tokens_.size(); ++i) {
      if (tokens_[i].kind == Kind::open) ++depth;
      if (tokens_[i].kind == Kind::close && --depth == 0) return i;
    }
    reject(tokens_[open].offset, "this '(' is never closed");
  }

  // ---- Table positions --------------------------------------------------------

  /// Checks the table reference at token `i`: a declared, unqualified name (or,
  /// when reading, a WITH name or a parenthesized subquery). Returns true when
  /// it was a name (consumed), false for a subquery '(' (left to the walk).
  bool table_ref(size_t i, bool write, const std::string& where) {
    const Token& t = need(i, "a table name");
    if (t.kind == Kind::open) {
      const Token* next = peek(i + 1);
      if (!write && next && next->kind == Kind::word && among(next->text, kQueryVerbs))
        return false;
      reject(t.offset, "only a declared table name" +
                           std::string(write ? "" : " or a subquery (SELECT ...)") +
                           " may follow " + where);
    }
    if (t.kind != Kind::word)
      reject(t.offset,
             "a declared table name must follow " + where + " (declared: " + declared_list() + ")");
    if (among(t.text, kModifiers))
      reject(t.offset, "'" + t.text +
                           "' is read as a modifier by one database and as a table name by "
                           "another; not allowed after " +
                           where);
    if (peek(i + 1) && tokens_[i + 1].kind == Kind::dot)
      reject(t.offset,
             "schema-qualified names are not allowed: write the declared table's "
             "name alone");
    if (declared(t.text)) {
      refs_.push_back(SqlTableRef{t.offset, t.length, t.text});
      return true;
    }
    if (!write &&
        (std::find(ctes_.begin(), ctes_.end(), t.text) != ctes_.end() || t.text == "dual"))
      return true;
    reject(t.offset, "table '" + std::string(sql_.substr(t.offset, t.length)) +
                         "' is not declared by this file (declared: " + declared_list() +
                         "); clobber only touches tables it creates");
  }

  // ---- The walk ---------------------------------------------------------------

  /// Walks tokens [from, to) starting in `first`; `verb_first`: token `from` is a
  /// statement's verb.
  void walk(size_t from, size_t to, Frame first, bool verb_first) {
    std::vector<Frame> frames{std::move(first)};
    bool verb_expected = verb_first;
    bool next_call = false, next_cast = false;
    for (size_t i = from; i < to; ++i) {
      const Token& t = tokens_[i];
      Frame& frame = frames.back();
      if (verb_expected) {
        verb_expected = false;
        i = verb(i, frame);
        continue;
      }
      switch (t.kind) {
        case Kind::open: {
          Frame inner;
          const Token* next = peek(i + 1);
          if (cte_body_next_) {
            inner.type = Frame::Type::statement;
            inner.cte_body = true;
            verb_expected = true;
            cte_body_next_ = false;
          } else if (next_call) {
            inner.type = Frame::Type::call;
            inner.cast = next_cast;
          } else if (next && next->kind == Kind::word &&
                     (among(next->text, kQueryVerbs) || among(next->text, kWriteVerbs))) {
            inner.type = Frame::Type::statement;
            verb_expected = true;
          }
          next_call = next_cast = false;
          frames.push_back(std::move(inner));
          break;
        }
        case Kind::close: {
          if (frames.size() == 1) reject(t.offset, "this ')' closes nothing");
          const bool cte = frames.back().cte_body;
          frames.pop_back();
          if (cte) {
            if (peek(i + 1) && tokens_[i + 1].kind == Kind::comma) {
              i = cte_definition(i + 2);
            } else {
              verb_expected = true;
            }
          }
          break;
        }
        case Kind::comma:
          if (frame.list != Frame::List::none && frame.type != Frame::Type::call &&
              table_ref(i + 1, frame.list == Frame::List::write, "a ',' in a table list"))
            ++i;
          break;
        case Kind::cast: {
          const Token& type = need(i + 1, "a type");
          if (type.kind != Kind::word || !among(type.text, kTypes))
            reject(type.offset, "only built-in types may follow '::'");
          ++i;
          break;
        }
        case Kind::param:
          if (context_ != SqlContext::workload_step)
            reject(t.offset, ":name parameters exist only in workload sql steps");
          break;
        case Kind::word:
          i = word(i, frame, next_call, next_cast);
          break;
        default:
          break;
      }
    }
    if (verb_expected) reject(end_offset(), "a statement must follow the WITH definitions");
    if (frames.size() != 1) reject(end_offset(), "a '(' is never closed");
  }

  /// A statement's first word at token `i`; returns the last token consumed.
  size_t verb(size_t i, Frame& frame) {
    const Token& t = tokens_[i];
    const bool top = frame.type == Frame::Type::top;
    if (t.kind != Kind::word || !(among(t.text, kQueryVerbs) || among(t.text, kWriteVerbs)))
      reject(t.offset, "a statement (SELECT ...) must start here");
    if (among(t.text, kWriteVerbs)) {
      if (!writes_allowed())
        reject(t.offset, "this query must only read: '" + t.text + "' is not allowed here");
      if (!top && !frame.cte_body)
        reject(t.offset, "'" + t.text + "' is only allowed as the statement itself");
    }
    frame.verb = t.text;
    frame.list = Frame::List::none;
    if (t.text == "table") {
      table_ref(i + 1, false, "TABLE");
      return i + 1;
    }
    if (t.text == "with") {
      size_t k = i + 1;
      if (is_word(k, "recursive")) ++k;
      return cte_definition(k);
    }
    if (t.text == "insert" || t.text == "replace") {
      if (!is_word(i + 1, "into"))
        reject(offset_of(i + 1),
               t.text + " must be followed directly by INTO and a declared table");
      table_ref(i + 2, true, t.text + " INTO");
      return i + 2;
    }
    if (t.text == "update") {
      table_ref(i + 1, true, "UPDATE");
      frame.list = Frame::List::write;
      return i + 1;
    }
    if (t.text == "delete") {
      if (!is_word(i + 1, "from"))
        reject(offset_of(i + 1), "DELETE must be followed directly by FROM and a declared table");
      table_ref(i + 2, true, "DELETE FROM");
      frame.list = Frame::List::write;
      return i + 2;
    }
    return i;  // select, values
  }

  /// One WITH definition at token `i`: name [(columns)] AS [NOT] [MATERIALIZED] (
  /// Returns the index of its '(' (the walk then opens the body frame).
  size_t cte_definition(size_t i) {
    const Token& name = need(i, "a WITH name");
    if (name.kind != Kind::word) reject(name.offset, "expected a name for the WITH query");
    ctes_.push_back(name.text);
    ++i;
    if (peek(i) && tokens_[i].kind == Kind::open) {
      const size_t close = matching(i);
      for (size_t k = i + 1; k < close; ++k)
        if (tokens_[k].kind != Kind::word && tokens_[k].kind != Kind::comma)
          reject(tokens_[k].offset, "expected column names");
      i = close + 1;
    }
    if (!is_word(i, "as")) reject(offset_of(i), "expected AS");
    ++i;
    if (is_word(i, "not")) ++i;
    if (is_word(i, "materialized")) ++i;
    if (need(i, "'(' and the query").kind != Kind::open)
      reject(tokens_[i].offset, "expected '(' and the query");
    cte_body_next_ = true;  // the walk opens the body at this '('
    return i - 1;
  }

  /// True when the word at token `i`, followed by `(`, is syntax rather than a
  /// function call.
  bool paren_keyword(size_t i) const {
    const std::string& w = tokens_[i].text;
    if (among(w, kParenKeywords)) return true;
    const Token* prev = i > 0 ? &tokens_[i - 1] : nullptr;
    const std::string prev_word = prev && prev->kind == Kind::word ? prev->text : "";
    const bool after_close = prev && prev->kind == Kind::close;
    if (w == "key") return among(prev_word, {"primary", "foreign", "unique"});
    if (w == "by") return among(prev_word, {"group", "order", "partition"});
    if (w == "filter" || w == "over") return after_close;
    if (w == "conflict") return prev_word == "on";
    // A type with its length or precision, in a column definition.
    return in_create_ && among(w, kTypes) && prev && prev->kind == Kind::word;
  }

  /// A word at token `i` outside a verb position; returns the last token consumed.
  size_t word(size_t i, Frame& frame, bool& next_call, bool& next_cast) {
    const Token& t = tokens_[i];
    const std::string& w = t.text;
    const Token* prev = i > 0 ? &tokens_[i - 1] : nullptr;
    const std::string prev_word = prev && prev->kind == Kind::word ? prev->text : "";
    const Token* next = peek(i + 1);
    const bool call_frame = frame.type == Frame::Type::call;

    if (call_frame && frame.cast && w == "as") {
      const Token& type = need(i + 1, "a type");
      if (type.kind != Kind::word || !among(type.text, kTypes))
        reject(type.offset, "only built-in types may follow CAST(... AS");
      return i + 1;
    }
    if (w == "from" && !call_frame &&
        !(prev_word == "distinct" && i >= 2 && tokens_[i - 2].kind == Kind::word &&
          among(tokens_[i - 2].text, {"is", "not"}))) {
      frame.list = Frame::List::read;
      return table_ref(i + 1, false, "FROM") ? i + 1 : i;
    }
    if (w == "join" || w == "straight_join") {
      const bool write = frame.list == Frame::List::write;
      if (frame.list == Frame::List::none) frame.list = Frame::List::read;
      return table_ref(i + 1, write, "JOIN") ? i + 1 : i;
    }
    if (w == "using" && !(next && next->kind == Kind::open)) {
      if (frame.verb != "delete")
        reject(t.offset, "USING must be followed by '(' and column names");
      frame.list = Frame::List::read;
      return table_ref(i + 1, false, "USING") ? i + 1 : i;
    }
    if (w == "into")
      reject(t.offset,
             "INTO is only allowed as INSERT INTO or REPLACE INTO (SELECT ... INTO "
             "creates tables, writes files or sets variables)");
    if (w == "references") {
      table_ref(i + 1, true, "REFERENCES");
      return i + 1;
    }
    if (w == "table" && !(next && next->kind == Kind::open)) {
      return table_ref(i + 1, false, "TABLE") ? i + 1 : i;
    }
    if ((w == "update" || w == "delete") && !among(prev_word, {"for", "key", "do", "on"}))
      reject(t.offset, "'" + w +
                           "' is only allowed as the statement itself (or in FOR UPDATE, "
                           "ON DUPLICATE KEY UPDATE, DO UPDATE, ON DELETE/UPDATE)");
    if ((w == "insert" || w == "replace") && !(next && next->kind == Kind::open))
      reject(t.offset, "'" + w + "' is only allowed as the statement itself");
    if (among(w, kListEnders)) frame.list = Frame::List::none;
    if (w == "select" && frame.type == Frame::Type::statement) frame.verb = "select";

    if (next && next->kind == Kind::open) {
      if (paren_keyword(i)) return i;
      if (prev && prev->kind == Kind::dot)
        reject(t.offset, "qualified function calls are not allowed");
      if (!among(w, kPureFunctions))
        reject(t.offset, "function '" + std::string(sql_.substr(t.offset, t.length)) +
                             "' is not allowed: only built-in functions that cannot write are "
                             "(count, sum, min, max, avg, coalesce, greatest, least, abs, mod, "
                             "cast, lower, upper, length, nullif, round, ...; see "
                             "docs/workload-format.md)");
      next_call = true;
      next_cast = w == "cast";
    }
    return i;
  }

  std::string_view sql_;
  SqlContext context_;
  const std::vector<std::string>& declared_;
  std::vector<Token> tokens_;
  std::vector<SqlTableRef> refs_;
  std::vector<std::string> ctes_;
  std::string created_;
  bool cte_body_next_ = false;  // the next '(' opens a WITH query's body
  bool in_create_ = false;      // walking CREATE TABLE's column definitions
};

}  // namespace

SqlCheck check_sql(std::string_view sql, SqlContext context,
                   const std::vector<std::string>& declared) {
  return Checker(sql, context, declared).run();
}

}  // namespace clobber
