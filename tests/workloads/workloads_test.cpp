// The example workloads in workloads/*.yaml: each one loads without error
// (every key validated by the loader) and tells its story: a name, a
// description, and at least one invariant to check.
#include <algorithm>
#include <chrono>
#include <filesystem>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "common/errors.h"
#include "harness/workload/workload_loader.h"

namespace {

namespace fs = std::filesystem;

/// Every workloads/*.yaml file (not scenarios/), sorted by name.
std::vector<fs::path> workload_files() {
  std::vector<fs::path> files;
  const fs::path dir = fs::path(CLOBBER_SOURCE_DIR) / "workloads";
  for (const auto& entry : fs::directory_iterator(dir)) {
    if (entry.is_regular_file() && entry.path().extension() == ".yaml") {
      files.push_back(entry.path());
    }
  }
  std::sort(files.begin(), files.end());
  return files;
}

TEST(WorkloadFiles, ExamplesExist) {
  const auto files = workload_files();
  EXPECT_GE(files.size(), 6u);
  for (const char* name :
       {"joint_account.yaml", "bobs_withdrawals.yaml", "shelf_stock.yaml", "loyalty_points.yaml",
        "decremented_entry.yaml", "bank_transfers.yaml"}) {
    EXPECT_TRUE(fs::exists(fs::path(CLOBBER_SOURCE_DIR) / "workloads" / name)) << name;
  }
}

TEST(WorkloadFiles, EveryWorkloadLoadsWithNameDescriptionAndInvariant) {
  for (const auto& file : workload_files()) {
    SCOPED_TRACE(file.string());
    try {
      const clobber::Workload workload = clobber::load_workload_file(file.string());
      EXPECT_FALSE(workload.name.empty());
      EXPECT_FALSE(workload.description.empty());
      EXPECT_GE(workload.invariants.size(), 1u);
      EXPECT_FALSE(workload.tables.empty());
      EXPECT_FALSE(workload.transactions.empty());
    } catch (const clobber::InputError& error) {
      ADD_FAILURE() << error.what();
    }
  }
}

TEST(WorkloadFiles, JointAccountIsTheArticleRace) {
  const auto workload = clobber::load_workload_file(
      (fs::path(CLOBBER_SOURCE_DIR) / "workloads" / "joint_account.yaml").string());
  ASSERT_EQ(workload.tables.size(), 1u);
  EXPECT_EQ(workload.tables[0].rows.size(), 3u);  // John, Jane, Jake
  EXPECT_EQ(workload.run.workers, 8);
  ASSERT_TRUE(workload.run.duration.has_value());
  EXPECT_EQ(*workload.run.duration, std::chrono::seconds(2));
  EXPECT_EQ(workload.matrix.isolation.size(), 4u);
  EXPECT_EQ(workload.matrix.locking.size(), 5u);
  // The naive cells are expected to lose: some rule asks for at least one.
  const bool expects_loss = std::any_of(
      workload.expect.begin(), workload.expect.end(), [](const clobber::ExpectRule& rule) {
        return std::any_of(rule.bounds.begin(), rule.bounds.end(), [](const auto& bound) {
          return bound.metric == "lost_updates" && bound.min && *bound.min >= 1;
        });
      });
  EXPECT_TRUE(expects_loss);
}

TEST(WorkloadFiles, BankTransfersGeneratesItsAccounts) {
  const auto workload = clobber::load_workload_file(
      (fs::path(CLOBBER_SOURCE_DIR) / "workloads" / "bank_transfers.yaml").string());
  ASSERT_EQ(workload.tables.size(), 1u);
  ASSERT_TRUE(workload.tables[0].generated.has_value());
  EXPECT_EQ(workload.tables[0].generated->count, 1000);
}

}  // namespace
