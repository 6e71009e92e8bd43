#pragma once
/// ByteRanges: a Range header read as the range-parser package reads it (Express's req.range).

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace cortado {

/// range-parser's answer: `result` 0 with the ranges, -1 unsatisfiable, -2 malformed.
struct ByteRanges {
  /// One satisfiable range, both ends included.
  struct Range {
    std::uint64_t start = 0;
    std::uint64_t end = 0;
    bool operator==(const Range&) const = default;
  };
  int result = 0;
  /// The unit before '=' ("bytes").
  std::string type{};
  std::vector<Range> ranges{};
};

/// Parses `header` for a resource of `size` bytes; `combine` merges overlapping and adjacent
/// ranges (kept in the order they were asked for), as range-parser's combine option does.
ByteRanges parse_range(std::uint64_t size, std::string_view header, bool combine = false);

}  // namespace cortado
