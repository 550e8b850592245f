// The `invariants:` section of a workload (harness/workload/loader_parts.h).
#include "harness/workload/loader_parts.h"

namespace clobber::loader {
namespace {

constexpr std::string_view kInvariantKeys[] = {"name", "sql", "equals", "at_least", "at_most"};

}  // namespace

// ---- Invariants, run, matrix, expect ----------------------------------------

void Loader::load_invariants(const Ref& ref, Workload& workload) const {
  for (const Ref& item : list(ref, "invariants")) {
    MapView def = map(item, "an invariant", kInvariantKeys);
    Invariant invariant;
    invariant.where = def.at;
    invariant.name = nonempty_text(require(def, "name").value, "invariant name");
    for (const Invariant& earlier : workload.invariants) {
      if (earlier.name == invariant.name) {
        fail(require(def, "name").value.at, "duplicate invariant name '" + invariant.name + "'");
      }
    }
    invariant.sql = trim(text(require(def, "sql").value, "invariant sql"));
    if (invariant.sql.empty())
      fail(require(def, "sql").value.at, "invariant sql must not be empty");
    check_statement(require(def, "sql").value, SqlContext::read_query, workload);
    const Entry* compare = nullptr;
    for (const Entry& entry : def.entries) {
      if (entry.name != "equals" && entry.name != "at_least" && entry.name != "at_most") continue;
      if (compare) {
        fail(entry.key_at,
             "an invariant has exactly one of equals, at_least, at_most; this one "
             "has both '" +
                 compare->name + "' and '" + entry.name + "'");
      }
      compare = &entry;
    }
    if (!compare) {
      fail(def.at, "invariant '" + invariant.name + "' needs one of equals, at_least, at_most");
    }
    if (compare->name == "equals") {
      invariant.compare = Invariant::Compare::equals;
      if (plain_scalar(compare->value) && compare->value.node.Scalar() == "initial") {
        invariant.against_initial = true;
      } else if (!plain_scalar(compare->value) || !parse_int64(compare->value.node.Scalar())) {
        fail(compare->value.at,
             "equals must be an integer or `initial`, found " + found(compare->value.node));
      } else {
        invariant.value = integer(compare->value, "equals");
      }
    } else {
      invariant.compare =
          compare->name == "at_least" ? Invariant::Compare::at_least : Invariant::Compare::at_most;
      invariant.value = integer(compare->value, compare->name);
    }
    workload.invariants.push_back(std::move(invariant));
  }
}

}  // namespace clobber::loader
