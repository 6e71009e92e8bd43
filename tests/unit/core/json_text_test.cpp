// stringify's fast paths against what they stand in for: numbers against Node's own text (a
// fixture file Node wrote) and against to_chars's shortest digits; strings with an escape at every
// position of the eight-byte scan.

#include "cortado/core/json.hpp"

#include <gtest/gtest.h>

#include <bit>
#include <charconv>
#include <cmath>
#include <cstdint>
#include <filesystem>
#include <fstream>
#include <random>
#include <source_location>
#include <string>
#include <utility>

namespace cortado {
namespace {

std::string number(double d) { return stringify(json::value(d)); }

// A number's text as its significant digits and the power of ten of its first digit ("-12.5" and
// "1.25e+1" are both {"125", 1}), so that stringify's layout and to_chars's compare.
std::pair<std::string, int> significand(std::string_view text) {
  if (!text.empty() && text[0] == '-') text.remove_prefix(1);
  int exponent = 0;
  if (auto e = text.find('e'); e != std::string_view::npos) {
    auto digits = text.substr(e + 1);
    if (!digits.empty() && digits[0] == '+') digits.remove_prefix(1);
    std::from_chars(digits.data(), digits.data() + digits.size(), exponent);
    text = text.substr(0, e);
  }
  std::string digits;
  int point = static_cast<int>(text.find('.') == std::string_view::npos ? text.size() : text.find('.'));
  for (char c : text)
    if (c != '.') digits += c;
  while (!digits.empty() && digits.front() == '0') digits.erase(0, 1), --point;
  while (!digits.empty() && digits.back() == '0') digits.pop_back();
  return {digits, point + exponent};
}

// Shortest round-trip digits, as JavaScript chooses them, are what to_chars's shortest scientific
// form chooses (its plain form writes every digit of a large whole number).
void expect_shortest(double d) {
  char buf[64];
  auto end = std::to_chars(buf, buf + sizeof buf, d, std::chars_format::scientific).ptr;
  EXPECT_EQ(significand(number(d)), significand(std::string_view(buf, static_cast<std::size_t>(end - buf))))
      << number(d) << " against " << std::string_view(buf, static_cast<std::size_t>(end - buf));
}

TEST(Stringify, NumbersAsNodeWritesThem) {
  // tests/fixtures/js-numbers/numbers.txt: 8 567 doubles and JSON.stringify's text for each, from
  // Node (make.js beside it): edge values, decimals of 1 to 10 places, random bits, every magnitude.
  auto path = std::filesystem::path(std::source_location::current().file_name()).parent_path() /
              "../../fixtures/js-numbers/numbers.txt";
  std::ifstream in(path);
  ASSERT_TRUE(in) << path;
  std::string bits, expected;
  int count = 0;
  while (in >> bits >> expected) {
    const auto d = std::bit_cast<double>(std::stoull(bits, nullptr, 16));
    EXPECT_EQ(number(d), expected) << "bits " << bits;
    if (std::isfinite(d) && d != 0) expect_shortest(d);
    ++count;
  }
  EXPECT_EQ(count, 8567);
}

TEST(Stringify, ShortDecimalsHaveTheShortestDigits) {
  // m / 10^k for random m of 1 to 17 digits and k of 1 to 9: the fast path's domain and its edges.
  std::mt19937_64 random(20261205);
  for (int i = 0; i < 200000; ++i) {
    const int digits = 1 + static_cast<int>(random() % 17);
    const auto m = static_cast<double>(random() % static_cast<std::uint64_t>(std::pow(10.0, digits)));
    const double d = m / std::pow(10.0, 1 + static_cast<int>(random() % 9)) * (random() % 2 ? -1 : 1);
    if (d != 0) expect_shortest(d);
    if (HasFailure()) break;
  }
  // Neighbours of short decimals: one ulp either side needs all 16 or 17 digits.
  for (double d : {0.1, 1.25, 186.25, 99999999999999.99, 0.000001, 1e-6, 123456.789}) {
    expect_shortest(std::nextafter(d, 0.0));
    expect_shortest(std::nextafter(d, 1e300));
  }
}

TEST(Stringify, EscapesAnywhereInALongString) {
  // Long strings are scanned eight bytes a step: each escape at each position of a 47-byte string
  // of text that needs none (ASCII, U+007F, 2- and 3-byte UTF-8 with every high byte but a lone
  // surrogate's lead), and of the same string with nothing to escape.
  const std::string filler = "ab\x7f\xC3\xA9\xE2\x82\xAC" "cd\xEF\xBB\xBF~ 0123456789ABCDEFGHIJKLMNOPQRSTUV";
  EXPECT_EQ(stringify(json::string(filler)), '"' + filler + '"');
  const std::pair<std::string, std::string> escapes[] = {
      {"\"", "\\\""}, {"\\", "\\\\"}, {"\n", "\\n"}, {std::string(1, '\0'), "\\u0000"}, {"\x1f", "\\u001f"},
      {"\xED\xA0\x80", "\\ud800"}, {"\xED\xBF\xBF", "\\udfff"}};
  // Strings of up to 16 bytes are copied as two words that overlap: every length, every position.
  for (std::size_t length : {0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17, 18, 19, 20, 47}) {
    const std::string plain = filler.substr(0, length);
    EXPECT_EQ(stringify(json::string(plain)), '"' + plain + '"') << "length " << length;
    for (std::size_t at = 0; at <= length; ++at)
      for (const auto& [raw, escaped] : escapes) {
        std::string text(plain, 0, at), expected = "\"";
        text.append(raw).append(plain, at);
        expected.append(plain, 0, at).append(escaped).append(plain, at).append("\"");
        EXPECT_EQ(stringify(json::string(text)), expected) << "length " << length << " at " << at;
      }
  }
}

}  // namespace
}  // namespace cortado

namespace cortado {
namespace {

TEST(Stringify, LargeDocumentsAndSmallOnesAfter) {
  // stringify writes through a buffer kept per thread, let go of past 1 MiB: a large document,
  // then small ones, each whole and alone.
  const std::string large(3 << 20, 'x');
  EXPECT_EQ(stringify(json::value(json::string(large))), '"' + large + '"');
  EXPECT_EQ(stringify(json::value(json::array{1, "a", 2.5})), R"([1,"a",2.5])");
  EXPECT_EQ(stringify(json::value(json::string(large))).size(), large.size() + 2);
  EXPECT_EQ(stringify(json::value(nullptr)), "null");
}

}  // namespace
}  // namespace cortado
