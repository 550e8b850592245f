// The clobber command-line program: `run`, `validate`, `report`, `scenario` and
// `clean` (README.md, "Command line"). Messages go to stderr prefixed "clobber: "; results
// go to stdout and to the report files asked for.
#include <signal.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cerrno>
#include <charconv>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <iostream>
#include <limits>
#include <memory>
#include <new>
#include <string>
#include <system_error>
#include <thread>
#include <type_traits>
#include <variant>
#include <vector>

#include <fmt/core.h>
#include <CLI/CLI.hpp>

#include "common/errors.h"
#include "drivers/url.h"
#include "harness/cli/help_formatter.h"
#include "harness/cli/progress_line.h"
#include "harness/runner/interrupt.h"
#include "harness/runner/run.h"
#include "harness/runner/table_registry.h"
#include "harness/scenario/scenario_loader.h"
#include "harness/scenario/scenario_runner.h"
#include "harness/workload/workload_loader.h"
#include "reports/json_reader.h"
#include "reports/report_files.h"
#include "reports/reporter.h"

namespace {

using namespace clobber;

/// Exit code for a bug in clobber itself (EX_SOFTWARE of sysexits.h).
constexpr int kExitInternalError = 70;

constexpr const char* kExitCodesHelp =
    "Exit codes: 0 every expectation met; 1 an expectation failed (never with --explore);\n"
    "2 bad usage, workload or result file, or a report file not written after a pass;\n"
    "3 a database could not be reached or set up, or a cell could not run (the report of\n"
    "the others is still written); 70 internal error; 130 (143) stopped by Ctrl-C\n"
    "(SIGTERM) before every cell ran, with no failure found (a second Ctrl-C drops the\n"
    "run's tables and exits 130 at once).";

/// Report files and console options shared by `run`, `scenario` and `report`.
struct OutputFlags {
  ReportPaths files;  // by format name (reports/report_files.h)
  bool no_color = false;
  bool wide = false;     // every console column, whatever the terminal's width
  bool verbose = false;  // the workload's whole description
};

/// Everything `run` takes on the command line, as given.
struct RunFlags {
  std::string workload;
  std::vector<std::string> databases;
  std::vector<std::string> isolation;
  std::vector<std::string> locking;
  int workers = 0;
  std::string duration;
  int64_t transactions = 0;
  uint64_t seed = 0;
  bool explore = false;
  std::string reconnect_timeout;
  std::string chaos;
  std::vector<std::string> fail_on;
  std::string progress;
  bool quiet = false;
  OutputFlags output;
};

/// Adds a `--FORMAT FILE` option for every report file format, and --no-color.
void add_output_flags(CLI::App& command, OutputFlags& flags) {
  for (const FileFormat& format : file_formats())
    command.add_option("--" + std::string(format.name), flags.files[std::string(format.name)],
                       std::string(format.help));
  command.add_flag("--no-color", flags.no_color, "No ANSI colors on the console");
  command.add_flag("--wide", flags.wide,
                   "Every console column, whatever the width (default: fit the terminal, or 120 "
                   "columns when stdout is not one)");
  command.add_flag("--verbose", flags.verbose,
                   "The workload's whole description (default: its first sentence)");
}

/// Writes the report files asked for, then prints the console report to
/// stdout (files first: a closed stdout pipe must not lose them). A file that
/// cannot be written is reported on stderr and the console report is still
/// printed; returns false then. `traces`: every scenario cell's trace.
bool emit_reports(const Results& results, const OutputFlags& flags, bool traces = false) {
  const bool written = write_report_files(results, flags.files);
  const bool terminal = isatty(STDOUT_FILENO);
  ConsoleOptions console;
  console.color = !flags.no_color && terminal && std::getenv("NO_COLOR") == nullptr;
  console.traces = traces;
  console.width = terminal ? terminal_columns(STDOUT_FILENO) : 120;
  console.wide = flags.wide;
  console.verbose = flags.verbose;
  render(ConsoleReporter(console), results, std::cout);
  std::cout.flush();
  return written;
}

/// Parses `--chaos kill=RATE` (kills per second, more than 0, at most 1000).
double parse_chaos(const std::string& text) {
  constexpr std::string_view kPrefix = "kill=";
  double rate = 0;
  if (text.starts_with(kPrefix)) {
    const char* begin = text.data() + kPrefix.size();
    const char* end = text.data() + text.size();
    const auto [stop, error] = std::from_chars(begin, end, rate);
    if (error == std::errc() && stop == end && begin != end && rate > 0 && rate <= 1000)
      return rate;
  }
  throw InputError(fmt::format(
      "--chaos: expected kill=RATE, sessions killed per second (more than 0, at most 1000), not "
      "\"{}\"",
      text));
}

/// Splits comma lists, expands `all` and parses each name with `parse`.
template <typename T, typename Parse, size_t N>
std::vector<T> parse_names(const std::vector<std::string>& values, const T (&all)[N], Parse parse,
                           std::string_view flag, std::string_view what) {
  std::vector<T> parsed;
  const auto add = [&parsed](T value) {
    if (std::find(parsed.begin(), parsed.end(), value) == parsed.end()) parsed.push_back(value);
  };
  for (const std::string& name : values) {
    if (name == "all") {
      for (T value : all) add(value);
    } else if (auto value = parse(name)) {
      add(*value);
    } else {
      std::string known;
      for (T value : all) known += fmt::format("{}, ", to_string(value));
      throw InputError(
          fmt::format("{}: unknown {} \"{}\" (expected {}or all)", flag, what, name, known));
    }
  }
  if (parsed.empty()) throw InputError(fmt::format("{}: no {} given", flag, what));
  return parsed;
}

/// Accepts whole numbers of type T from `min` to `max`. (CLI11's own ranges
/// print doubles, and its unsigned conversion takes "-1".)
template <typename T>
CLI::Validator whole_number(T min, T max = std::numeric_limits<T>::max()) {
  return CLI::Validator(
      [min, max](std::string& text) -> std::string {
        T value{};
        const char* end = text.data() + text.size();
        const auto [stop, error] = std::from_chars(text.data(), end, value);
        if (error == std::errc() && stop == end && value >= min && value <= max) return {};
        return fmt::format("expected a whole number from {} to {}, not \"{}\"", min, max, text);
      },
      "");
}

/// The signal that stopped the run, 0 when none did.
std::atomic<int> g_stop_signal{0};

/// How long the second Ctrl-C waits for a lock on each table it drops.
constexpr std::chrono::seconds kAbortLockWait{1};

/// How often statements are cancelled again after the first Ctrl-C.
constexpr long kCancelEveryNs = 100'000'000;

/// Blocks SIGINT and SIGTERM in every thread (call it before any thread
/// starts) and handles them on a thread of their own. The first asks the run
/// to stop and cancels the statements in flight, again every 100 ms until the
/// run ends (the current cell is checked, its tables dropped, the partial
/// report written). The second drops this run's registered tables over fresh
/// connections and exits 128 + its signal at once.
void start_signal_thread() {
  sigset_t signals;
  sigemptyset(&signals);
  sigaddset(&signals, SIGINT);
  sigaddset(&signals, SIGTERM);
  pthread_sigmask(SIG_BLOCK, &signals, nullptr);
  std::thread([signals] {
    int signal = 0;
    if (sigwait(&signals, &signal) != 0) return;
    g_stop_signal = signal;
    request_stop();
    fmt::print(
        stderr,
        "\nclobber: stopping: finishing the current cell and cleaning up (again to abort)\n");
    while (true) {
      cancel_registered_sessions();
      const timespec wait{0, kCancelEveryNs};
      signal = sigtimedwait(&signals, nullptr, &wait);
      if (signal > 0) break;
    }
    fmt::print(stderr, "\nclobber: aborting: dropping this run's tables\n");
    for (const std::string& left : drop_registered_tables(kAbortLockWait))
      fmt::print(stderr, "clobber: left {} (the next run or `clobber clean` drops it)\n", left);
    std::fflush(stderr);
    _exit(128 + signal);
  }).detach();
}

/// Exit code of a finished run: failed expectations first, then cells that could
/// not run, then 128 + the signal when a signal cut the run short.
int run_exit_code(const RunResult& result) {
  const auto any_cell = [&result](auto predicate) {
    return std::any_of(result.cells.begin(), result.cells.end(), predicate);
  };
  if (!result.explore &&
      any_cell([](const CellResult& c) { return c.status == CellStatus::ran && !c.passed; }))
    return kExitExpectationFailed;
  if (any_cell([](const CellResult& c) { return c.status == CellStatus::error; }))
    return kExitDatabaseError;
  if (result.interrupted && g_stop_signal != 0) return 128 + g_stop_signal;
  return kExitPass;
}

/// Exit code for a scenario run: 1 when a cell did not have the outcome its
/// file's `expect:` demands (not with --explore), 3 when a cell could not run,
/// 128 + signal when this process was stopped, else 0.
int scenario_exit_code(const ScenarioRunResult& result) {
  if (!result.explore && !result.passed()) return kExitExpectationFailed;
  int exit_code = kExitPass;
  for (const ScenarioResult& scenario : result.scenarios)
    for (const ScenarioCell& cell : scenario.cells)
      if (cell.status == CellStatus::error) exit_code = kExitDatabaseError;
  if (result.interrupted && g_stop_signal != 0) exit_code = 128 + g_stop_signal;
  return exit_code;
}

/// The exit code once the reports are out: a report file that could not be
/// written turns a pass into exit 2 (its path was bad); other codes stand.
int with_reports(int exit_code, bool reports_written) {
  return exit_code == kExitPass && !reports_written ? kExitBadInput : exit_code;
}

/// `word` as a POSIX shell reads it back: as it is when it is plain, else in
/// single quotes.
std::string shell_word(const std::string& word) {
  const bool plain = !word.empty() && std::all_of(word.begin(), word.end(), [](char c) {
    return std::isalnum(static_cast<unsigned char>(c)) || std::strchr("_./:=,@%+-", c) != nullptr;
  });
  if (plain) return word;
  std::string quoted = "'";
  for (char c : word) quoted += c == '\'' ? std::string("'\\''") : std::string(1, c);
  return quoted + "'";
}

/// The command that replays a run: what was given that decides the cells and
/// their transactions, the seed the run used, and no report files. Database
/// URLs are masked: their passwords come from the environment on a replay.
std::string replay_command(const RunFlags& flags, const CLI::App& command,
                           const RunOptions& options, uint64_t seed) {
  std::vector<std::string> words{"clobber", "run", flags.workload};
  for (const DatabaseUrl& url : options.databases) {
    words.push_back("--db");
    words.push_back(url.masked);
  }
  const auto joined = [](const std::vector<std::string>& names) {
    std::string text;
    for (const std::string& name : names) text += (text.empty() ? "" : ",") + name;
    return text;
  };
  if (command.count("--isolation") > 0)
    words.insert(words.end(), {"--isolation", joined(flags.isolation)});
  if (command.count("--locking") > 0)
    words.insert(words.end(), {"--locking", joined(flags.locking)});
  if (command.count("--workers") > 0)
    words.insert(words.end(), {"--workers", std::to_string(flags.workers)});
  if (command.count("--duration") > 0) words.insert(words.end(), {"--duration", flags.duration});
  if (command.count("--transactions") > 0)
    words.insert(words.end(), {"--transactions", std::to_string(flags.transactions)});
  if (command.count("--reconnect-timeout") > 0)
    words.insert(words.end(), {"--reconnect-timeout", flags.reconnect_timeout});
  if (command.count("--chaos") > 0) words.insert(words.end(), {"--chaos", flags.chaos});
  for (const std::string& threshold : flags.fail_on)
    words.insert(words.end(), {"--fail-on", threshold});
  if (flags.explore) words.push_back("--explore");
  words.insert(words.end(), {"--seed", std::to_string(seed)});
  std::string text;
  for (const std::string& word : words) text += (text.empty() ? "" : " ") + shell_word(word);
  return text;
}

/// The databases of `run`, `scenario` and `clean`: the --db values, else the
/// entries of the CLOBBER_DB environment variable (drivers/url.h,
/// split_database_list), each checked here so that an error names CLOBBER_DB.
std::vector<std::string> database_arguments(const std::vector<std::string>& flags) {
  const char* list = std::getenv("CLOBBER_DB");
  if (!flags.empty() || list == nullptr) return flags;
  std::vector<std::string> entries = split_database_list(list);
  for (const std::string& entry : entries) {
    try {
      parse_database_url(entry);
    } catch (const InputError& error) {
      std::string message = error.message();
      if (message.starts_with("--db:")) message.replace(0, 4, "CLOBBER_DB");
      throw InputError(message);
    }
  }
  return entries;
}

int command_run(const RunFlags& flags, const CLI::App& command) {
  RunOptions options;
  for (const std::string& url : database_arguments(flags.databases))
    options.databases.push_back(parse_database_url(url));
  if (command.count("--isolation") > 0)
    options.isolation = parse_names<Isolation>(flags.isolation, kAllIsolations, parse_isolation,
                                               "--isolation", "isolation level");
  if (command.count("--locking") > 0)
    options.locking = parse_names<Locking>(flags.locking, kAllLockings, parse_locking, "--locking",
                                           "locking mode");
  if (command.count("--workers") > 0) options.workers = flags.workers;
  if (command.count("--duration") > 0) {
    options.duration = parse_duration(flags.duration, SourceLocation{"--duration", 0, 0});
    if (options.duration->count() <= 0) throw InputError("--duration: must be more than 0");
  }
  if (command.count("--transactions") > 0) options.transactions = flags.transactions;
  if (command.count("--seed") > 0) options.seed = flags.seed;
  if (command.count("--reconnect-timeout") > 0)
    options.reconnect_timeout =
        parse_duration(flags.reconnect_timeout, SourceLocation{"--reconnect-timeout", 0, 0});
  if (command.count("--chaos") > 0) {
    options.chaos_kill_rate = parse_chaos(flags.chaos);
    const bool embedded = options.databases.empty() ||
                          std::any_of(options.databases.begin(), options.databases.end(),
                                      [](const DatabaseUrl& url) { return is_embedded(url); });
    if (embedded)
      throw InputError(
          "--chaos: SQLite is embedded and has no sessions to kill; chaos needs every --db to be "
          "a PostgreSQL or MySQL/MariaDB URL");
  }
  options.explore = flags.explore;
  // Progress on stderr: a status line redrawn on a terminal (every second
  // unless --progress says), else a plain line every --progress (10 s).
  const bool terminal = isatty(STDERR_FILENO) != 0;
  auto progress = std::make_shared<ProgressLine>(terminal, terminal_columns(STDERR_FILENO));
  options.progress_interval = std::chrono::milliseconds(terminal ? 1000 : 10000);
  if (command.count("--progress") > 0) {
    const auto interval = parse_duration(flags.progress, SourceLocation{"--progress", 0, 0});
    if (interval < std::chrono::milliseconds(100)) throw InputError("--progress: at least 100ms");
    options.progress_interval = std::chrono::duration_cast<std::chrono::milliseconds>(interval);
  }
  if (!flags.quiet) {
    options.on_progress = [progress](const CellProgress& snapshot) {
      progress->snapshot(snapshot);
    };
    options.on_cell = [progress](const CellResult& cell) { progress->finished(cell); };
  }

  Workload workload = load_workload_file(flags.workload);
  if (!flags.fail_on.empty()) {
    ExpectRule thresholds;  // every cell
    thresholds.where = SourceLocation{"--fail-on", 0, 0};
    for (const std::string& text : flags.fail_on) thresholds.bounds.push_back(parse_fail_on(text));
    workload.expect.push_back(std::move(thresholds));
  }
  check_report_paths(flags.output.files);
  start_signal_thread();
  RunResult result = run_workload(workload, options);
  result.replay_command = replay_command(flags, command, options, result.seed);
  const int exit_code = run_exit_code(result);
  return with_reports(exit_code, emit_reports(Results(std::move(result)), flags.output));
}

/// Everything `scenario` takes on the command line, as given.
struct ScenarioFlags {
  std::vector<std::string> paths;
  std::vector<std::string> databases;
  std::vector<std::string> isolation;
  bool traces = false;
  bool explore = false;
  OutputFlags output;
};

/// One progress line on stderr per finished scenario cell.
void print_scenario_progress(const ScenarioResult& scenario, const ScenarioCell& cell) {
  const DatabaseInfo& db = cell.database;
  fmt::print(stderr, "clobber: {} {} {}: {}\n", scenario.name,
             db.url.empty() ? std::string(to_string(db.kind)) : db.url, to_string(cell.isolation),
             cell.how);
}

int command_scenario(const ScenarioFlags& flags, const CLI::App& command) {
  ScenarioOptions options;
  for (const std::string& url : database_arguments(flags.databases))
    options.databases.push_back(parse_database_url(url));
  if (command.count("--isolation") > 0)
    options.isolation = parse_names<Isolation>(flags.isolation, kAllIsolations, parse_isolation,
                                               "--isolation", "isolation level");
  std::vector<Scenario> scenarios;
  for (const std::string& file : scenario_files(flags.paths))
    scenarios.push_back(load_scenario_file(file));
  options.on_cell = print_scenario_progress;
  check_report_paths(flags.output.files);

  start_signal_thread();
  ScenarioRunResult result = run_scenarios(scenarios, options);
  result.explore = flags.explore;
  const int exit_code = scenario_exit_code(result);
  const bool traces = flags.traces || scenarios.size() == 1;
  return with_reports(exit_code, emit_reports(Results(std::move(result)), flags.output, traces));
}

/// True when a YAML file has a top-level `steps:` key: a scenario, not a workload.
bool is_scenario_file(const std::string& path) {
  std::ifstream in(path);
  std::string line;
  while (std::getline(in, line))
    if (line.starts_with("steps:")) return true;
  return false;
}

/// Everything `clean` takes on the command line.
struct CleanFlags {
  std::vector<std::string> databases;
  bool dry_run = false;
};

/// Drops the tables that dead clobber runs left on each database (only tables
/// in the registry whose run's lock is free) and prints one line per table.
int command_clean(const CleanFlags& flags) {
  const std::vector<std::string> databases = database_arguments(flags.databases);
  if (databases.empty()) throw InputError("clean: --db is required (or CLOBBER_DB)");
  for (const std::string& text : databases) {
    const DatabaseUrl url = parse_database_url(text);
    if (is_embedded(url) && access(url.database.c_str(), F_OK) != 0)
      throw InputError("--db " + url.masked + ": no such SQLite database file");
    std::unique_ptr<Driver> driver = make_driver(url);
    std::unique_ptr<Session> session = driver->connect();
    session->limit_lock_waits(std::chrono::seconds(2));
    const CleanReport report = clean_dead_runs(*session, flags.dry_run);
    const char* verb = flags.dry_run ? "would drop" : "dropped";
    for (const RegisteredTable& entry : report.dropped)
      fmt::print("{}: {} {} (run {}, host {}, pid {}, created {})\n", url.masked, verb, entry.table,
                 entry.owner.run_id, entry.owner.host, entry.owner.pid, entry.created_at);
    for (const RegisteredTable& entry : report.forgotten)
      fmt::print("{}: {} the registry row of {} (run {}: the table no longer exists)\n", url.masked,
                 flags.dry_run ? "would forget" : "forgot", entry.table, entry.owner.run_id);
    fmt::print("{}: {} {} table{} of dead runs; left {} of live runs alone\n", url.masked, verb,
               report.dropped.size(), report.dropped.size() == 1 ? "" : "s", report.live_tables);
    for (const std::string& failure : report.failed)
      fmt::print(stderr, "clobber: {}: could not clean {}\n", url.masked, failure);
    if (!report.failed.empty()) return kExitDatabaseError;
  }
  std::fflush(stdout);
  return kExitPass;
}

int command_validate(const std::vector<std::string>& files) {
  int exit_code = kExitPass;
  for (const std::string& file : files) {
    try {
      if (is_scenario_file(file)) {
        const Scenario scenario = load_scenario_file(file);
        fmt::print("{}: ok (scenario, {} sessions, {} steps)\n", file, scenario.sessions.size(),
                   scenario.steps.size());
        continue;
      }
      const Workload workload = load_workload_file(file);
      const size_t tables = workload.tables.size();
      const size_t types = workload.transactions.size();
      fmt::print("{}: ok ({} table{}, {} transaction type{})\n", file, tables,
                 tables == 1 ? "" : "s", types, types == 1 ? "" : "s");
    } catch (const InputError& e) {
      fmt::print(stderr, "clobber: {}\n", e.what());
      exit_code = kExitBadInput;
    }
  }
  std::fflush(stdout);
  return exit_code;
}

int command_report(const std::string& results_file, const OutputFlags& flags) {
  const Results results = read_json_result(results_file);
  const bool traces = std::holds_alternative<ScenarioRunResult>(results) &&
                      std::get<ScenarioRunResult>(results).scenarios.size() == 1;
  // The saved verdict gates as the run did: 1 for a failed expectation, 3 for
  // a cell that could not run.
  const int exit_code = std::visit(
      [](const auto& result) {
        if constexpr (std::is_same_v<std::decay_t<decltype(result)>, RunResult>)
          return run_exit_code(result);
        else
          return scenario_exit_code(result);
      },
      results);
  return with_reports(exit_code, emit_reports(results, flags, traces));
}

int run_cli(int argc, char** argv) {
  CLI::App app{"clobber: a concurrency test harness and race detector for database-backed code",
               "clobber"};
  app.set_version_flag("--version", "clobber " CLOBBER_VERSION);
  app.formatter(std::make_shared<WrappingFormatter>(
      std::min<size_t>(120, isatty(STDOUT_FILENO) ? terminal_columns(STDOUT_FILENO) : 120)));
  app.require_subcommand(1);
  app.footer(kExitCodesHelp);

  RunFlags run_flags;
  CLI::App& run = *app.add_subcommand(
      "run", "Run a workload over every (database, isolation, locking) cell and check it");
  run.add_option("workload", run_flags.workload, "Workload file (YAML)")->required();
  run.add_option("--db", run_flags.databases,
                 "Database URL: postgresql://user:pass@host:port/db, mysql://..., mariadb://..., "
                 "sqlite:PATH, host=H dbname=D ...; repeatable (default: CLOBBER_DB, else a "
                 "temporary SQLite database)")
      ->allow_extra_args(false);
  run.add_option("--isolation", run_flags.isolation,
                 "Isolation levels, comma separated, or all: none, read_uncommitted, "
                 "read_committed, repeatable_read, serializable (default: the workload's "
                 "matrix.isolation, else all)")
      ->delimiter(',')
      ->allow_extra_args(false);
  run.add_option("--locking", run_flags.locking,
                 "Locking modes, comma separated, or all: none, for_update, for_share, optimistic, "
                 "compare_and_set, atomic, advisory, single_writer (default: the workload's "
                 "matrix.locking, else all)")
      ->delimiter(',')
      ->allow_extra_args(false);
  run.add_option("-c,--workers", run_flags.workers,
                 "Concurrent workers (sessions) per cell, at most " + std::to_string(kMaxWorkers) +
                     " (default: the workload's run.workers, else 8; -c as in pgbench)")
      ->check(whole_number(1, kMaxWorkers));
  CLI::Option* duration =
      run.add_option("-T,--duration", run_flags.duration,
                     "How long each cell runs: 10s, 500ms, 2m (default: the workload's "
                     "run.duration or run.transactions, else 5s; -T as in pgbench)");
  CLI::Option* transactions =
      run.add_option("--transactions", run_flags.transactions,
                     "Transactions per cell, across workers (instead of --duration), at most " +
                         std::to_string(kMaxTransactions))
          ->check(whole_number<int64_t>(1, kMaxTransactions));
  duration->excludes(transactions);
  run.add_option("--seed", run_flags.seed,
                 "Random seed; the same seed replays the same run (default: the workload's "
                 "run.seed, else random, printed)")
      ->check(whole_number<uint64_t>(0));
  run.add_flag("--explore", run_flags.explore, "Report verdicts without failing the exit code");
  run.add_option("--reconnect-timeout", run_flags.reconnect_timeout,
                 "How long a lost connection keeps reconnecting (backoff with jitter) before its "
                 "cell ends as an error: 30s (default), 2m, 0s for one try");
  run.add_option("--chaos", run_flags.chaos,
                 "Fault injection: kill=RATE kills random worker sessions, RATE per second, "
                 "from the admin connection (PostgreSQL, MySQL/MariaDB)");
  run.add_option("--fail-on", run_flags.fail_on,
                 "Fail a cell (exit 1) when a metric crosses a threshold: METRIC>N or METRIC<N, "
                 "e.g. 'lost_updates>0', 'abort_rate>20%', 'latency_ms.p99>50'; repeatable; "
                 "replaces the default for its metric, as an expect: rule does")
      ->allow_extra_args(false);
  run.add_option("--progress", run_flags.progress,
                 "How often progress is shown while a cell runs: a status line redrawn on a "
                 "terminal (default 1s), else a line on stderr (default 10s)");
  run.add_flag("-q,--quiet", run_flags.quiet, "No progress lines on stderr");
  add_output_flags(run, run_flags.output);
  run.footer(kExitCodesHelp);

  std::vector<std::string> validate_files;
  CLI::App& validate =
      *app.add_subcommand("validate", "Check workload and scenario files without running them");
  validate.add_option("files", validate_files, "Workload or scenario files (YAML)")->required();
  validate.footer(kExitCodesHelp);

  std::string results_file;
  OutputFlags report_flags;
  CLI::App& report = *app.add_subcommand(
      "report", "Re-render a saved JSON result; exits with its verdict, as the run did");
  report
      .add_option("results", results_file,
                  "JSON result file written by run --json or scenario --json")
      ->required();
  add_output_flags(report, report_flags);
  report.footer(kExitCodesHelp);

  ScenarioFlags scenario_flags;
  CLI::App& scenario = *app.add_subcommand(
      "scenario",
      "Replay deterministic interleavings on every (database, isolation level) and show which "
      "levels prevent each anomaly (exit 1 when a cell misses its file's expect: outcome)");
  scenario
      .add_option("scenarios", scenario_flags.paths, "Scenario files (YAML) or folders of them")
      ->required();
  scenario
      .add_option("--db", scenario_flags.databases,
                  "Database URL: postgresql://user:pass@host:port/db, mysql://..., mariadb://..., "
                  "sqlite:PATH, host=H dbname=D ...; repeatable (default: CLOBBER_DB, else a "
                  "temporary SQLite database)")
      ->allow_extra_args(false);
  scenario
      .add_option("--isolation", scenario_flags.isolation,
                  "Isolation levels, comma separated, or all (the default): none, "
                  "read_uncommitted, read_committed, repeatable_read, serializable")
      ->delimiter(',')
      ->allow_extra_args(false);
  scenario.add_flag("--traces", scenario_flags.traces,
                    "Print every cell's trace (the default with one scenario file)");
  scenario.add_flag("--explore", scenario_flags.explore,
                    "Report the files' expect: outcomes without failing the exit code");
  add_output_flags(scenario, scenario_flags.output);
  scenario.footer(kExitCodesHelp);

  CleanFlags clean_flags;
  CLI::App& clean = *app.add_subcommand(
      "clean",
      "Drop the tables that killed clobber runs left behind: only tables in the database's "
      "clobber_registry whose run is no longer alive (exit 0 when all could be dropped)");
  clean
      .add_option("--db", clean_flags.databases,
                  "Database URL: postgresql://..., mysql://..., mariadb://..., sqlite:PATH, "
                  "host=H dbname=D ...; repeatable (default: CLOBBER_DB)")
      ->allow_extra_args(false);
  clean.add_flag("--dry-run", clean_flags.dry_run, "Print what would be dropped; change nothing");
  clean.footer(kExitCodesHelp);

  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    if (e.get_exit_code() == static_cast<int>(CLI::ExitCodes::Success)) return app.exit(e);
    fmt::print(stderr, "clobber: {}\nRun 'clobber --help' or 'clobber COMMAND --help' for usage.\n",
               scrub_command_line_secrets(e.what(), argc, argv));
    return kExitBadInput;
  }

  if (run) return command_run(run_flags, run);
  if (clean) return command_clean(clean_flags);
  if (validate) return command_validate(validate_files);
  if (scenario) return command_scenario(scenario_flags, scenario);
  return command_report(results_file, report_flags);
}

}  // namespace

int main(int argc, char** argv) {
  try {
    return run_cli(argc, argv);
  } catch (const InputError& e) {
    fmt::print(stderr, "clobber: {}\n", scrub_command_line_secrets(e.what(), argc, argv));
    return kExitBadInput;
  } catch (const DatabaseError& e) {
    fmt::print(stderr, "clobber: {}\n", scrub_command_line_secrets(e.what(), argc, argv));
    return kExitDatabaseError;
  } catch (const std::bad_alloc&) {
    fmt::print(stderr, "clobber: out of memory\n");
    return kExitDatabaseError;
  } catch (const std::system_error& e) {
    fmt::print(stderr, "clobber: the operating system refused: {}\n", e.what());
    return kExitDatabaseError;
  } catch (const std::exception& e) {
    fmt::print(stderr, "clobber: internal error: {}\n",
               scrub_command_line_secrets(e.what(), argc, argv));
    return kExitInternalError;
  }
}
