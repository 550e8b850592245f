#include "harness/workload/generators.h"

#include <gtest/gtest.h>

#include <limits>
#include <map>
#include <stdexcept>
#include <vector>

// Every statistical check here uses a fixed seed, so its outcome never varies.
namespace clobber {
namespace {

ParamGenerator make(ParamGenerator::Kind kind, int64_t low, int64_t high) {
  ParamGenerator generator;
  generator.kind = kind;
  generator.low = low;
  generator.high = high;
  return generator;
}

TEST(Rng, SplitMixAndXoshiroReferenceValues) {
  // splitmix64's first output for state 0, and xoshiro256** seeded from 42 by it.
  EXPECT_EQ(mix_seed(0), 0xe220a8397b1dcdafULL);
  Rng rng(42);
  EXPECT_EQ(rng.next(), 0x15780b2e0c2ec716ULL);
  EXPECT_EQ(rng.next(), 0x6104d9866d113a7eULL);
  EXPECT_EQ(rng.next(), 0xae17533239e499a1ULL);
}

TEST(Rng, SameSeedSameStream) {
  Rng a(7);
  Rng b(7);
  Rng c(8);
  bool differs = false;
  for (int i = 0; i < 1000; ++i) {
    uint64_t x = a.next();
    EXPECT_EQ(x, b.next());
    differs |= x != c.next();
  }
  EXPECT_TRUE(differs);
}

TEST(Rng, UniformStaysInRangeAndHitsEveryValue) {
  Rng rng(1);
  std::map<int64_t, int> counts;
  for (int i = 0; i < 10000; ++i) {
    int64_t value = rng.uniform(-3, 3);
    ASSERT_GE(value, -3);
    ASSERT_LE(value, 3);
    ++counts[value];
  }
  EXPECT_EQ(counts.size(), 7u);
  EXPECT_EQ(rng.uniform(5, 5), 5);
}

TEST(Rng, UniformAtTheLimits) {
  constexpr int64_t kMin = std::numeric_limits<int64_t>::min();
  constexpr int64_t kMax = std::numeric_limits<int64_t>::max();
  Rng rng(3);
  bool negative = false;
  bool positive = false;
  for (int i = 0; i < 100; ++i) {
    int64_t value = rng.uniform(kMin, kMax);
    negative |= value < 0;
    positive |= value > 0;
    int64_t top = rng.uniform(kMax - 1, kMax);
    EXPECT_GE(top, kMax - 1);
    int64_t bottom = rng.uniform(kMin, kMin + 1);
    EXPECT_LE(bottom, kMin + 1);
  }
  EXPECT_TRUE(negative);
  EXPECT_TRUE(positive);
}

TEST(Rng, UniformIsFlat) {
  Rng rng(2024);
  std::vector<int> counts(6);
  for (int i = 0; i < 60000; ++i) ++counts[static_cast<size_t>(rng.uniform(0, 5))];
  for (int count : counts) {
    EXPECT_GT(count, 9500);
    EXPECT_LT(count, 10500);
  }
}

TEST(Rng, UnitIsInZeroOne) {
  Rng rng(5);
  double sum = 0;
  for (int i = 0; i < 10000; ++i) {
    double u = rng.unit();
    ASSERT_GE(u, 0.0);
    ASSERT_LT(u, 1.0);
    sum += u;
  }
  EXPECT_NEAR(sum / 10000, 0.5, 0.02);
}

TEST(PreparedGenerator, Constant) {
  PreparedGenerator generator(make(ParamGenerator::Kind::constant, 42, 42));
  Rng rng(1);
  for (int i = 0; i < 10; ++i) EXPECT_EQ(generator.draw(rng), 42);
}

TEST(PreparedGenerator, UniformIsInclusive) {
  PreparedGenerator generator(make(ParamGenerator::Kind::uniform, 1, 50));
  Rng rng(9);
  int64_t low = 100;
  int64_t high = 0;
  for (int i = 0; i < 5000; ++i) {
    int64_t value = generator.draw(rng);
    low = std::min(low, value);
    high = std::max(high, value);
  }
  EXPECT_EQ(low, 1);
  EXPECT_EQ(high, 50);
}

TEST(PreparedGenerator, ChoicePicksOnlyListedValuesEvenly) {
  ParamGenerator config = make(ParamGenerator::Kind::choice, 0, 0);
  config.choices = {2, 3, 10};
  PreparedGenerator generator(config);
  Rng rng(11);
  std::map<int64_t, int> counts;
  for (int i = 0; i < 30000; ++i) ++counts[generator.draw(rng)];
  ASSERT_EQ(counts.size(), 3u);
  for (int64_t value : config.choices) {
    EXPECT_GT(counts[value], 9500);
    EXPECT_LT(counts[value], 10500);
  }
}

TEST(PreparedGenerator, ZipfFavoursLowRanks) {
  ParamGenerator config = make(ParamGenerator::Kind::zipf, 1, 100);
  config.zipf_exponent = 1.0;
  PreparedGenerator generator(config);
  Rng rng(12345);
  std::vector<int> counts(101);
  constexpr int kDraws = 100000;
  for (int i = 0; i < kDraws; ++i) {
    int64_t value = generator.draw(rng);
    ASSERT_GE(value, 1);
    ASSERT_LE(value, 100);
    ++counts[static_cast<size_t>(value)];
  }
  // P(1) = 1 / H(100) = 0.193; P(k) = P(1) / k.
  EXPECT_NEAR(counts[1] / double(kDraws), 0.193, 0.01);
  EXPECT_NEAR(counts[1] / double(counts[2]), 2.0, 0.15);
  EXPECT_NEAR(counts[1] / double(counts[10]), 10.0, 1.5);
  EXPECT_GT(counts[100], 0);
}

TEST(PreparedGenerator, ZipfExponentSharpens) {
  ParamGenerator config = make(ParamGenerator::Kind::zipf, 1000, 1999);
  config.zipf_exponent = 2.0;
  PreparedGenerator generator(config);
  Rng rng(77);
  int first = 0;
  for (int i = 0; i < 10000; ++i) {
    int64_t value = generator.draw(rng);
    ASSERT_GE(value, 1000);
    ASSERT_LE(value, 1999);
    first += value == 1000;
  }
  // P(rank 1) = 1 / zeta(2) truncated = 0.608.
  EXPECT_NEAR(first / 10000.0, 0.608, 0.02);
}

TEST(PreparedGenerator, HotSet) {
  ParamGenerator config = make(ParamGenerator::Kind::hot_set, 1, 1000);
  config.hot_fraction = 0.01;
  config.hot_probability = 0.9;
  PreparedGenerator generator(config);
  Rng rng(31);
  int hot = 0;
  std::map<int64_t, int> hot_keys;
  constexpr int kDraws = 50000;
  for (int i = 0; i < kDraws; ++i) {
    int64_t value = generator.draw(rng);
    ASSERT_GE(value, 1);
    ASSERT_LE(value, 1000);
    if (value <= 10) {
      ++hot;
      ++hot_keys[value];
    }
  }
  EXPECT_NEAR(hot / double(kDraws), 0.9, 0.01);
  EXPECT_EQ(hot_keys.size(), 10u);
}

TEST(PreparedGenerator, HotSetKeepsAtLeastOneHotKey) {
  ParamGenerator config = make(ParamGenerator::Kind::hot_set, 5, 9);
  config.hot_fraction = 0.001;
  config.hot_probability = 1.0;
  PreparedGenerator generator(config);
  Rng rng(4);
  for (int i = 0; i < 100; ++i) EXPECT_EQ(generator.draw(rng), 5);
}

TEST(PreparedGenerator, SameSeedSameDraws) {
  ParamGenerator config = make(ParamGenerator::Kind::zipf, 1, 50);
  PreparedGenerator generator(config);
  Rng a(99);
  Rng b(99);
  for (int i = 0; i < 1000; ++i) EXPECT_EQ(generator.draw(a), generator.draw(b));
}

TEST(PreparedGenerator, RejectsInvalidConfigurations) {
  EXPECT_THROW(PreparedGenerator(make(ParamGenerator::Kind::choice, 0, 0)), std::invalid_argument);
  EXPECT_THROW(PreparedGenerator(make(ParamGenerator::Kind::uniform, 5, 1)), std::invalid_argument);
  ParamGenerator zipf = make(ParamGenerator::Kind::zipf, 1, 10);
  zipf.zipf_exponent = 0;
  EXPECT_THROW(PreparedGenerator{zipf}, std::invalid_argument);
}

}  // namespace
}  // namespace clobber
