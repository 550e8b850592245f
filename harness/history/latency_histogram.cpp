#include "harness/history/latency_histogram.h"

#include <algorithm>
#include <bit>

namespace clobber {

int LatencyHistogram::bucket_of(uint64_t micros) {
  if (micros < static_cast<uint64_t>(kLinear)) return static_cast<int>(micros);
  const int exponent = std::min(63 - std::countl_zero(micros), kMaxExponent);
  const int shift = exponent - kSubBits;
  const uint64_t sub =
      std::min<uint64_t>((micros >> shift) - (1u << kSubBits), (1u << kSubBits) - 1);
  return kLinear + (exponent - kSubBits - 1) * (1 << kSubBits) + static_cast<int>(sub);
}

double LatencyHistogram::bucket_midpoint(int bucket) {
  if (bucket < kLinear) return bucket;
  const int exponent = (bucket - kLinear) / (1 << kSubBits) + kSubBits + 1;
  const int sub = (bucket - kLinear) % (1 << kSubBits);
  const int shift = exponent - kSubBits;
  const double low = static_cast<double>((static_cast<uint64_t>(sub) + (1u << kSubBits)) << shift);
  return low + static_cast<double>(uint64_t{1} << shift) / 2.0;
}

void LatencyHistogram::record(uint64_t micros) {
  ++counts_[bucket_of(micros)];
  ++count_;
  max_ = std::max(max_, micros);
}

void LatencyHistogram::merge(const LatencyHistogram& other) {
  for (int i = 0; i < kBuckets; ++i) counts_[i] += other.counts_[i];
  count_ += other.count_;
  max_ = std::max(max_, other.max_);
}

double LatencyHistogram::quantile(double q) const {
  if (count_ == 0) return 0;
  const uint64_t rank =
      std::max<uint64_t>(1, static_cast<uint64_t>(q * static_cast<double>(count_) + 0.5));
  uint64_t seen = 0;
  for (int i = 0; i < kBuckets; ++i) {
    seen += counts_[i];
    if (seen >= rank) return std::min(bucket_midpoint(i), static_cast<double>(max_));
  }
  return static_cast<double>(max_);
}

}  // namespace clobber
