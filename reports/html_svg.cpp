// Inline SVG charts of the HTML report (reports/html_svg.h). Everything shown
// goes through html_escape; coordinates are written with one decimal.
#include "reports/html_svg.h"

#include <algorithm>
#include <array>
#include <cmath>
#include <iterator>
#include <map>
#include <optional>

#include <fmt/format.h>

#include "harness/history/history.h"

namespace clobber {
namespace {

constexpr std::string_view kReplacement = "\xEF\xBF\xBD";  // U+FFFD

/// Bytes of the valid UTF-8 sequence starting at `text[at]`, or 0 when the
/// bytes there are not one (overlong forms and surrogates are not valid).
size_t utf8_length(std::string_view text, size_t at) {
  const auto byte = [&](size_t i) { return static_cast<unsigned char>(text[i]); };
  const unsigned char lead = byte(at);
  size_t length = 0;
  unsigned char low = 0x80, high = 0xBF;  // range of the second byte
  if (lead < 0x80) return 1;
  if (lead >= 0xC2 && lead <= 0xDF) {
    length = 2;
  } else if (lead >= 0xE0 && lead <= 0xEF) {
    length = 3;
    if (lead == 0xE0) low = 0xA0;
    if (lead == 0xED) high = 0x9F;
  } else if (lead >= 0xF0 && lead <= 0xF4) {
    length = 4;
    if (lead == 0xF0) low = 0x90;
    if (lead == 0xF4) high = 0x8F;
  } else {
    return 0;
  }
  if (at + length > text.size()) return 0;
  if (byte(at + 1) < low || byte(at + 1) > high) return 0;
  for (size_t i = 2; i < length; ++i)
    if (byte(at + i) < 0x80 || byte(at + i) > 0xBF) return 0;
  return length;
}

/// At most `points` code points of `text`, with "…" when cut (bytes that are
/// not UTF-8 count as one each; html_escape replaces them).
std::string cut(std::string_view text, size_t points) {
  size_t at = 0;
  for (size_t n = 0; at < text.size(); ++n) {
    if (n == points) return std::string(text.substr(0, at)) + "…";
    at += std::max<size_t>(1, utf8_length(text, at));
  }
  return std::string(text);
}

/// Escaped and cut text, for an SVG <text>.
std::string label(std::string_view text, size_t points) {
  return html_escape(cut(text, points));
}

/// The smallest 1, 2, 2.5 or 5 times a power of ten at least `value` (1 when <= 0).
double nice_max(double value) {
  if (!(value > 0)) return 1;
  const double power = std::pow(10.0, std::floor(std::log10(value)));
  for (const double m : {1.0, 2.0, 2.5, 5.0, 10.0})
    if (m * power >= value * (1 - 1e-12)) return m * power;
  return 10 * power;
}

/// A number for an axis tick: "0", "2.5", "1200".
std::string tick(double value) {
  return fmt::format("{:g}", std::round(value * 1000) / 1000);
}

/// Opens an <svg> of the given size with its accessible name.
void open_svg(std::string& out, double width, double height, std::string_view title) {
  fmt::format_to(std::back_inserter(out),
                 "<svg class=\"chart\" viewBox=\"0 0 {0:.0f} {1:.0f}\" width=\"{0:.0f}\" "
                 "height=\"{1:.0f}\" role=\"img\" aria-label=\"{2}\"><title>{2}</title>",
                 width, height, html_escape(title));
}

/// Frame of a chart: the plot area's axes, y ticks at 0, half and the top with
/// their values, and the axis units.
struct Plot {
  double left, top, width, height;
  double x_of(double fraction) const { return left + fraction * width; }
  double y_of(double fraction) const { return top + height - fraction * height; }
};

void draw_axes(std::string& out, const Plot& plot, double y_max, std::string_view x_unit,
               std::string_view y_unit) {
  auto to = std::back_inserter(out);
  for (const double f : {0.0, 0.5, 1.0}) {
    fmt::format_to(to,
                   "<line x1=\"{:.1f}\" y1=\"{:.1f}\" x2=\"{:.1f}\" y2=\"{:.1f}\" class=\"grid\"/>"
                   "<text x=\"{:.1f}\" y=\"{:.1f}\" class=\"tick\" text-anchor=\"end\">{}</text>",
                   plot.left, plot.y_of(f), plot.left + plot.width, plot.y_of(f), plot.left - 4,
                   plot.y_of(f) + 3, tick(f * y_max));
  }
  fmt::format_to(
      to,
      "<line x1=\"{0:.1f}\" y1=\"{1:.1f}\" x2=\"{0:.1f}\" y2=\"{2:.1f}\" class=\"axis\"/>"
      "<line x1=\"{0:.1f}\" y1=\"{2:.1f}\" x2=\"{3:.1f}\" y2=\"{2:.1f}\" class=\"axis\"/>",
      plot.left, plot.top, plot.top + plot.height, plot.left + plot.width);
  fmt::format_to(to, "<text x=\"{:.1f}\" y=\"{:.1f}\" class=\"unit\">{}</text>", plot.left - 44,
                 plot.top - 4, html_escape(y_unit));
  fmt::format_to(to, "<text x=\"{:.1f}\" y=\"{:.1f}\" class=\"unit\" text-anchor=\"end\">{}</text>",
                 plot.left + plot.width, plot.top + plot.height + 28, html_escape(x_unit));
}

/// The legend: a colored swatch and a name per entry, from (x, y) down.
void draw_legend(std::string& out, double x, double y, const std::vector<std::string>& names,
                 const std::vector<std::string>& colors) {
  for (size_t i = 0; i < names.size(); ++i)
    fmt::format_to(std::back_inserter(out),
                   "<rect x=\"{:.1f}\" y=\"{:.1f}\" width=\"10\" height=\"10\" fill=\"{}\"/>"
                   "<text x=\"{:.1f}\" y=\"{:.1f}\" class=\"legend\">{}</text>",
                   x, y + 16 * i, colors[i], x + 14, y + 16 * i + 9, label(names[i], 22));
}

/// A marker of `shape` centred on (x, y) as an SVG path.
std::string marker_path(size_t shape, double x, double y, double r) {
  switch (shape % 6) {
    case 0:  // circle
      return fmt::format(
          "M{0:.1f} {1:.1f}a{2:.1f} {2:.1f} 0 1 0 {3:.1f} 0a{2:.1f} {2:.1f} 0 1 0 {4:.1f} 0Z",
          x - r, y, r, 2 * r, -2 * r);
    case 1:  // square
      return fmt::format("M{:.1f} {:.1f}h{:.1f}v{:.1f}h{:.1f}Z", x - r, y - r, 2 * r, 2 * r,
                         -2 * r);
    case 2:  // triangle
      return fmt::format("M{:.1f} {:.1f}L{:.1f} {:.1f}L{:.1f} {:.1f}Z", x, y - r * 1.2, x + r * 1.1,
                         y + r * 0.9, x - r * 1.1, y + r * 0.9);
    case 3:  // diamond
      return fmt::format("M{:.1f} {:.1f}L{:.1f} {:.1f}L{:.1f} {:.1f}L{:.1f} {:.1f}Z", x,
                         y - r * 1.3, x + r * 1.3, y, x, y + r * 1.3, x - r * 1.3, y);
    case 4:  // inverted triangle
      return fmt::format("M{:.1f} {:.1f}L{:.1f} {:.1f}L{:.1f} {:.1f}Z", x, y + r * 1.2, x + r * 1.1,
                         y - r * 0.9, x - r * 1.1, y - r * 0.9);
    default:  // plus
      return fmt::format(
          "M{0:.1f} {1:.1f}h{2:.1f}v{2:.1f}h{2:.1f}v{2:.1f}h{3:.1f}v{2:.1f}h{3:.1f}v{3:.1f}"
          "h{3:.1f}v{3:.1f}h{2:.1f}Z",
          x - r * 0.4, y - r * 1.2, r * 0.8, -r * 0.8);
  }
}

/// An arrowhead at `tip`, pointing along (dx, dy).
std::string arrowhead(double tip_x, double tip_y, double dx, double dy, std::string_view color) {
  const double length = std::max(1e-9, std::hypot(dx, dy));
  const double ux = dx / length, uy = dy / length;
  const double bx = tip_x - 9 * ux, by = tip_y - 9 * uy;
  return fmt::format("<path d=\"M{:.1f} {:.1f}L{:.1f} {:.1f}L{:.1f} {:.1f}Z\" fill=\"{}\"/>", tip_x,
                     tip_y, bx - 4 * uy, by + 4 * ux, bx + 4 * uy, by - 4 * ux, color);
}

}  // namespace

std::string html_escape(std::string_view text) {
  std::string out;
  out.reserve(text.size() + text.size() / 8);
  for (size_t at = 0; at < text.size();) {
    const size_t length = utf8_length(text, at);
    if (length == 0) {
      out += kReplacement;
      ++at;
      continue;
    }
    if (length > 1) {
      out.append(text.substr(at, length));
      at += length;
      continue;
    }
    const char c = text[at++];
    switch (c) {
      case '&':
        out += "&amp;";
        break;
      case '<':
        out += "&lt;";
        break;
      case '>':
        out += "&gt;";
        break;
      case '"':
        out += "&quot;";
        break;
      case '\'':
        out += "&#39;";
        break;
      case '\n':
      case '\t':
        out += c;
        break;
      default:
        out += static_cast<unsigned char>(c) < 0x20 || c == 0x7f ? ' ' : c;
    }
  }
  return out;
}

std::string txn_label(uint64_t id) {
  return id >> 32 == 0 && id != 0 ? "T" + std::to_string(id) : txn_name(id);
}

std::string_view group_color(size_t group) {
  static constexpr std::array<std::string_view, 6> kColors{"#1f6fb4", "#e07b00", "#7b3fa8",
                                                           "#138a8a", "#8c564b", "#555555"};
  return kColors[group % kColors.size()];
}

std::string svg_line_chart(std::string_view title, const std::vector<ChartSeries>& series,
                           double step, std::string_view x_unit, std::string_view y_unit) {
  size_t points = 0;
  double y_max = 0;
  for (const ChartSeries& s : series) {
    points = std::max(points, s.values.size());
    for (const double v : s.values) y_max = std::max(y_max, v);
  }
  y_max = nice_max(y_max);
  const Plot plot{52, 14, 480, 150};
  std::string out;
  open_svg(out, 680, 200, title);
  draw_axes(out, plot, y_max, x_unit, y_unit);
  const double x_max = std::max(1.0, static_cast<double>(points)) * step;
  auto to = std::back_inserter(out);
  for (const double f : {0.5, 1.0})
    fmt::format_to(
        to, "<text x=\"{:.1f}\" y=\"{:.1f}\" class=\"tick\" text-anchor=\"middle\">{}</text>",
        plot.x_of(f), plot.top + plot.height + 14, tick(f * x_max));
  std::vector<std::string> names, colors;
  for (const ChartSeries& s : series) {
    std::string line;
    for (size_t i = 0; i < s.values.size(); ++i)
      fmt::format_to(std::back_inserter(line), "{}{:.0f},{:.0f}", i ? " " : "",
                     plot.x_of((i + 1) * step / x_max), plot.y_of(s.values[i] / y_max));
    if (s.values.size() == 1)
      fmt::format_to(to, "<circle cx=\"{:.1f}\" cy=\"{:.1f}\" r=\"3\" fill=\"{}\"/>",
                     plot.x_of(step / x_max), plot.y_of(s.values[0] / y_max), s.color);
    fmt::format_to(to, "<polyline points=\"{}\" fill=\"none\" stroke=\"{}\" stroke-width=\"1.6\"/>",
                   line, s.color);
    names.push_back(s.name);
    colors.push_back(s.color);
  }
  draw_legend(out, plot.left + plot.width + 14, plot.top, names, colors);
  return out + "</svg>";
}

std::string svg_bar_chart(std::string_view title, const std::vector<ChartBar>& bars,
                          std::string_view y_unit) {
  double y_max = 0;
  for (const ChartBar& bar : bars) y_max = std::max(y_max, bar.value);
  y_max = nice_max(y_max);
  const Plot plot{52, 14, 560, 150};
  std::string out;
  open_svg(out, 640, 204, title);
  draw_axes(out, plot, y_max, "", y_unit);
  auto to = std::back_inserter(out);
  const double width = plot.width / std::max<size_t>(1, bars.size());
  const size_t every = (bars.size() + 11) / 12;  // at most 12 labels
  for (size_t i = 0; i < bars.size(); ++i) {
    const double height = bars[i].value / y_max * plot.height;
    fmt::format_to(to,
                   "<rect x=\"{:.1f}\" y=\"{:.1f}\" width=\"{:.1f}\" height=\"{:.1f}\" "
                   "class=\"bar\"><title>{}: {:g}</title></rect>",
                   plot.left + i * width + 1, plot.top + plot.height - height,
                   std::max(1.0, width - 2), height, label(bars[i].label, 40), bars[i].value);
    if (i % std::max<size_t>(1, every) == 0)
      fmt::format_to(
          to, "<text x=\"{:.1f}\" y=\"{:.1f}\" class=\"tick\" text-anchor=\"middle\">{}</text>",
          plot.left + (i + 0.5) * width, plot.top + plot.height + 14, label(bars[i].label, 12));
  }
  return out + "</svg>";
}

std::string svg_scatter(std::string_view title, const std::vector<ScatterPoint>& points,
                        const std::vector<std::string>& groups, std::string_view x_unit,
                        std::string_view y_unit, size_t labelled) {
  double x_max = 0, y_max = 0;
  for (const ScatterPoint& p : points) {
    x_max = std::max(x_max, p.x * 100);
    y_max = std::max(y_max, p.y);
  }
  x_max = std::min(100.0, nice_max(x_max));
  y_max = nice_max(y_max);
  const Plot plot{64, 16, 560, 280};
  std::string out;
  open_svg(out, 820, 340, title);
  draw_axes(out, plot, y_max, x_unit, y_unit);
  auto to = std::back_inserter(out);
  for (const double f : {0.0, 0.25, 0.5, 0.75, 1.0})
    fmt::format_to(
        to,
        "<line x1=\"{0:.1f}\" y1=\"{1:.1f}\" x2=\"{0:.1f}\" y2=\"{2:.1f}\" class=\"grid\"/>"
        "<text x=\"{0:.1f}\" y=\"{3:.1f}\" class=\"tick\" text-anchor=\"middle\">{4}%</text>",
        plot.x_of(f), plot.top, plot.top + plot.height, plot.top + plot.height + 14,
        tick(f * x_max));
  struct Box {
    double left, top, right, bottom;
  };
  std::vector<Box> placed;  // labels drawn
  for (const ScatterPoint& p : points) {
    const double x = plot.x_of(std::min(1.0, p.x * 100 / x_max));
    const double y = plot.y_of(p.y / y_max);
    fmt::format_to(to,
                   "<a href=\"#{}\"><path d=\"{}\" fill=\"{}\" fill-opacity=\"0.75\" "
                   "stroke=\"#222\" stroke-width=\"0.6\"><title>{}: {:.1f}% aborts, {:.0f} "
                   "tps</title></path></a>",
                   html_escape(p.anchor), marker_path(p.group, x, y, 5), group_color(p.group),
                   label(p.label, 80), p.x * 100, p.y);
    // A label is left out where it would overlap one already drawn (its
    // marker's tooltip still names it).
    const std::string text = cut(p.label, 28);
    const Box box{x + 8, y - 12, x + 8 + 5.2 * text.size(), y - 1};
    const bool overlaps = std::any_of(placed.begin(), placed.end(), [&](const Box& other) {
      return box.left < other.right && other.left < box.right && box.top < other.bottom &&
             other.top < box.bottom;
    });
    if (points.size() > labelled || overlaps) continue;
    placed.push_back(box);
    fmt::format_to(to, "<text x=\"{:.1f}\" y=\"{:.1f}\" class=\"point\">{}</text>", x + 8, y - 4,
                   html_escape(text));
  }
  for (size_t g = 0; g < groups.size(); ++g)
    fmt::format_to(to,
                   "<path d=\"{}\" fill=\"{}\" stroke=\"#222\" stroke-width=\"0.6\"/>"
                   "<text x=\"{:.1f}\" y=\"{:.1f}\" class=\"legend\">{}</text>",
                   marker_path(g, plot.left + plot.width + 22, plot.top + 6 + 18 * g, 5),
                   group_color(g), plot.left + plot.width + 34, plot.top + 10 + 18 * g,
                   label(groups[g], 24));
  return out + "</svg>";
}

std::string svg_witness_timeline(const Anomaly& anomaly) {
  const size_t lanes = std::min(anomaly.transactions.size(), kLanesDrawn);
  if (lanes == 0) return {};
  double t0 = anomaly.transactions[0].start_ms, t1 = t0;
  size_t last = 0;  // the last to commit: its write overwrote the others'
  for (size_t i = 0; i < lanes; ++i) {
    const WitnessTransaction& t = anomaly.transactions[i];
    t0 = std::min({t0, t.start_ms, t.write_ms > 0 ? t.write_ms : t.start_ms});
    t1 = std::max({t1, t.commit_ms, t.commit_sent_ms, t.write_ms});
    if (t.commit_ms > anomaly.transactions[last].commit_ms) last = i;
  }
  const double span = t1 > t0 ? t1 - t0 : 1;
  const Plot plot{230, 18, 460, 34.0 * lanes};
  const auto x_of = [&](double ms) { return plot.x_of((ms - t0) / span); };
  std::string out;
  open_svg(out, 720, plot.top + plot.height + 34,
           fmt::format("lost update witness on {} key {}", anomaly.table, anomaly.key));
  auto to = std::back_inserter(out);
  for (const double f : {0.0, 0.5, 1.0})
    fmt::format_to(
        to,
        "<line x1=\"{0:.1f}\" y1=\"{1:.1f}\" x2=\"{0:.1f}\" y2=\"{2:.1f}\" class=\"grid\"/>"
        "<text x=\"{0:.1f}\" y=\"{3:.1f}\" class=\"tick\" text-anchor=\"middle\">{4:.2f} "
        "ms</text>",
        plot.x_of(f), plot.top, plot.top + plot.height, plot.top + plot.height + 14, t0 + f * span);
  fmt::format_to(to, "<text x=\"{:.1f}\" y=\"{:.1f}\" class=\"unit\" text-anchor=\"end\">{}</text>",
                 plot.left + plot.width, plot.top + plot.height + 28, "ms since the cell started");
  for (size_t i = 0; i < lanes; ++i) {
    const WitnessTransaction& t = anomaly.transactions[i];
    const double y = plot.top + 34.0 * i;
    const bool overwrote = i == last && lanes > 1;
    fmt::format_to(to,
                   "<text x=\"4\" y=\"{:.1f}\" class=\"lane\">worker {} · {} {}</text>"
                   "<text x=\"4\" y=\"{:.1f}\" class=\"tick\">read {} → wrote {}{}</text>",
                   y + 13, t.worker, txn_label(t.id), label(t.type, 18), y + 26, t.read_value,
                   t.written_value, overwrote ? " (overwrote)" : " (lost)");
    fmt::format_to(to,
                   "<rect x=\"{:.1f}\" y=\"{:.1f}\" width=\"{:.1f}\" height=\"14\" rx=\"3\" "
                   "class=\"{}\"><title>{} attempt {}: started {:.3f} ms, wrote {:.3f} ms, "
                   "commit sent {:.3f} ms, committed {:.3f} ms{}</title></rect>",
                   x_of(t.start_ms), y + 8, std::max(2.0, x_of(t.commit_ms) - x_of(t.start_ms)),
                   overwrote ? "txn overwrote" : "txn lost", txn_label(t.id), t.attempt, t.start_ms,
                   t.write_ms, t.commit_sent_ms, t.commit_ms,
                   t.autocommit ? " (autocommit: each statement committed by itself)" : "");
    if (t.write_ms > 0)
      fmt::format_to(to,
                     "<path d=\"M{0:.1f} {1:.1f}l5 -7h-10Z\" class=\"{2}\"/>"
                     "<text x=\"{0:.1f}\" y=\"{3:.1f}\" class=\"mark\" "
                     "text-anchor=\"middle\">{4}</text>",
                     x_of(t.write_ms), y + 8, overwrote ? "write-over" : "write", y + 34,
                     overwrote ? "overwrite" : "write");
    if (t.commit_sent_ms > 0)
      fmt::format_to(to,
                     "<line x1=\"{0:.1f}\" y1=\"{1:.1f}\" x2=\"{0:.1f}\" y2=\"{2:.1f}\" "
                     "class=\"commit-sent\"/>",
                     x_of(t.commit_sent_ms), y + 5, y + 25);
  }
  return out + "</svg>";
}

std::string svg_cycle_graph(const Anomaly& anomaly) {
  std::vector<uint64_t> nodes;
  const auto add = [&](uint64_t id) {
    if (std::find(nodes.begin(), nodes.end(), id) == nodes.end() && nodes.size() < kLanesDrawn)
      nodes.push_back(id);
  };
  for (const AnomalyEdge& edge : anomaly.edges) {
    add(edge.from);
    add(edge.to);
  }
  if (anomaly.edges.empty())
    for (const WitnessTransaction& t : anomaly.transactions) add(t.id);
  if (nodes.empty()) return {};
  constexpr double kWidth = 400, kRadius = 27;
  const double kHeight = nodes.size() <= 2 ? 150 : 290;  // two nodes sit side by side
  const double cx = kWidth / 2, cy = kHeight / 2, ring = nodes.size() == 1 ? 0 : 95;
  std::map<uint64_t, std::pair<double, double>> at;
  for (size_t i = 0; i < nodes.size(); ++i) {
    const double angle = M_PI + 2 * M_PI * i / nodes.size();
    at[nodes[i]] = {cx + ring * std::cos(angle), cy + ring * std::sin(angle) * 0.9};
  }
  std::string out;
  open_svg(out, kWidth, kHeight, fmt::format("{} dependency graph", anomaly.type));
  auto to = std::back_inserter(out);
  std::map<std::pair<uint64_t, uint64_t>, int> drawn;  // edges already between a pair
  for (const AnomalyEdge& edge : anomaly.edges) {
    if (!at.count(edge.from) || !at.count(edge.to)) continue;
    const auto [x1, y1] = at[edge.from];
    const auto [x2, y2] = at[edge.to];
    const int nth = drawn[{edge.from, edge.to}]++;
    const std::string_view color = edge.kind == "ww"   ? "#c0392b"
                                   : edge.kind == "wr" ? "#2471a3"
                                                       : "#b9770e";
    if (edge.from == edge.to) continue;  // a transaction does not depend on itself
    const double dx = x2 - x1, dy = y2 - y1, length = std::max(1.0, std::hypot(dx, dy));
    const double bend = 28 + 22 * nth;  // opposite edges bend to opposite sides
    const double qx = (x1 + x2) / 2 - dy / length * bend, qy = (y1 + y2) / 2 + dx / length * bend;
    const auto toward = [&](double px, double py, double tx, double ty) {
      const double d = std::max(1.0, std::hypot(tx - px, ty - py));
      return std::pair{px + (tx - px) / d * kRadius, py + (ty - py) / d * kRadius};
    };
    const auto [sx, sy] = toward(x1, y1, qx, qy);
    const auto [ex, ey] = toward(x2, y2, qx, qy);
    fmt::format_to(to,
                   "<path d=\"M{:.1f} {:.1f}Q{:.1f} {:.1f} {:.1f} {:.1f}\" fill=\"none\" "
                   "stroke=\"{}\" stroke-width=\"1.8\"{}/>{}",
                   sx, sy, qx, qy, ex, ey, color,
                   edge.kind == "rw" ? " stroke-dasharray=\"5 3\"" : "",
                   arrowhead(ex, ey, ex - qx, ey - qy, color));
    fmt::format_to(to,
                   "<text x=\"{:.1f}\" y=\"{:.1f}\" class=\"edge\" fill=\"{}\" "
                   "text-anchor=\"middle\">{}</text>",
                   0.25 * sx + 0.5 * qx + 0.25 * ex, 0.25 * sy + 0.5 * qy + 0.25 * ey + 4, color,
                   label(edge.kind, 4));
  }
  for (const uint64_t id : nodes) {
    const auto [x, y] = at[id];
    std::string type;
    for (const WitnessTransaction& t : anomaly.transactions)
      if (t.id == id) type = t.type;
    fmt::format_to(to,
                   "<circle cx=\"{0:.1f}\" cy=\"{1:.1f}\" r=\"{2:.0f}\" class=\"node\"/>"
                   "<text x=\"{0:.1f}\" y=\"{3:.1f}\" class=\"node-id\" "
                   "text-anchor=\"middle\">{4}</text>"
                   "<text x=\"{0:.1f}\" y=\"{5:.1f}\" class=\"tick\" "
                   "text-anchor=\"middle\">{6}</text>",
                   x, y, kRadius, y + 4, txn_label(id), y + kRadius + 12, label(type, 16));
  }
  return out + "</svg>";
}

namespace {

/// A trace event's outcome, short, for its box in a sequence diagram.
std::string event_outcome(const TraceEvent& event) {
  switch (event.status) {
    case StepStatus::ok:
      if (!event.rows.columns.empty()) {
        if (event.rows.rows.empty()) return "ok, no rows";
        if (event.rows.rows.size() == 1 && event.rows.rows[0].size() == 1)
          return "→ " + event.rows.rows[0][0].value_or("NULL");
        return fmt::format("ok, {} rows", event.rows.rows.size());
      }
      if (event.rows_affected >= 0) return fmt::format("ok, {} changed", event.rows_affected);
      return "ok";
    case StepStatus::failed:
      return fmt::format("FAILED {} ({})", event.outcome.code, to_string(event.outcome.cause));
    case StepStatus::blocked:
      return fmt::format("BLOCKED ({})", to_string(event.detected_by));
    case StepStatus::deferred:
      return fmt::format("deferred: blocked at step {}", event.blocked_at_step);
    case StepStatus::skipped:
      return event.failed_at_step ? fmt::format("skipped: failed at step {}", event.failed_at_step)
                                  : "never sent: still blocked";
    case StepStatus::rolled_back:
      return fmt::format("ROLLED BACK (failed at step {})", event.failed_at_step);
  }
  return "?";
}

/// The CSS class of a trace event's box.
std::string_view event_class(const TraceEvent& event) {
  switch (event.status) {
    case StepStatus::ok:
      return event.released ? "ev released" : "ev ok";
    case StepStatus::failed:
      return "ev failed";
    case StepStatus::blocked:
      return "ev blocked";
    case StepStatus::deferred:
    case StepStatus::skipped:
    case StepStatus::rolled_back:
      return "ev skipped";
  }
  return "ev";
}

}  // namespace

std::string svg_sequence(const ScenarioResult& scenario, const ScenarioCell& cell) {
  std::vector<std::string> sessions = scenario.sessions;
  for (const TraceEvent& event : cell.trace)
    if (std::find(sessions.begin(), sessions.end(), event.session) == sessions.end())
      sessions.push_back(event.session);
  if (sessions.size() > kSessionsDrawn) sessions.resize(kSessionsDrawn);
  std::vector<size_t> rows;  // indexes of the trace events drawn, one per row
  for (size_t i = 0; i < cell.trace.size() && rows.size() < kTraceRowsDrawn; ++i)
    if (std::find(sessions.begin(), sessions.end(), cell.trace[i].session) != sessions.end())
      rows.push_back(i);
  if (rows.empty() || sessions.empty()) return {};

  const double lane = std::clamp(900.0 / sessions.size(), 200.0, 320.0);
  constexpr double kLeft = 70, kTop = 30, kRow = 42;
  const double width = kLeft + lane * sessions.size() + 10;
  const double height = kTop + kRow * rows.size() + 10;
  const auto lane_x = [&](const std::string& session) {
    const size_t i = std::find(sessions.begin(), sessions.end(), session) - sessions.begin();
    return kLeft + lane * i;
  };
  const auto row_y = [&](size_t row) { return kTop + kRow * row; };
  const size_t steps = scenario.steps.size();

  std::string out;
  open_svg(out, width, height, fmt::format("sequence diagram of {}", scenario.id));
  auto to = std::back_inserter(out);
  for (const std::string& session : sessions)
    fmt::format_to(
        to,
        "<text x=\"{0:.1f}\" y=\"18\" class=\"lane\" text-anchor=\"middle\">{1}</text>"
        "<line x1=\"{0:.1f}\" y1=\"24\" x2=\"{0:.1f}\" y2=\"{2:.1f}\" class=\"lifeline\"/>",
        lane_x(session) + lane / 2, label(session, 30), height - 4);

  std::string arrows;  // drawn over the boxes
  // Blocked spans, behind the boxes: from the row a statement blocked to the
  // row it was released (or the last row), with an arrow from the event that
  // ran in the step it was released during.
  for (size_t r = 0; r < rows.size(); ++r) {
    const TraceEvent& blocked = cell.trace[rows[r]];
    if (blocked.status != StepStatus::blocked) continue;
    std::optional<size_t> release;
    for (size_t s = r + 1; s < rows.size() && !release; ++s) {
      const TraceEvent& e = cell.trace[rows[s]];
      if (e.session == blocked.session && e.step == blocked.step && e.released) release = s;
    }
    const size_t end = release.value_or(rows.size() - 1);
    const double x = lane_x(blocked.session);
    fmt::format_to(
        to,
        "<rect x=\"{:.1f}\" y=\"{:.1f}\" width=\"{:.1f}\" height=\"{:.1f}\" "
        "class=\"blocked-span\"><title>{} blocked at step {}{}</title></rect>",
        x + 2, row_y(r) + 2, lane - 4, row_y(end) - row_y(r) + kRow - 4, label(blocked.session, 40),
        blocked.step,
        release ? fmt::format(", released during step {}", cell.trace[rows[*release]].at_step)
                : std::string(", never released"));
    if (!release) continue;
    const int during = cell.trace[rows[*release]].at_step;
    std::optional<size_t> releaser;
    for (size_t s = r + 1; s < *release; ++s) {
      const TraceEvent& e = cell.trace[rows[s]];
      if (e.at_step == during && e.step == during && e.session != blocked.session) releaser = s;
    }
    if (!releaser) continue;
    const TraceEvent& by = cell.trace[rows[*releaser]];
    const double from_x = lane_x(by.session) + lane / 2, from_y = row_y(*releaser) + kRow - 5;
    const double to_x = x + lane / 2 + (from_x < x ? -lane / 2 + 10 : lane / 2 - 10);
    const double to_y = row_y(*release) + kRow / 2;
    fmt::format_to(std::back_inserter(arrows),
                   "<path d=\"M{:.1f} {:.1f}L{:.1f} {:.1f}\" class=\"release\"/>{}"
                   "<text x=\"{:.1f}\" y=\"{:.1f}\" class=\"mark\">releases</text>",
                   from_x, from_y, to_x, to_y,
                   arrowhead(to_x, to_y, to_x - from_x, to_y - from_y, "#1e8449"),
                   (from_x + to_x) / 2 + 4, (from_y + to_y) / 2 - 4);
  }

  const size_t points = static_cast<size_t>(lane / 6.6);
  for (size_t r = 0; r < rows.size(); ++r) {
    const TraceEvent& event = cell.trace[rows[r]];
    const double x = lane_x(event.session), y = row_y(r);
    const std::string step =
        static_cast<size_t>(event.at_step) > steps ? "end" : fmt::format("step {}", event.at_step);
    fmt::format_to(to, "<text x=\"4\" y=\"{:.1f}\" class=\"tick\">{}</text>", y + 24, step);
    std::string statement = event.statement;
    if (event.released) statement = fmt::format("↳ {}: {}", event.step, event.statement);
    if (event.deferred) statement = fmt::format("→ {}: {}", event.step, event.statement);
    std::string detail = event_outcome(event);
    if (event.status == StepStatus::failed) detail += ": " + event.outcome.message;
    fmt::format_to(to,
                   "<g><title>{}: {} — {}</title><rect x=\"{:.1f}\" y=\"{:.1f}\" width=\"{:.1f}\" "
                   "height=\"{:.1f}\" rx=\"4\" class=\"{}\"/>"
                   "<text x=\"{:.1f}\" y=\"{:.1f}\" class=\"stmt\">{}</text>"
                   "<text x=\"{:.1f}\" y=\"{:.1f}\" class=\"outcome\">{}</text></g>",
                   label(event.session, 40), label(statement, 400), label(detail, 400), x + 10,
                   y + 5, lane - 20, kRow - 10, event_class(event), x + 16, y + 18,
                   label(statement, points), x + 16, y + 31, label(detail, points));
  }
  return out + arrows + "</svg>";
}

}  // namespace clobber
