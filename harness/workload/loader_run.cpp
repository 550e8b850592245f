// The `run:` and `matrix:` sections of a workload (harness/workload/loader_parts.h).
#include "harness/workload/loader_parts.h"

namespace clobber::loader {
namespace {

constexpr std::string_view kRunKeys[] = {"workers", "duration", "transactions", "seed", "retry"};
constexpr std::string_view kRetryKeys[] = {"on", "max_tries", "backoff", "max_backoff"};
constexpr std::string_view kRetryableCauses[] = {"serialization", "deadlock", "lock_timeout",
                                                 "conflict"};
constexpr std::string_view kMatrixKeys[] = {"isolation", "locking"};

}  // namespace

void Loader::load_run(const Ref& ref, RunSettings& run) const {
  MapView def = map(ref, "run", kRunKeys);
  if (const Entry* workers = def.find("workers")) {
    int64_t value = integer_at_least(workers->value, "workers", 1);
    if (value > kMaxWorkers)
      fail(workers->value.at, "workers must be at most " + std::to_string(kMaxWorkers));
    run.workers = static_cast<int>(value);
  }
  const Entry* duration = def.find("duration");
  const Entry* transactions = def.find("transactions");
  if (duration && transactions) {
    const Entry* later = duration->key_at.line > transactions->key_at.line ||
                                 (duration->key_at.line == transactions->key_at.line &&
                                  duration->key_at.column > transactions->key_at.column)
                             ? duration
                             : transactions;
    fail(later->key_at, "run takes either duration or transactions, not both");
  }
  if (duration) {
    run.duration = this->duration(duration->value, "duration");
    if (run.duration->count() <= 0) fail(duration->value.at, "duration must be positive");
  }
  if (transactions) {
    run.transactions = integer_at_least(transactions->value, "transactions", 1);
    if (*run.transactions > kMaxTransactions)
      fail(transactions->value.at,
           "transactions must be at most " + std::to_string(kMaxTransactions));
  }
  if (const Entry* seed = def.find("seed")) {
    std::optional<uint64_t> value;
    if (plain_scalar(seed->value)) value = parse_uint64(seed->value.node.Scalar());
    if (!value) {
      fail(seed->value.at,
           "seed must be an integer in [0, 2^64), found " + found(seed->value.node));
    }
    run.seed = *value;
  }
  if (const Entry* retry = def.find("retry")) load_retry(retry->value, run.retry);
}

void Loader::load_retry(const Ref& ref, RetryPolicy& retry) const {
  MapView def = map(ref, "retry", kRetryKeys);
  if (const Entry* on = def.find("on")) {
    retry.retry_on.clear();
    for (const Ref& item : list(on->value, "retry on")) {
      std::string name = text(item, "a retried cause");
      std::optional<AbortCause> cause = parse_abort_cause(name);
      if (!cause || !contains(kRetryableCauses, name)) {
        fail(item.at, "cannot retry on '" + name + "' (retryable: " + join(kRetryableCauses) + ")");
      }
      if (retry.retries(*cause)) fail(item.at, "'" + name + "' is listed twice");
      retry.retry_on.push_back(*cause);
    }
  }
  if (const Entry* tries = def.find("max_tries")) {
    int64_t value = integer_at_least(tries->value, "max_tries", 1);
    if (value > 1000000) fail(tries->value.at, "max_tries must be at most 1000000");
    retry.max_tries = static_cast<int>(value);
  }
  if (const Entry* backoff = def.find("backoff")) {
    retry.backoff_base = duration(backoff->value, "backoff");
  }
  if (const Entry* max_backoff = def.find("max_backoff")) {
    retry.backoff_max = duration(max_backoff->value, "max_backoff");
    if (retry.backoff_max < retry.backoff_base) {
      fail(max_backoff->value.at, "max_backoff must not be less than backoff");
    }
  } else if (retry.backoff_max < retry.backoff_base) {
    retry.backoff_max = retry.backoff_base;
  }
}

void Loader::load_matrix(const Ref& ref, Matrix& matrix) const {
  MapView def = map(ref, "matrix", kMatrixKeys);
  if (const Entry* isolation = def.find("isolation")) {
    matrix.isolation = names<Isolation>(isolation->value, "isolation level", true,
                                        join(isolation_names()), parse_isolation);
  }
  if (const Entry* locking = def.find("locking")) {
    matrix.locking =
        names<Locking>(locking->value, "locking mode", true, join(locking_names()), parse_locking);
  }
}

}  // namespace clobber::loader
