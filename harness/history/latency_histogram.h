// A fixed-size log-linear latency histogram (about 1.5 % precision), cheap to
// record into on the hot path and to merge after the run.
#pragma once

#include <array>
#include <cstdint>
#include <vector>

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

  /// One bucket of the coarse view reports draw and export.
  struct Bucket {
    uint64_t below_micros =
        0;  // every value counted is under this and at least the bucket before's
    uint64_t count = 0;
  };
  /// The non-empty buckets of a coarse view: one per microsecond below 8 us,
  /// then four per doubling (8, 10, 12, 14, 16, 20, ...); each value lands in
  /// exactly the bucket it would in an exact count.
  std::vector<Bucket> coarse_buckets() const;

 private:
  static constexpr int kSubBits = 6;
  static constexpr int kLinear = 2 << kSubBits;  // values below are exact
  static constexpr int kMaxExponent = 40;
  static constexpr int kBuckets = kLinear + (kMaxExponent - kSubBits) * (1 << kSubBits);
  static int bucket_of(uint64_t micros);
  static double bucket_midpoint(int bucket);
  static uint64_t bucket_low(int bucket);

  std::array<uint64_t, kBuckets> counts_{};
  uint64_t count_ = 0;
  uint64_t max_ = 0;
};

}  // namespace clobber
