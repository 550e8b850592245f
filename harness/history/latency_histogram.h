// A fixed-size log-linear latency histogram (about 1.5 % precision), cheap to
// record into on the hot path and to merge after the run.
#pragma once

#include <array>
#include <cstdint>

namespace clobber {

/// Histogram of durations in microseconds, from 0 to about 2^40 us.
class LatencyHistogram {
 public:
  /// Records one duration.
  void record(uint64_t micros);
  /// Adds another histogram's counts.
  void merge(const LatencyHistogram& other);
  /// The value at quantile q in [0, 1], in microseconds (0 when empty).
  double quantile(double q) const;
  /// Largest recorded value, exact.
  uint64_t max() const { return max_; }
  /// Number of recorded values.
  uint64_t count() const { return count_; }

 private:
  static constexpr int kSubBits = 6;
  static constexpr int kLinear = 2 << kSubBits;  // values below are exact
  static constexpr int kMaxExponent = 40;
  static constexpr int kBuckets = kLinear + (kMaxExponent - kSubBits) * (1 << kSubBits);
  static int bucket_of(uint64_t micros);
  static double bucket_midpoint(int bucket);

  std::array<uint64_t, kBuckets> counts_{};
  uint64_t count_ = 0;
  uint64_t max_ = 0;
};

}  // namespace clobber
