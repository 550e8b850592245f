// Seeded random numbers and parameter generators. Each worker owns one Rng,
// derived from the run seed, so a seed replays the same parameter streams.
#pragma once

#include <cstdint>
#include <vector>

#include "harness/workload/workload.h"

namespace clobber {

/// splitmix64 step: mixes `x` into a well-distributed 64-bit value.
uint64_t mix_seed(uint64_t x);

/// xoshiro256** generator: small, fast, seeded deterministically.
class Rng {
 public:
  /// Seeds the state from one 64-bit seed via splitmix64.
  explicit Rng(uint64_t seed);
  /// Next raw 64-bit value.
  uint64_t next();
  /// Uniform integer in [low, high], inclusive, without modulo bias.
  int64_t uniform(int64_t low, int64_t high);
  /// Uniform double in [0, 1).
  double unit();

 private:
  uint64_t state_[4];
};

/// A parameter generator ready to draw: precomputed tables (zipf CDF) included.
/// Immutable after construction, so workers may share one.
class PreparedGenerator {
 public:
  /// Precomputes what `generator` needs (zipf: the CDF over its range).
  explicit PreparedGenerator(const ParamGenerator& generator);
  /// Draws one value.
  int64_t draw(Rng& rng) const;

 private:
  ParamGenerator generator_;
  std::vector<double> zipf_cdf_;  // cumulative probabilities of ranks 1..n
};

}  // namespace clobber
