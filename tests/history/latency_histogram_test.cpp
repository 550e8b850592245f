// The coarse latency histogram reports draw and export: every value lands in
// the bucket an exact count puts it in, and nothing is lost or invented.
#include "harness/history/latency_histogram.h"

#include <gtest/gtest.h>

#include <cstdint>
#include <map>
#include <random>
#include <vector>

namespace clobber {
namespace {

/// The coarse bucket bound an exact count gives `micros`: one per
/// microsecond below 8, then four per doubling.
uint64_t exact_bound(uint64_t micros) {
  if (micros < 8) return micros + 1;
  uint64_t step = 2;
  while (step * 8 <= micros) step *= 2;
  return (micros / step + 1) * step;
}

TEST(LatencyHistogram, CoarseBucketsAreTheExactCounts) {
  std::mt19937_64 random(42);
  std::vector<uint64_t> values{0, 1, 7, 8, 9, 10, 11, 127, 128, 129, 159, 160, 1000, 123456789};
  for (int i = 0; i < 20000; ++i) values.push_back(random() % (uint64_t{1} << (random() % 34)));
  LatencyHistogram histogram;
  std::map<uint64_t, uint64_t> exact;
  for (uint64_t value : values) {
    histogram.record(value);
    ++exact[exact_bound(value)];
  }
  const std::vector<LatencyHistogram::Bucket> buckets = histogram.coarse_buckets();
  ASSERT_EQ(buckets.size(), exact.size());
  size_t i = 0;
  for (const auto& [bound, count] : exact) {
    EXPECT_EQ(buckets[i].below_micros, bound) << i;
    EXPECT_EQ(buckets[i].count, count) << "below " << bound;
    ++i;
  }
}

TEST(LatencyHistogram, BoundsAreOnePerMicrosecondThenFourPerDoubling) {
  LatencyHistogram histogram;
  for (uint64_t value : {3, 8, 10, 12, 14, 16, 20, 1023, 1024}) histogram.record(value);
  std::vector<uint64_t> bounds;
  for (const auto& bucket : histogram.coarse_buckets()) bounds.push_back(bucket.below_micros);
  EXPECT_EQ(bounds, (std::vector<uint64_t>{4, 10, 12, 14, 16, 20, 24, 1024, 1280}));
}

TEST(LatencyHistogram, EmptyHasNoBuckets) {
  EXPECT_TRUE(LatencyHistogram().coarse_buckets().empty());
}

}  // namespace
}  // namespace clobber
