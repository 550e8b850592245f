// What the HTML report (reports/html_reporter.cpp) is built from: the one
// escape function every shown text goes through, and the inline SVG charts
// drawn in C++ (no script, nothing fetched): line and bar charts, the
// throughput/abort scatter, a lost-update witness as a timeline, a dependency
// cycle as a graph, and a scenario cell as a sequence diagram.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "harness/result/result.h"
#include "harness/scenario/scenario_result.h"

namespace clobber {

/// `text` safe inside HTML text and quoted attributes: bytes that are not valid
/// UTF-8 become U+FFFD, control characters other than newline and tab become
/// spaces, and & < > " ' become character references.
std::string html_escape(std::string_view text);

/// How the report names a transaction: "T3.812" (worker 3, attempt 812, as
/// harness/history/history.h names it), "the seed" for 0.
std::string txn_label(uint64_t id);

/// At most how many transactions (lanes) a witness timeline draws, and nodes a
/// cycle graph draws.
inline constexpr size_t kLanesDrawn = 6;
/// At most how many trace events (rows) a sequence diagram draws.
inline constexpr size_t kTraceRowsDrawn = 60;
/// At most how many sessions (lanes) a sequence diagram draws.
inline constexpr size_t kSessionsDrawn = 8;

/// One line of a line chart: its name, CSS color and one value per x step.
struct ChartSeries {
  std::string name;
  std::string color;
  std::vector<double> values;
};

/// A line chart of `series` over x = 0, step, 2 step, ... with a legend;
/// `title` is its accessible name, `x_unit` and `y_unit` label the axes.
std::string svg_line_chart(std::string_view title, const std::vector<ChartSeries>& series,
                           double step, std::string_view x_unit, std::string_view y_unit);

/// One bar of a bar chart.
struct ChartBar {
  std::string label;
  double value = 0;
};

/// A bar chart, bars in the order given, labelled below.
std::string svg_bar_chart(std::string_view title, const std::vector<ChartBar>& bars,
                          std::string_view y_unit);

/// One marker of the scatter: a cell at (x, y), in its group's shape and color,
/// linking to `anchor` (without '#').
struct ScatterPoint {
  double x = 0;
  double y = 0;
  size_t group = 0;
  std::string label;
  std::string anchor;
};

/// The scatter of `points` (x a fraction 0..1 shown as percent), one marker
/// shape and color per group, named by `groups` in the legend; points are
/// labelled with their label when there are at most `labelled` of them, where
/// the label overlaps no other.
std::string svg_scatter(std::string_view title, const std::vector<ScatterPoint>& points,
                        const std::vector<std::string>& groups, std::string_view x_unit,
                        std::string_view y_unit, size_t labelled);

/// The CSS color of marker group `group` (as svg_scatter draws it).
std::string_view group_color(size_t group);

/// A lost-update witness as a timeline: one lane per transaction (its worker),
/// a bar from its start to its commit, its write and commit-sent times
/// marked, and the overwriting write (the last to commit) marked in red.
std::string svg_witness_timeline(const Anomaly& anomaly);

/// A dependency-graph anomaly (G0, G1c, G-single, G2-item, ...) as a graph: its
/// transactions around a circle and its ww/wr/rw edges as labelled arrows.
std::string svg_cycle_graph(const Anomaly& anomaly);

/// A scenario cell as a sequence diagram: one lane per session, one row per
/// trace event down the page, spans a statement was blocked shaded to the row
/// it was released, and an arrow from the event that released it.
std::string svg_sequence(const ScenarioResult& scenario, const ScenarioCell& cell);

}  // namespace clobber
