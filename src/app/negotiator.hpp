#pragma once
// Content negotiation as the npm packages `negotiator` (1.1) and `accepts` (2.0) do it: Accept,
// Accept-Charset, Accept-Encoding and Accept-Language parsed into q-valued items, and a list of
// offers ranked by quality, then specificity, then the order of the header, then the offers'.
// One place for req.accepts*(), res.format() and compression().

#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace cortado::negotiation {

/// One item of an Accept-style list as the content-type package (2.1) parses it: the value with
/// its original case, and its parameters (names lower-cased, the first of a repeated name kept).
struct HeaderItem {
  std::string value;
  std::vector<std::pair<std::string, std::string>> params;

  /// The parameter's value, or null when absent.
  const std::string* param(std::string_view name) const;
};

/// Splits an Accept-style header at its commas (not those inside quoted parameter values).
/// Empty items are kept: their position still counts in the header's order.
std::vector<HeaderItem> parse_list(std::string_view header);

/// JavaScript's parseFloat: the longest number at the start of `text`, NaN when there is none.
double parse_float(std::string_view text);

// The ranking functions take the header's value, or nullopt when the request has none (which
// negotiator reads as "*/*" for Accept and "*" for Accept-Charset and Accept-Language). With
// `offers` they return the acceptable offers, best first, as given; without, the header's own
// values with q > 0, best first.

std::vector<std::string> media_types(std::optional<std::string_view> accept,
                                     const std::vector<std::string>* offers = nullptr);
std::vector<std::string> charsets(std::optional<std::string_view> accept,
                                  const std::vector<std::string>* offers = nullptr);
std::vector<std::string> languages(std::optional<std::string_view> accept,
                                   const std::vector<std::string>* offers = nullptr);
/// `preferred` breaks ties between equal q values (the compression package passes its own).
std::vector<std::string> encodings(std::optional<std::string_view> accept,
                                   const std::vector<std::string>* offers = nullptr,
                                   const std::vector<std::string>* preferred = nullptr);
/// negotiator 0.6's Accept-Encoding rules, which the compression package (1.8) still bundles:
/// items split at every comma, a `q` parameter found only in lower case.
std::vector<std::string> encodings_0_6(std::string_view accept, const std::vector<std::string>& offers,
                                       const std::vector<std::string>& preferred);

/// accepts' types(): the best of `types` for `accept` (names such as "json" stand for their media
/// type), as given; nullopt when none is acceptable; the first one when the request has no Accept.
std::optional<std::string> best_type(std::optional<std::string_view> accept, const std::vector<std::string>& types);

}  // namespace cortado::negotiation
