// Route patterns: compile one, match a path against it. The pattern is the app's, the path the
// client's; matching must never take time that grows out of proportion with the path (libFuzzer's
// -timeout catches backtracking that does), and only the documented errors may come out:
// std::invalid_argument from a malformed pattern, HttpError 400 from a parameter that cannot be
// %-decoded.
//
// Input: one byte of options (bit 0 whole path, bit 1 case sensitive, bit 2 strict), the pattern
// (at most 256 bytes), a newline, the path (as long as libFuzzer's -max_len allows).
#include "fuzz_support.hpp"

#include "cortado/app/http_error.hpp"
#include "app/route_pattern.hpp"

#include <stdexcept>

namespace {

using cortado::RoutePattern;

constexpr std::size_t max_pattern = 256;

// What a match promises: it covers a prefix of the path, and each parameter has a value.
void check_match(const RoutePattern::Match& match, std::string_view path, const cortado::MatchOptions& options) {
  if (match.length > path.size()) fuzz::finding("a match longer than the path");
  if (options.whole_path && match.length != path.size() && path.substr(match.length) != "/")
    fuzz::finding("a whole-path match that left part of the path");
  for (const auto& [name, value] : match.params)
    if (name.empty()) fuzz::finding("a parameter without a name");
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size == 0) return 0;
  cortado::MatchOptions options{.whole_path = (data[0] & 1) == 0,
                                .case_sensitive = (data[0] & 2) != 0,
                                .strict = (data[0] & 4) != 0};
  auto input = fuzz::as_text(data + 1, size - 1);
  auto newline = input.find('\n');
  auto pattern_text = input.substr(0, newline);
  // Patterns are the developer's and short; past this the run only measures how slowly an
  // exception unwinds through thousands of nested '{' (each one a level of parse_tokens).
  if (pattern_text.size() > max_pattern) return 0;
  auto path = newline == std::string_view::npos ? std::string_view{} : input.substr(newline + 1);
  std::optional<RoutePattern> pattern;
  try {
    pattern.emplace(pattern_text, options);
  } catch (const std::invalid_argument&) {
    return 0;
  }
  try {
    if (auto match = pattern->match(path)) check_match(*match, path, options);
  } catch (const cortado::HttpError& e) {
    if (e.status() != 400) fuzz::finding("an HttpError other than 400 from match()");
  }
  return 0;
}
