// What recording the exact history costs: runs one workload cell with the
// recorder on and off, alternately, on the same database, and prints both
// throughputs and their ratio (target: recording costs under 5 %).
//   recording_overhead WORKLOAD.yaml [--db URL] [--seconds N] [--rounds N]
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>
#include <vector>

#include "drivers/url.h"
#include "harness/runner/run.h"
#include "harness/workload/workload_loader.h"

namespace {

double run_once(const clobber::Workload& workload, const clobber::DatabaseUrl& url, int seconds,
                bool record) {
  clobber::RunOptions options;
  options.databases = {url};
  options.duration = std::chrono::seconds(seconds);
  options.seed = 42;
  options.explore = true;
  options.record_history = record;
  const clobber::RunResult run = clobber::run_workload(workload, options);
  return run.cells.at(0).throughput_tps;
}

}  // namespace

int main(int argc, char** argv) {
  if (argc < 2) {
    std::fprintf(stderr,
                 "usage: recording_overhead WORKLOAD.yaml [--db URL] [--seconds N] [--rounds N]\n");
    return 2;
  }
  std::string db = "sqlite:/tmp/clobber-recording-overhead.db";
  int seconds = 5;
  int rounds = 3;
  for (int i = 2; i + 1 < argc; i += 2) {
    if (!std::strcmp(argv[i], "--db")) db = argv[i + 1];
    if (!std::strcmp(argv[i], "--seconds")) seconds = std::atoi(argv[i + 1]);
    if (!std::strcmp(argv[i], "--rounds")) rounds = std::atoi(argv[i + 1]);
  }
  try {
    const clobber::Workload workload = clobber::load_workload_file(argv[1]);
    const clobber::DatabaseUrl url = clobber::parse_database_url(db);
    double on = 0, off = 0;
    for (int round = 0; round < rounds; ++round) {
      const double with = run_once(workload, url, seconds, true);
      const double without = run_once(workload, url, seconds, false);
      std::printf("round %d: recording on %.0f tps, off %.0f tps\n", round + 1, with, without);
      on += with;
      off += without;
    }
    std::printf(
        "mean: on %.0f tps, off %.0f tps; recording costs %.1f %% of throughput (target < 5 %%)\n",
        on / rounds, off / rounds, 100.0 * (off - on) / off);
  } catch (const std::exception& e) {
    std::fprintf(stderr, "recording_overhead: %s\n", e.what());
    return 2;
  }
  return 0;
}
