#include "harness/workload/generators.h"

#include <algorithm>
#include <cmath>
#include <stdexcept>

namespace clobber {
namespace {

// The largest zipf range whose CDF is precomputed (8 bytes per key).
constexpr uint64_t kMaxZipfKeys = uint64_t{1} << 27;

uint64_t rotl(uint64_t x, int k) {
  return (x << k) | (x >> (64 - k));
}

// Offset from `low` of the last hot key of a hot_set range whose last offset is
// `span`: the hot part holds round(fraction * keys) keys, at least one, at most all.
uint64_t last_hot_offset(uint64_t span, double fraction) {
  double hot = std::round(fraction * (static_cast<double>(span) + 1.0));
  if (!(hot >= 1.0)) return 0;
  if (hot - 1.0 >= static_cast<double>(span)) return span;
  return static_cast<uint64_t>(hot) - 1;
}

}  // namespace

uint64_t mix_seed(uint64_t x) {
  uint64_t z = x + 0x9e3779b97f4a7c15ULL;
  z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
  z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
  return z ^ (z >> 31);
}

Rng::Rng(uint64_t seed) {
  // The splitmix64 sequence seed+g, seed+2g, ... mixed; never all zero.
  for (int i = 0; i < 4; ++i)
    state_[i] = mix_seed(seed + static_cast<uint64_t>(i) * 0x9e3779b97f4a7c15ULL);
}

uint64_t Rng::next() {
  uint64_t result = rotl(state_[1] * 5, 7) * 9;
  uint64_t t = state_[1] << 17;
  state_[2] ^= state_[0];
  state_[3] ^= state_[1];
  state_[1] ^= state_[2];
  state_[0] ^= state_[3];
  state_[2] ^= t;
  state_[3] = rotl(state_[3], 45);
  return result;
}

int64_t Rng::uniform(int64_t low, int64_t high) {
  if (high < low) std::swap(low, high);
  uint64_t span = static_cast<uint64_t>(high) - static_cast<uint64_t>(low);
  if (span == UINT64_MAX) return static_cast<int64_t>(next());
  // Lemire's multiply-shift with rejection: unbiased, usually one multiplication.
  uint64_t n = span + 1;
  __uint128_t m = static_cast<__uint128_t>(next()) * n;
  uint64_t low_bits = static_cast<uint64_t>(m);
  if (low_bits < n) {
    uint64_t threshold = (0 - n) % n;
    while (low_bits < threshold) {
      m = static_cast<__uint128_t>(next()) * n;
      low_bits = static_cast<uint64_t>(m);
    }
  }
  return static_cast<int64_t>(static_cast<uint64_t>(low) + static_cast<uint64_t>(m >> 64));
}

double Rng::unit() {
  return static_cast<double>(next() >> 11) * 0x1.0p-53;
}

PreparedGenerator::PreparedGenerator(const ParamGenerator& generator) : generator_(generator) {
  using Kind = ParamGenerator::Kind;
  if (generator_.kind == Kind::choice && generator_.choices.empty()) {
    throw std::invalid_argument("choice generator without choices");
  }
  if (generator_.kind != Kind::constant && generator_.kind != Kind::choice &&
      generator_.low > generator_.high) {
    throw std::invalid_argument("generator range with low > high");
  }
  if (generator_.kind == Kind::zipf) {
    if (!(generator_.zipf_exponent > 0) || !std::isfinite(generator_.zipf_exponent)) {
      throw std::invalid_argument("zipf exponent must be a positive number");
    }
    uint64_t span = static_cast<uint64_t>(generator_.high) - static_cast<uint64_t>(generator_.low);
    if (span >= kMaxZipfKeys) throw std::invalid_argument("zipf range is too large");
    uint64_t size = span + 1;
    zipf_cdf_.resize(size);
    double total = 0;
    for (uint64_t k = 1; k <= size; ++k) {
      total += std::pow(static_cast<double>(k), -generator_.zipf_exponent);
      zipf_cdf_[k - 1] = total;
    }
    for (double& p : zipf_cdf_) p /= total;
    zipf_cdf_.back() = 1.0;
  }
}

int64_t PreparedGenerator::draw(Rng& rng) const {
  using Kind = ParamGenerator::Kind;
  switch (generator_.kind) {
    case Kind::constant:
      return generator_.low;
    case Kind::uniform:
      return rng.uniform(generator_.low, generator_.high);
    case Kind::choice:
      return generator_.choices[static_cast<size_t>(
          rng.uniform(0, static_cast<int64_t>(generator_.choices.size()) - 1))];
    case Kind::zipf: {
      double u = rng.unit();
      auto it = std::upper_bound(zipf_cdf_.begin(), zipf_cdf_.end(), u);
      uint64_t rank = static_cast<uint64_t>(std::min<ptrdiff_t>(
          it - zipf_cdf_.begin(), static_cast<ptrdiff_t>(zipf_cdf_.size()) - 1));
      return static_cast<int64_t>(static_cast<uint64_t>(generator_.low) + rank);
    }
    case Kind::hot_set: {
      uint64_t low = static_cast<uint64_t>(generator_.low);
      uint64_t span = static_cast<uint64_t>(generator_.high) - low;
      uint64_t hot_last = last_hot_offset(span, generator_.hot_fraction);
      if (hot_last == span || rng.unit() < generator_.hot_probability) {
        return rng.uniform(generator_.low, static_cast<int64_t>(low + hot_last));
      }
      return rng.uniform(static_cast<int64_t>(low + hot_last + 1), generator_.high);
    }
  }
  return generator_.low;
}

}  // namespace clobber
