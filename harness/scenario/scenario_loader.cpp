#include "harness/scenario/scenario_loader.h"

#include "harness/common/yaml_reader.h"
#include "harness/sqlcheck/sql_check.h"

#include <yaml-cpp/yaml.h>

#include <algorithm>
#include <cctype>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <utility>

namespace clobber {
namespace {

constexpr std::string_view kReservedPrefix = "clobber_";
constexpr std::string_view kTopKeys[] = {"name",  "id",         "description", "tables",
                                         "setup", "sessions",   "isolation",   "database",
                                         "steps", "anomaly_if", "expect"};
constexpr std::string_view kExpectKeys[] = {"where", "outcome"};
constexpr std::string_view kExpectWhereKeys[] = {"database", "isolation"};
constexpr std::string_view kConditionKeys[] = {"all_committed", "when", "sql", "equals"};
constexpr std::string_view kStepNameKey = "as";
constexpr std::string_view kStepWaitKey = "wait";
constexpr std::string_view kStepKeys[] = {kStepNameKey, kStepWaitKey};
constexpr std::string_view kTransactionHelp =
    "write `begin`, `commit` or `rollback` on their own: the isolation level comes from the "
    "cell (pin one with the top-level `isolation:`)";

std::string lower(std::string_view text) {
  std::string out(text);
  for (char& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

/// A statement without surrounding space and trailing semicolons.
std::string statement_text(std::string_view text) {
  std::string out = trim(text);
  while (!out.empty() && out.back() == ';') out = trim(out.substr(0, out.size() - 1));
  return out;
}

/// Session and step names: they appear in expressions.
bool is_identifier(std::string_view name) {
  if (name.empty() || std::isdigit(static_cast<unsigned char>(name[0]))) return false;
  if (contains(std::initializer_list<std::string_view>{"and", "or", "not"},
               std::string_view(lower(name))))
    return false;
  return std::all_of(name.begin(), name.end(), [](char c) {
    return std::isalnum(static_cast<unsigned char>(c)) || c == '_';
  });
}

/// The words of a statement, lower-cased, up to `count` of them.
std::vector<std::string> first_words(std::string_view text, size_t count) {
  std::vector<std::string> words;
  std::istringstream in{std::string(text)};
  std::string word;
  while (words.size() < count && in >> word) words.push_back(lower(word));
  return words;
}

class Loader : private YamlReader {
 public:
  Loader(const std::string& text, const std::string& path) : YamlReader(path), text_(text) {}

  Scenario load() {
    check_printable(text_, path_);
    YAML::Node root;
    try {
      root = YAML::Load(text_);
    } catch (const YAML::Exception& error) {
      fail(location(error.mark), yaml_error_message(error));
    }
    if (!root.IsDefined() || root.IsNull())
      fail(SourceLocation{path_, 1, 1},
           "the scenario is empty; it needs name, description, tables, setup, sessions, steps "
           "and anomaly_if");
    Scenario scenario;
    scenario.file = path_;
    const MapView top = map(ref(root), "the scenario", kTopKeys);
    scenario.name = nonempty_text(require(top, "name").value, "name");
    scenario.id = scenario.name;
    if (const Entry* id = top.find("id")) scenario.id = nonempty_text(id->value, "id");
    scenario.description = nonempty_text(require(top, "description").value, "description");
    load_tables(require(top, "tables").value, scenario);
    load_sessions(require(top, "sessions").value, scenario);
    if (const Entry* isolation = top.find("isolation")) load_isolation(isolation->value, scenario);
    if (const Entry* database = top.find("database"))
      scenario.databases = load_databases(database->value);
    load_setup(require(top, "setup").value, scenario);
    load_steps(require(top, "steps").value, scenario);
    load_condition(require(top, "anomaly_if").value, scenario);
    if (const Entry* expect = top.find("expect")) load_expect(expect->value, scenario);
    return scenario;
  }

 private:
  // ---- Positions and errors -------------------------------------------------

  /// Where the text of a scalar starts: after its opening quote, if any.
  SourceLocation text_start(const Ref& ref) const {
    SourceLocation where = ref.at;
    const YAML::Mark mark = ref.node.Mark();
    if (mark.pos >= 0 && static_cast<size_t>(mark.pos) < text_.size()) {
      const char first = text_[static_cast<size_t>(mark.pos)];
      if (first == '"' || first == '\'') ++where.column;
    }
    return where;
  }

  // ---- Typed values -----------------------------------------------------------

  /// The items of a list, which must not be empty.
  std::vector<Ref> list(const Ref& ref, const std::string& what) const {
    std::vector<Ref> items = YamlReader::list(ref, what);
    if (items.empty()) fail(ref.at, what + " must not be empty");
    return items;
  }

  /// A scalar, or a list of scalars: the list's items.
  std::vector<Ref> one_or_list(const Ref& ref, const std::string& what) const {
    if (ref.node.IsScalar()) return {ref};
    return list(ref, what);
  }

  size_t session_index(const Scenario& scenario, const Ref& ref, const std::string& what) const {
    const std::string name = text(ref, what);
    const auto it = std::find(scenario.sessions.begin(), scenario.sessions.end(), name);
    if (it == scenario.sessions.end())
      fail(ref.at, "unknown session '" + name + "' (sessions: " + join(scenario.sessions) + ")");
    return static_cast<size_t>(it - scenario.sessions.begin());
  }

  // ---- Sections ---------------------------------------------------------------

  void load_tables(const Ref& ref, Scenario& scenario) const {
    for (const Ref& item : one_or_list(ref, "tables")) {
      const std::string name = text(item, "a table name");
      if (!is_sql_name(name))
        fail(item.at,
             "table name '" + name +
                 "' must be lower-case letters, digits and '_', not starting with a digit");
      if (name.starts_with(kReservedPrefix))
        fail(item.at, "table name '" + name + "' must not start with '" +
                          std::string(kReservedPrefix) + "' (clobber's own prefix)");
      if (contains(scenario.tables, name)) fail(item.at, "table '" + name + "' is listed twice");
      scenario.tables.push_back(name);
    }
  }

  void load_sessions(const Ref& ref, Scenario& scenario) const {
    for (const Ref& item : list(ref, "sessions")) {
      const std::string name = text(item, "a session name");
      if (!is_identifier(name))
        fail(item.at, "session name '" + name + "' must be letters, digits and '_'");
      if (contains(kStepKeys, name))
        fail(item.at, "'" + name + "' cannot be a session name (it is a step's key)");
      if (contains(scenario.sessions, name))
        fail(item.at, "session '" + name + "' is listed twice");
      scenario.sessions.push_back(name);
    }
  }

  void load_isolation(const Ref& ref, Scenario& scenario) const {
    for (const Ref& item : one_or_list(ref, "isolation")) {
      const std::string name = text(item, "an isolation level");
      const std::optional<Isolation> level = parse_isolation(name);
      if (!level) {
        std::vector<std::string> known;
        for (Isolation each : kAllIsolations) known.emplace_back(to_string(each));
        fail(item.at, "unknown isolation level '" + name + "' (levels: " + join(known) + ")");
      }
      if (!contains(scenario.isolation, *level)) scenario.isolation.push_back(*level);
    }
  }

  /// A database name or a list of them (the top-level pin, an expect rule's `where`).
  std::vector<DatabaseKind> load_databases(const Ref& ref) const {
    std::vector<DatabaseKind> kinds;
    for (const Ref& name_ref : one_or_list(ref, "database")) {
      const std::string name = text(name_ref, "a database");
      const std::optional<DatabaseKind> kind = parse_database_kind(name);
      if (!kind)
        fail(name_ref.at,
             "unknown database '" + name + "' (databases: postgresql, mysql, mariadb, sqlite)");
      if (!contains(kinds, *kind)) kinds.push_back(*kind);
    }
    return kinds;
  }

  void load_expect(const Ref& ref, Scenario& scenario) const {
    for (const Ref& item : list(ref, "expect")) {
      const MapView rule = map(item, "an expect rule", kExpectKeys);
      ScenarioExpectation expectation;
      expectation.where = item.at;
      if (const Entry* where = rule.find("where")) {
        const MapView selects = map(where->value, "where", kExpectWhereKeys);
        if (const Entry* database = selects.find("database"))
          expectation.databases = load_databases(database->value);
        if (const Entry* isolation = selects.find("isolation")) {
          for (const Ref& level_ref : one_or_list(isolation->value, "isolation")) {
            const std::string name = text(level_ref, "an isolation level");
            const std::optional<Isolation> level = parse_isolation(name);
            if (!level) {
              std::vector<std::string> known;
              for (Isolation each : kAllIsolations) known.emplace_back(to_string(each));
              fail(level_ref.at,
                   "unknown isolation level '" + name + "' (levels: " + join(known) + ")");
            }
            expectation.isolation.push_back(*level);
          }
        }
      }
      const Entry& outcome = require(rule, "outcome");
      const std::string name = text(outcome.value, "an outcome");
      if (name == "anomaly")
        expectation.outcome = ExpectedOutcome::anomaly;
      else if (name == "prevented")
        expectation.outcome = ExpectedOutcome::prevented;
      else
        fail(outcome.value.at, "unknown outcome '" + name + "' (outcomes: anomaly, prevented)");
      scenario.expect.push_back(std::move(expectation));
    }
  }

  /// Rejects SQL that could touch anything but the declared tables
  /// (harness/sqlcheck/sql_check.h), at the offending token.
  SqlCheck check_statement(const Ref& ref, SqlContext context, const Scenario& scenario) const {
    const std::string& value = ref.node.Scalar();
    SqlCheck check = check_sql(value, context, scenario.tables);
    if (check.problem)
      fail(value_location(text_, path_, ref.node, value, check.problem->offset),
           check.problem->message);
    return check;
  }

  void load_setup(const Ref& ref, Scenario& scenario) const {
    std::vector<std::string> created;
    for (const Ref& item : one_or_list(ref, "setup")) {
      const std::string sql = statement_text(nonempty_text(item, "a setup statement"));
      const SqlCheck check = check_statement(item, SqlContext::scenario_setup, scenario);
      if (!check.created_table.empty()) created.push_back(check.created_table);
      scenario.setup.push_back(sql);
    }
    for (const std::string& table : scenario.tables)
      if (!contains(created, table))
        fail(ref.at, "the setup never creates table '" + table +
                         "' (every table in `tables:` is created by the setup, renamed for each "
                         "cell and dropped at its end)");
  }

  /// The action a statement stands for; rejects other transaction control.
  StepAction action_of(const std::string& statement, const Ref& ref) const {
    const std::vector<std::string> words = first_words(statement, 3);
    const std::string first = words[0];
    if (words.size() == 1) {
      if (first == "begin") return StepAction::begin;
      if (first == "commit") return StepAction::commit;
      if (first == "rollback") return StepAction::rollback;
    }
    const bool rollback_to = first == "rollback" && words.size() > 1 && words[1] == "to";
    const bool set_transaction =
        first == "set" && words.size() > 1 &&
        (words[1] == "transaction" ||
         (words.size() > 2 && words[1] == "session" && words[2] == "characteristics"));
    if (!rollback_to &&
        (contains(std::initializer_list<std::string_view>{"begin", "start", "commit", "rollback",
                                                          "end", "abort"},
                  first) ||
         set_transaction))
      fail(text_start(ref), "'" + statement + "': " + std::string(kTransactionHelp));
    return StepAction::sql;
  }

  void load_steps(const Ref& ref, Scenario& scenario) const {
    std::vector<std::optional<SourceLocation>> open(scenario.sessions.size());
    std::vector<bool> used(scenario.sessions.size(), false);
    for (const Ref& item : list(ref, "steps")) {
      if (!item.node.IsMap())
        fail(item.at, "a step must be a map like `alice: select ...`, found " + found(item.node));
      const MapView step_map = map(item, "a step", std::vector<std::string_view>{});
      ScenarioStep step;
      step.where = item.at;
      const Entry* session_entry = nullptr;
      for (const Entry& entry : step_map.entries) {
        if (contains(kStepKeys, entry.name)) continue;
        if (!contains(scenario.sessions, entry.name))
          fail(entry.key_at, "unknown session '" + entry.name +
                                 "' (sessions: " + join(scenario.sessions) +
                                 "; a step may also have `as:` and `wait:`)");
        if (session_entry)
          fail(entry.key_at,
               "a step names one session; this one also names '" + session_entry->name + "'");
        session_entry = &entry;
      }
      if (!session_entry)
        fail(item.at, "a step must name its session (sessions: " + join(scenario.sessions) + ")");
      step.session = static_cast<size_t>(
          std::find(scenario.sessions.begin(), scenario.sessions.end(), session_entry->name) -
          scenario.sessions.begin());
      used[step.session] = true;
      const Ref& statement_ref = session_entry->value;
      step.statement = statement_text(nonempty_text(statement_ref, "a step's statement"));
      if (step.statement.empty()) fail(statement_ref.at, "a step's statement must not be empty");
      step.action = action_of(step.statement, statement_ref);
      if (step.action == StepAction::sql) {
        step.statement = trim(step.statement);
        check_statement(statement_ref, SqlContext::scenario_step, scenario);
      } else {
        step.statement = lower(step.statement);
      }

      const std::string& session = session_entry->name;
      std::optional<SourceLocation>& begun = open[step.session];
      if (step.action == StepAction::begin) {
        if (begun)
          fail(statement_ref.at, session + " begins a transaction while the one begun at line " +
                                     std::to_string(begun->line) + " is still open");
        begun = statement_ref.at;
      } else if (step.action != StepAction::sql) {
        if (!begun)
          fail(statement_ref.at, session + " has no open transaction to " + step.statement);
        begun.reset();
      }

      if (const Entry* name = step_map.find(kStepNameKey)) {
        step.name = text(name->value, "a step name");
        if (!is_identifier(step.name))
          fail(name->value.at, "step name '" + step.name + "' must be letters, digits and '_'");
        if (step.action != StepAction::sql)
          fail(name->key_at,
               "only a SQL step can be named (`" + step.statement + "` returns no rows)");
        for (const ScenarioStep& earlier : scenario.steps)
          if (earlier.name == step.name)
            fail(name->value.at, "step name '" + step.name + "' is used twice (first at line " +
                                     std::to_string(earlier.where.line) + ")");
      }
      if (const Entry* wait = step_map.find(kStepWaitKey)) {
        const std::string value = text(wait->value, "a wait");
        if (value != "server")
          fail(text_start(wait->value),
               "unknown wait '" + value +
                   "' (`wait: server` leaves a blocked step to the server: a timeout or a "
                   "later step ends its wait, not clobber)");
        if (step.action != StepAction::sql)
          fail(wait->key_at,
               "only a SQL step can wait (`" + step.statement + "` never waits for a lock)");
        step.wait_for_server = true;
      }
      scenario.steps.push_back(std::move(step));
    }
    for (size_t s = 0; s < scenario.sessions.size(); ++s) {
      if (open[s])
        fail(*open[s],
             scenario.sessions[s] + "'s transaction begun here is never committed or rolled back");
      if (!used[s]) fail(ref.at, "session '" + scenario.sessions[s] + "' has no steps");
    }
  }

  void load_condition(const Ref& ref, Scenario& scenario) const {
    const MapView condition = map(ref, "anomaly_if", kConditionKeys);
    if (condition.entries.empty())
      fail(ref.at, "anomaly_if needs at least one of: " + join(kConditionKeys));
    AnomalyCondition& out = scenario.anomaly_if;
    if (const Entry* committed = condition.find("all_committed")) {
      for (const Ref& item : one_or_list(committed->value, "all_committed")) {
        const size_t session = session_index(scenario, item, "a session name");
        if (contains(out.all_committed, session))
          fail(item.at, "session '" + scenario.sessions[session] + "' is listed twice");
        out.all_committed.push_back(session);
      }
    }
    if (const Entry* when = condition.find("when")) load_when(when->value, scenario);
    const Entry* sql = condition.find("sql");
    const Entry* equals = condition.find("equals");
    if (sql && !equals) fail(sql->key_at, "anomaly_if: `sql` needs `equals` (its result)");
    if (equals && !sql) fail(equals->key_at, "anomaly_if: `equals` needs `sql` (the query)");
    if (sql) {
      out.sql = statement_text(nonempty_text(sql->value, "anomaly_if sql"));
      check_statement(sql->value, SqlContext::read_query, scenario);
      out.equals = expected_rows(equals->value);
    }
  }

  void load_when(const Ref& ref, Scenario& scenario) const {
    const std::string text = nonempty_text(ref, "anomaly_if when");
    AnomalyCondition& out = scenario.anomaly_if;
    std::vector<std::string> known;
    for (const ScenarioStep& step : scenario.steps)
      if (!step.name.empty()) known.push_back(step.name);
    const SlotResolver resolve = [&](std::string_view name) -> std::optional<int> {
      const size_t dot = name.find('.');
      const std::string step_name(name.substr(0, dot));
      const auto step = std::find_if(scenario.steps.begin(), scenario.steps.end(),
                                     [&](const ScenarioStep& s) { return s.name == step_name; });
      if (step == scenario.steps.end()) return std::nullopt;
      for (size_t slot = 0; slot < out.values.size(); ++slot)
        if (out.values[slot].name == name) return static_cast<int>(slot);
      out.values.push_back(
          StepValue{std::string(name), static_cast<size_t>(step - scenario.steps.begin()),
                    dot == std::string_view::npos ? "" : std::string(name.substr(dot + 1))});
      return static_cast<int>(out.values.size() - 1);
    };
    try {
      out.when = parse_expression(ref.node.Scalar(), text_start(ref), resolve);
    } catch (const InputError& error) {
      if (error.message().starts_with("unknown variable"))
        throw InputError(
            error.where(),
            error.message() + " (named steps: " +
                (known.empty() ? std::string("none; name one with `as:`") : join(known)) + ")");
      throw;
    }
  }

  /// `equals`: a value (one row of one column), a list of values (one column),
  /// or a list of rows.
  ExpectedRows expected_rows(const Ref& ref) const {
    if (ref.node.IsScalar()) return {{ref.node.Scalar()}};
    ExpectedRows rows;
    if (ref.node.IsSequence() && ref.node.size() == 0) return rows;  // no rows
    for (const Ref& item : list(ref, "equals")) {
      if (item.node.IsScalar()) {
        rows.push_back({item.node.Scalar()});
        continue;
      }
      std::vector<std::string> row;
      for (const Ref& value : list(item, "a row of equals")) row.push_back(text(value, "a value"));
      if (!rows.empty() && rows[0].size() != row.size())
        fail(item.at, "every row of equals must have " + std::to_string(rows[0].size()) +
                          " values, like the first");
      rows.push_back(std::move(row));
    }
    return rows;
  }

  const std::string& text_;
};

}  // namespace

Scenario load_scenario_text(const std::string& text, const std::string& path) {
  return Loader(text, path).load();
}

Scenario load_scenario_file(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw InputError(SourceLocation{path, 0, 0}, "cannot read the scenario file");
  std::ostringstream text;
  text << in.rdbuf();
  return load_scenario_text(text.str(), path);
}

std::vector<std::string> scenario_files(const std::vector<std::string>& paths) {
  namespace fs = std::filesystem;
  std::vector<std::string> files;
  for (const std::string& path : paths) {
    std::error_code error;
    if (fs::is_directory(path, error)) {
      std::vector<std::string> found_here;
      for (const fs::directory_entry& entry : fs::directory_iterator(path, error)) {
        const std::string extension = entry.path().extension().string();
        if (entry.is_regular_file() && (extension == ".yaml" || extension == ".yml"))
          found_here.push_back(entry.path().string());
      }
      if (error)
        throw InputError(SourceLocation{path, 0, 0}, "cannot list the folder: " + error.message());
      if (found_here.empty())
        throw InputError(SourceLocation{path, 0, 0},
                         "no scenario files (*.yaml, *.yml) in this folder");
      std::sort(found_here.begin(), found_here.end());
      files.insert(files.end(), found_here.begin(), found_here.end());
    } else if (fs::exists(path, error)) {
      files.push_back(path);
    } else {
      throw InputError(SourceLocation{path, 0, 0}, "no such file or folder");
    }
  }
  return files;
}

}  // namespace clobber
