#include "cortado/app/range.hpp"

#include <algorithm>
#include <cmath>
#include <optional>

namespace cortado {
namespace {

// String.prototype.trim's ASCII part: a Range header is ASCII.
std::string_view trim(std::string_view s) {
  auto space = [](char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\v' || c == '\f'; };
  while (!s.empty() && space(s.front())) s.remove_prefix(1);
  while (!s.empty() && space(s.back())) s.remove_suffix(1);
  return s;
}

/// parsePos: digits only, else NaN (nullopt). Numbers as JavaScript holds them (doubles).
std::optional<double> parse_pos(std::string_view s) {
  if (s.empty()) return std::nullopt;
  double n = 0;
  for (char c : s) {
    if (c < '0' || c > '9') return std::nullopt;
    n = n * 10 + (c - '0');
  }
  return n;
}

}  // namespace

ByteRanges parse_range(std::uint64_t size, std::string_view header, bool combine) {
  ByteRanges out;
  auto eq = header.find('=');
  if (eq == std::string_view::npos) return {.result = -2};
  out.type = std::string(header.substr(0, eq));
  const double total = static_cast<double>(size);
  std::string_view rest = header.substr(eq + 1);
  for (;;) {
    auto comma = rest.find(',');
    std::string_view item = rest.substr(0, comma);
    auto dash = item.find('-');
    if (dash == std::string_view::npos) return {.result = -2};
    std::string_view start_text = trim(item.substr(0, dash));
    std::string_view end_text = trim(item.substr(dash + 1));
    double start = parse_pos(start_text).value_or(NAN);
    double end = parse_pos(end_text).value_or(NAN);
    if (start_text.empty()) {
      start = total - end;
      end = total - 1;
    } else if (end_text.empty()) {
      end = total - 1;
    }
    if (end > total - 1) end = total - 1;
    if (std::isnan(start) || std::isnan(end)) return {.result = -2};
    if (!(start > end || start < 0))
      out.ranges.push_back({static_cast<std::uint64_t>(start), static_cast<std::uint64_t>(end)});
    if (comma == std::string_view::npos) break;
    rest = rest.substr(comma + 1);
  }
  if (out.ranges.empty()) return {.result = -1};
  if (!combine) return out;

  // combineRanges: sort by start, merge overlapping or adjacent, back in the order asked.
  struct Indexed {
    ByteRanges::Range range;
    std::size_t index;
  };
  std::vector<Indexed> ordered;
  for (std::size_t i = 0; i < out.ranges.size(); ++i) ordered.push_back({out.ranges[i], i});
  std::stable_sort(ordered.begin(), ordered.end(),
                   [](const Indexed& a, const Indexed& b) { return a.range.start < b.range.start; });
  std::size_t j = 0;
  for (std::size_t i = 1; i < ordered.size(); ++i) {
    Indexed& current = ordered[j];
    const Indexed& next = ordered[i];
    if (next.range.start > current.range.end + 1) {
      ordered[++j] = next;
    } else if (next.range.end > current.range.end) {
      current.range.end = next.range.end;
      current.index = std::min(current.index, next.index);
    }
  }
  ordered.resize(j + 1);
  std::stable_sort(ordered.begin(), ordered.end(), [](const Indexed& a, const Indexed& b) { return a.index < b.index; });
  out.ranges.clear();
  for (const auto& o : ordered) out.ranges.push_back(o.range);
  return out;
}

}  // namespace cortado
