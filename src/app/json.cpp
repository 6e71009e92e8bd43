#include "cortado/app/json.hpp"

#include <boost/json/parse.hpp>

#include <algorithm>
#include <charconv>
#include <cstdint>
#include <optional>
#include <vector>
#include <cmath>
#include <stdexcept>

namespace cortado {
namespace {

// Number.prototype.toString for a double: shortest digits that round-trip,
// laid out by ECMAScript's rules (plain up to 1e21, exponent below 1e-6).
void append_js_number(std::string& out, double d) {
  if (!std::isfinite(d)) {
    out += "null";
    return;
  }
  if (d == 0) {
    out += '0';  // also for -0, as JavaScript prints it
    return;
  }
  char buf[64];
  auto r = std::to_chars(buf, buf + sizeof buf, d, std::chars_format::scientific);
  std::string_view sci(buf, r.ptr - buf);  // e.g. "-1.2345e+02"
  bool negative = sci.front() == '-';
  if (negative) sci.remove_prefix(1);
  auto e = sci.find('e');
  std::string digits;
  for (char c : sci.substr(0, e))
    if (c != '.') digits += c;
  int exp10 = 0;
  std::from_chars(sci.data() + e + 1 + (sci[e + 1] == '+'), sci.data() + sci.size(), exp10);
  int k = static_cast<int>(digits.size());
  int n = exp10 + 1;  // position of the decimal point relative to the digits
  if (negative) out += '-';
  if (k <= n && n <= 21) {
    out += digits;
    out.append(n - k, '0');
  } else if (0 < n && n <= 21) {
    out.append(digits, 0, n);
    out += '.';
    out.append(digits, n);
  } else if (-6 < n && n <= 0) {
    out += "0.";
    out.append(-n, '0');
    out += digits;
  } else {
    out += digits[0];
    if (k > 1) {
      out += '.';
      out.append(digits, 1);
    }
    out += 'e';
    out += n - 1 >= 0 ? '+' : '-';
    out += std::to_string(std::abs(n - 1));
  }
}

// JSON.stringify's string quoting: only '"', '\\' and control characters are escaped.
void append_js_string(std::string& out, std::string_view s) {
  static constexpr char hex[] = "0123456789abcdef";
  out += '"';
  for (unsigned char c : s) {
    switch (c) {
      case '"': out += "\\\""; break;
      case '\\': out += "\\\\"; break;
      case '\b': out += "\\b"; break;
      case '\f': out += "\\f"; break;
      case '\n': out += "\\n"; break;
      case '\r': out += "\\r"; break;
      case '\t': out += "\\t"; break;
      default:
        if (c < 0x20) {
          out += "\\u00";
          out += hex[c >> 4];
          out += hex[c & 15];
        } else {
          out += static_cast<char>(c);
        }
    }
  }
  out += '"';
}

// A canonical array index ("0", "17"; not "01" or "-1"), below 2^32 - 1.
std::optional<std::uint32_t> array_index(std::string_view key) {
  if (key.empty() || key.size() > 10 || (key.size() > 1 && key[0] == '0')) return std::nullopt;
  std::uint64_t n = 0;
  for (char c : key) {
    if (c < '0' || c > '9') return std::nullopt;
    n = n * 10 + static_cast<unsigned>(c - '0');
  }
  if (n >= 0xffffffffull) return std::nullopt;
  return static_cast<std::uint32_t>(n);
}

}  // namespace

void stringify_to(std::string& out, const json::value& v) {
  switch (v.kind()) {
    case json::kind::null: out += "null"; break;
    case json::kind::bool_: out += v.get_bool() ? "true" : "false"; break;
    case json::kind::int64:
      // Past 2^53 JavaScript holds the nearest double, and prints that.
      if (v.get_int64() > (std::int64_t{1} << 53) || v.get_int64() < -(std::int64_t{1} << 53))
        append_js_number(out, static_cast<double>(v.get_int64()));
      else
        out += std::to_string(v.get_int64());
      break;
    case json::kind::uint64:
      if (v.get_uint64() > (std::uint64_t{1} << 53))
        append_js_number(out, static_cast<double>(v.get_uint64()));
      else
        out += std::to_string(v.get_uint64());
      break;
    case json::kind::double_: append_js_number(out, v.get_double()); break;
    case json::kind::string: append_js_string(out, v.get_string()); break;
    case json::kind::array: {
      out += '[';
      bool first = true;
      for (const auto& item : v.get_array()) {
        if (!first) out += ',';
        first = false;
        stringify_to(out, item);
      }
      out += ']';
      break;
    }
    case json::kind::object: {
      const auto& object = v.get_object();
      out += '{';
      bool first = true;
      auto write = [&](std::string_view key, const json::value& item) {
        if (!first) out += ',';
        first = false;
        append_js_string(out, key);
        out += ':';
        stringify_to(out, item);
      };
      // A JavaScript object lists its array-index keys first, in numeric order.
      std::vector<std::pair<std::uint32_t, const json::key_value_pair*>> indices;
      for (const auto& entry : object)
        if (auto index = array_index(entry.key())) indices.emplace_back(*index, &entry);
      std::sort(indices.begin(), indices.end(), [](const auto& a, const auto& b) { return a.first < b.first; });
      for (const auto& [index, entry] : indices) write(entry->key(), entry->value());
      for (const auto& entry : object)
        if (indices.empty() || !array_index(entry.key())) write(entry.key(), entry.value());
      out += '}';
      break;
    }
  }
}

std::string stringify(const json::value& v) {
  std::string out;
  stringify_to(out, v);
  return out;
}

json::value parse_json(std::string_view text) {
  boost::system::error_code ec;
  json::value v = json::parse(text, ec);
  if (ec) throw std::invalid_argument("invalid JSON: " + ec.message());
  return v;
}

}  // namespace cortado
