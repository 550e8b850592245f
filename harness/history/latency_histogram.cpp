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

uint64_t LatencyHistogram::bucket_low(int bucket) {
  if (bucket < kLinear) return static_cast<uint64_t>(bucket);
  const int exponent = (bucket - kLinear) / (1 << kSubBits) + kSubBits + 1;
  const int sub = (bucket - kLinear) % (1 << kSubBits);
  const int shift = exponent - kSubBits;
  return (static_cast<uint64_t>(sub) + (1u << kSubBits)) << shift;
}

double LatencyHistogram::bucket_midpoint(int bucket) {
  if (bucket < kLinear) return bucket;
  const int exponent = (bucket - kLinear) / (1 << kSubBits) + kSubBits + 1;
  const int shift = exponent - kSubBits;
  return static_cast<double>(bucket_low(bucket)) + static_cast<double>(uint64_t{1} << shift) / 2.0;
}

std::vector<LatencyHistogram::Bucket> LatencyHistogram::coarse_buckets() const {
  std::vector<Bucket> buckets;
  for (int i = 0; i < kBuckets; ++i) {
    if (counts_[i] == 0) continue;
    // A fine bucket is never wider than the coarse one holding its low end
    // (fine buckets are 1/64 of a doubling, coarse ones 1/4), so it fits whole.
    const uint64_t low = bucket_low(i);
    uint64_t below = low + 1;
    if (low >= 8) {
      const uint64_t step = uint64_t{1} << (63 - std::countl_zero(low) - 2);
      below = (low / step + 1) * step;
    }
    if (buckets.empty() || buckets.back().below_micros != below)
      buckets.push_back(Bucket{below, 0});
    buckets.back().count += counts_[i];
  }
  return buckets;
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
