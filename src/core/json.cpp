#include "cortado/core/json.hpp"

#include "cortado/core/url.hpp"

#include "core/byte_table.hpp"
#include "core/byte_words.hpp"
#include "core/flat_json.hpp"

#include <boost/json/basic_parser_impl.hpp>
#include <boost/json/value_stack.hpp>

#include <algorithm>
#include <charconv>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <optional>
#include <vector>
#include <cmath>
#include <stdexcept>

namespace cortado {
namespace {

// Whether a byte of `w` needs an escape in a JSON string as JavaScript writes it (a control, '"',
// '\\', or 0xED, a lone surrogate's lead; escape_table below marks the same bytes). For 4- and
// 8-byte words.
template <class Word>
constexpr bool word_needs_escape(Word w) {
  return text::has_byte_below(w, 0x20) || text::has_byte(w, '"') || text::has_byte(w, '\\') || text::has_byte(w, 0xed);
}

// What stringify writes through: the output string, grown ahead in steps and written through a
// pointer, so that the many one-byte writes of a document ({, ", :, ,) are a store each rather
// than a call that checks the capacity. The string's size is put right when the writer goes.
class Writer {
 public:
  explicit Writer(std::string& out) : out_(out), size_(out.size()) {}
  /// Writes from `out`'s start and leaves its size alone: for a scratch buffer reused as it is.
  Writer(std::string& out, std::nullptr_t) : out_(out), size_(0), trim_(false) {}
  ~Writer() {
    if (trim_) out_.resize(size_);
  }
  Writer(const Writer&) = delete;
  Writer& operator=(const Writer&) = delete;

  Writer& operator+=(char c) {
    *room(1) = c;
    ++size_;
    return *this;
  }
  Writer& operator+=(std::string_view s) { return append(s.data(), s.size()); }
  Writer& append(const char* data, std::size_t n) {
    if (n) std::memcpy(room(n), data, n);
    size_ += n;
    return *this;
  }
  Writer& append(const char* first, const char* last) { return append(first, static_cast<std::size_t>(last - first)); }
  Writer& append(std::size_t n, char c) {
    std::memset(room(n), c, n);
    size_ += n;
    return *this;
  }
  /// '"' + s + '"' when no byte of s is marked in `escapes`, copied and checked in one pass
  /// (keys and short values: a call to memcpy and a scan before it cost more than the bytes);
  /// false, with nothing written, when one is.
  /// Up to 16 bytes: two words that overlap cover them, read, checked and written whole.
  bool quoted_if_plain(std::string_view s, const bool* escapes) {
    const std::size_t n = s.size();
    char* p = room(n + 2);
    const char* from = s.data();
    if (n >= 8) {
      if (!copy_two_words<std::uint64_t>(p + 1, from, n)) return false;
    } else if (n >= 4) {
      if (!copy_two_words<std::uint32_t>(p + 1, from, n)) return false;
    } else {
      for (std::size_t i = 0; i < n; ++i) {
        if (escapes[static_cast<unsigned char>(from[i])]) return false;
        p[i + 1] = from[i];
      }
    }
    p[0] = '"';
    p[n + 1] = '"';
    size_ += n + 2;
    return true;
  }
  // The n bytes (sizeof(Word) <= n <= 2 * sizeof(Word)) at `from` copied to `to` as the first
  // and the last word, unless one needs an escape.
  template <class Word>
  static bool copy_two_words(char* to, const char* from, std::size_t n) {
    Word first, last;
    std::memcpy(&first, from, sizeof first);
    std::memcpy(&last, from + n - sizeof last, sizeof last);
    if (word_needs_escape(first) || word_needs_escape(last)) return false;
    std::memcpy(to, &first, sizeof first);
    std::memcpy(to + n - sizeof last, &last, sizeof last);
    return true;
  }
  /// '"' + s + '"', for a string that needs no escape.
  void quoted(std::string_view s) {
    char* p = room(s.size() + 2);
    *p = '"';
    if (!s.empty()) std::memcpy(p + 1, s.data(), s.size());
    p[s.size() + 1] = '"';
    size_ += s.size() + 2;
  }

 private:
  // Room for n more bytes past the written ones.
  char* room(std::size_t n) {
    if (out_.size() - size_ < n) [[unlikely]]
      grow(n);
    return out_.data() + size_;
  }
  // Into the capacity the string has first (a short text stays in the string itself, without an
  // allocation), then by doubling, so that zero-filling the new part costs a constant per byte.
  [[gnu::noinline]] void grow(std::size_t n) {
    const std::size_t need = size_ + n;
    out_.resize(need <= out_.capacity() ? out_.capacity() : std::max(need + 64, 2 * out_.capacity()));
  }

  std::string& out_;
  std::size_t size_;
  bool trim_ = true;

 public:
  const char* data() const { return out_.data(); }
  std::size_t size() const { return size_; }
};

// Number.prototype.toString for a double: shortest digits that round-trip,
// laid out by ECMAScript's rules (plain up to 1e21, exponent below 1e-6).
void append_integer(Writer& out, std::int64_t n) {
  char buf[24];
  auto r = std::to_chars(buf, buf + sizeof buf, n);
  out.append(buf, r.ptr);
}

// The fractions most documents hold (prices, measures: 1.25, 186.25, 0.1) without the shortest-
// digits search: d is m / 10^k for an integer m of at most 15 digits and k from 1 to 8 exactly when
// the division m / 10^k, correctly rounded as IEEE division is, gives d back. Then m's digits are
// JavaScript's: no two decimals of 15 significant digits or fewer round to the same double
// (DBL_DIG), so no shorter text names d, and the smallest such k leaves no trailing zero in m.
// |d| from 1e-6 (below it JavaScript writes an exponent) and below 1e15 / 10^k; false otherwise,
// and the general path below writes d.
bool append_short_decimal(Writer& out, double d) {
  static constexpr double powers[] = {1, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8};
  const double magnitude = std::abs(d);
  if (!(magnitude >= 1e-6)) return false;
  for (int k = 1; k <= 8; ++k) {
    const double scaled = magnitude * powers[k];
    if (scaled >= 1e15) return false;
    // The nearest integer (a conversion, not a call to nearbyint); a wrong guess only fails the test.
    const auto m = static_cast<std::uint64_t>(scaled + 0.5);
    if (static_cast<double>(m) / powers[k] != magnitude) continue;
    char digits[24];
    const auto end = std::to_chars(digits, digits + sizeof digits, m).ptr;
    const auto length = static_cast<int>(end - digits);
    if (d < 0) out += '-';
    if (length > k) {
      out.append(digits, end - k);
      out += '.';
      out.append(end - k, end);
    } else {
      out += "0.";
      out.append(static_cast<std::size_t>(k - length), '0');
      out.append(digits, end);
    }
    return true;
  }
  return false;
}

void append_js_number(Writer& out, double d) {
  if (!std::isfinite(d)) {
    out += "null";
    return;
  }
  if (d == 0) {
    out += '0';  // also for -0, as JavaScript prints it
    return;
  }
  // Whole numbers below 2^53 print as integers, and are most of the numbers apps write.
  if (std::abs(d) < 9007199254740992.0 && d == std::trunc(d)) {
    append_integer(out, static_cast<std::int64_t>(d));
    return;
  }
  if (append_short_decimal(out, d)) return;
  char buf[64];
  // A fraction from 1e-6 up writes the shortest round-trip digits without an exponent, in
  // JavaScript and in to_chars's shortest form whenever it chose no exponent either (a double
  // this small with a fraction has 17 digits at most; larger whole ones were written above).
  const double magnitude = std::abs(d);
  if (magnitude >= 1e-6 && magnitude < 9007199254740992.0) {
    auto plain = std::to_chars(buf, buf + sizeof buf, d);
    if (std::find(buf, plain.ptr, 'e') == plain.ptr) {
      out.append(buf, plain.ptr);
      return;
    }
  }
  auto r = std::to_chars(buf, buf + sizeof buf, d, std::chars_format::scientific);
  std::string_view sci(buf, r.ptr - buf);  // e.g. "-1.2345e+02"
  bool negative = sci.front() == '-';
  if (negative) sci.remove_prefix(1);
  auto e = sci.find('e');
  // The significant digits without the point: at most 17 of them.
  char digit_buf[24];
  int k = 0;
  for (char c : sci.substr(0, e))
    if (c != '.') digit_buf[k++] = c;
  std::string_view digits(digit_buf, static_cast<std::size_t>(k));
  int exp10 = 0;
  std::from_chars(sci.data() + e + 1 + (sci[e + 1] == '+'), sci.data() + sci.size(), exp10);
  int n = exp10 + 1;  // position of the decimal point relative to the digits
  if (negative) out += '-';
  if (k <= n && n <= 21) {
    out += digits;
    out.append(n - k, '0');
  } else if (0 < n && n <= 21) {
    out += digits.substr(0, n);
    out += '.';
    out += digits.substr(n);
  } else if (-6 < n && n <= 0) {
    out += "0.";
    out.append(-n, '0');
    out += digits;
  } else {
    out += digits[0];
    if (k > 1) {
      out += '.';
      out += digits.substr(1);
    }
    out += 'e';
    out += n - 1 >= 0 ? '+' : '-';
    append_integer(out, std::abs(n - 1));
  }
}

// JSON.stringify's string quoting: only '"', '\\' and control characters are escaped, and a
// lone surrogate (held as its 3-byte form, see parse_json) as \udXXX.
// Bytes that may need an escape: quote, backslash, controls, and 0xED (a lone surrogate's lead).
constexpr bool needs_escape_check(unsigned char c) { return c < 0x20 || c == '"' || c == '\\' || c == 0xed; }
constexpr text::ByteTable escape_table = text::byte_table(needs_escape_check);

void append_js_string(Writer& out, std::string_view s) {
  static constexpr char hex[] = "0123456789abcdef";
  if (s.size() <= 16 && out.quoted_if_plain(s, escape_table.data())) return;
  // Keys and most values need no escape: the whole string goes in one write. The scan takes
  // eight bytes a step while it can.
  std::size_t plain = 0;
  for (std::uint64_t word; plain + 8 <= s.size(); plain += 8) {
    std::memcpy(&word, s.data() + plain, 8);
    if (word_needs_escape(word)) break;
  }
  while (plain < s.size() && !escape_table[static_cast<unsigned char>(s[plain])]) ++plain;
  if (plain == s.size()) {
    out.quoted(s);
    return;
  }
  out += '"';
  for (std::size_t i = 0; i < s.size(); ++i) {
    // Most text needs no escape at all: append the run of such bytes in one go.
    std::size_t run = i;
    while (run < s.size() && !escape_table[static_cast<unsigned char>(s[run])]) ++run;
    if (run > i) {
      out.append(s.data() + i, run - i);
      i = run;
      if (i == s.size()) break;
    }
    auto c = static_cast<unsigned char>(s[i]);
    if (c == 0xed && i + 2 < s.size() && (static_cast<unsigned char>(s[i + 1]) & 0xe0) == 0xa0) {
      unsigned unit = 0xd000 | ((static_cast<unsigned char>(s[i + 1]) & 0x3f) << 6) | (static_cast<unsigned char>(s[i + 2]) & 0x3f);
      out += "\\u";
      for (int shift = 12; shift >= 0; shift -= 4) out += hex[(unit >> shift) & 15];
      i += 2;
      continue;
    }
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

namespace {

void write_value(Writer& out, const json::value& v);

void write_object(Writer& out, const json::object& object) {
  out += '{';
  bool first = true;
  auto write = [&](std::string_view key, const json::value& item) {
    if (!first) out += ',';
    first = false;
    append_js_string(out, key);
    out += ':';
    write_value(out, item);
  };
  // A JavaScript object lists its array-index keys first, in numeric order; most objects
  // have none, and are written in their own order straight away.
  auto is_index = [](std::string_view key) { return !key.empty() && key[0] >= '0' && key[0] <= '9' && array_index(key); };
  if (std::none_of(object.begin(), object.end(), [&](const auto& entry) { return is_index(entry.key()); })) {
    for (const auto& entry : object) write(entry.key(), entry.value());
    out += '}';
    return;
  }
  std::vector<std::pair<std::uint32_t, const json::key_value_pair*>> indices;
  for (const auto& entry : object)
    if (auto index = array_index(entry.key())) indices.emplace_back(*index, &entry);
  std::sort(indices.begin(), indices.end(), [](const auto& a, const auto& b) { return a.first < b.first; });
  for (const auto& [index, entry] : indices) write(entry->key(), entry->value());
  for (const auto& entry : object)
    if (indices.empty() || !array_index(entry.key())) write(entry.key(), entry.value());
  out += '}';
}

void write_value(Writer& out, const json::value& v) {
  switch (v.kind()) {
    case json::kind::null: out += "null"; break;
    case json::kind::bool_: out += v.get_bool() ? "true" : "false"; break;
    case json::kind::int64:
      // Past 2^53 JavaScript holds the nearest double, and prints that.
      if (v.get_int64() > (std::int64_t{1} << 53) || v.get_int64() < -(std::int64_t{1} << 53))
        append_js_number(out, static_cast<double>(v.get_int64()));
      else
        append_integer(out, v.get_int64());
      break;
    case json::kind::uint64:
      if (v.get_uint64() > (std::uint64_t{1} << 53))
        append_js_number(out, static_cast<double>(v.get_uint64()));
      else
        append_integer(out, static_cast<std::int64_t>(v.get_uint64()));
      break;
    case json::kind::double_: append_js_number(out, v.get_double()); break;
    case json::kind::string: append_js_string(out, v.get_string()); break;
    case json::kind::array: {
      out += '[';
      bool first = true;
      for (const auto& item : v.get_array()) {
        if (!first) out += ',';
        first = false;
        write_value(out, item);
      }
      out += ']';
      break;
    }
    case json::kind::object: write_object(out, v.get_object()); break;
  }
}

}  // namespace

namespace {

// Writes with `write` into a buffer kept per thread (its bytes zero-filled once, when it grows),
// then copies into a string of the exact size: one allocation, where a new string grown by
// doubling was reallocated, copied and zero-filled a dozen times for a 10 KiB document.
template <typename Write>
std::string written(Write write) {
  thread_local std::string scratch;
  std::string text;
  {
    Writer writer(scratch, nullptr);
    write(writer);
    text.assign(writer.data(), writer.size());
  }
  // A thread keeps what a day's responses need, not the largest document it ever wrote.
  if (scratch.size() > (std::size_t{1} << 20)) std::string().swap(scratch);
  return text;
}

}  // namespace

void stringify_to(std::string& out, const json::value& v) {
  Writer writer(out);
  write_value(writer, v);
}

std::string stringify(const json::value& v) {
  return written([&](Writer& w) { write_value(w, v); });
}

std::string stringify(const json::object& o) {
  return written([&](Writer& w) { write_object(w, o); });
}

namespace {

// Builds the value as json::parser does, but reads every double from its text with from_chars:
// Boost.JSON 1.81 rounds some long numbers differently from JavaScript's JSON.parse.
class PreciseHandler {
 public:
  static constexpr std::size_t max_object_size = std::size_t(-1);
  static constexpr std::size_t max_array_size = std::size_t(-1);
  static constexpr std::size_t max_key_size = std::size_t(-1);
  static constexpr std::size_t max_string_size = std::size_t(-1);

  /// `scratch` is where the stack builds small documents before they become values, instead of
  /// memory it would allocate and free on every parse.
  PreciseHandler(unsigned char* scratch, std::size_t size) : stack(json::storage_ptr(), scratch, size) {}

  json::value_stack stack;
  std::string number;

  bool on_document_begin(boost::system::error_code&) { return true; }
  bool on_document_end(boost::system::error_code&) { return true; }
  bool on_object_begin(boost::system::error_code&) { return true; }
  bool on_object_end(std::size_t n, boost::system::error_code&) { return stack.push_object(n), true; }
  bool on_array_begin(boost::system::error_code&) { return true; }
  bool on_array_end(std::size_t n, boost::system::error_code&) { return stack.push_array(n), true; }
  bool on_key_part(json::string_view s, std::size_t, boost::system::error_code&) { return stack.push_chars(s), true; }
  bool on_key(json::string_view s, std::size_t, boost::system::error_code&) { return stack.push_key(s), true; }
  bool on_string_part(json::string_view s, std::size_t, boost::system::error_code&) { return stack.push_chars(s), true; }
  bool on_string(json::string_view s, std::size_t, boost::system::error_code&) { return stack.push_string(s), true; }
  bool on_number_part(json::string_view s, boost::system::error_code&) { return number.append(s.data(), s.size()), true; }
  bool on_int64(std::int64_t i, json::string_view, boost::system::error_code&) {
    number.clear();
    return stack.push_int64(i), true;
  }
  bool on_uint64(std::uint64_t u, json::string_view, boost::system::error_code&) {
    number.clear();
    return stack.push_uint64(u), true;
  }
  bool on_double(double d, json::string_view s, boost::system::error_code&) {
    number.append(s.data(), s.size());
    double exact = d;
    auto r = std::from_chars(number.data(), number.data() + number.size(), exact);
    if (r.ec == std::errc::result_out_of_range) exact = d;  // ±Infinity or 0, as JavaScript gets
    number.clear();
    return stack.push_double(exact), true;
  }
  bool on_bool(bool b, boost::system::error_code&) { return stack.push_bool(b), true; }
  bool on_null(boost::system::error_code&) { return stack.push_null(), true; }
  bool on_comment_part(json::string_view, boost::system::error_code&) { return true; }
  bool on_comment(json::string_view, boost::system::error_code&) { return true; }
};

// A lone \uD8xx escape is legal for JSON.parse; it is kept as the surrogate's 3-byte (WTF-8) form,
// which stringify writes back as the same escape.
std::string keep_lone_surrogates(std::string text) {
  auto hex4 = [&](std::size_t at) -> long {
    if (at + 4 > text.size()) return -1;
    long v = 0;
    for (std::size_t k = at; k < at + 4; ++k) {
      char c = text[k];
      int d = c >= '0' && c <= '9' ? c - '0' : c >= 'a' && c <= 'f' ? c - 'a' + 10 : c >= 'A' && c <= 'F' ? c - 'A' + 10 : -1;
      if (d < 0) return -1;
      v = v * 16 + d;
    }
    return v;
  };
  for (std::size_t i = 0; i + 1 < text.size(); ++i) {
    if (text[i] != '\\') continue;
    if (text[i + 1] != 'u') {
      ++i;  // an escaped character, possibly a backslash
      continue;
    }
    long unit = hex4(i + 2);
    if (unit >= 0xd800 && unit <= 0xdbff && text.compare(i + 6, 2, "\\u") == 0) {
      long next = hex4(i + 8);
      if (next >= 0xdc00 && next <= 0xdfff) {
        i += 11;  // a valid pair
        continue;
      }
    }
    if (unit >= 0xd800 && unit <= 0xdfff) {
      char bytes[3] = {static_cast<char>(0xe0 | (unit >> 12)), static_cast<char>(0x80 | ((unit >> 6) & 0x3f)),
                       static_cast<char>(0x80 | (unit & 0x3f))};
      text.replace(i, 6, bytes, 3);
      i += 2;
      continue;
    }
    i += 5;
  }
  return text;
}

// A string of plain characters (printable ASCII, no escape) at `p`, which is at its opening
// quote; `p` ends after the closing one. Anything else: nullopt.
std::optional<std::string_view> plain_string(const char*& p, const char* end) {
  if (p == end || *p != '"') return std::nullopt;
  const char* start = ++p;
  while (p != end && *p != '"') {
    const auto c = static_cast<unsigned char>(*p);
    if (c < 0x20 || c > 0x7e || c == '\\') return std::nullopt;
    ++p;
  }
  if (p == end) return std::nullopt;
  return std::string_view(start, static_cast<std::size_t>(p++ - start));
}

// An integer of at most 18 digits (any such fits an int64), without a fraction or exponent.
// "-0" is left to the parser: JavaScript reads it as a negative zero.
std::optional<std::int64_t> small_integer(const char*& p, const char* end) {
  const bool negative = p != end && *p == '-';
  const char* digits = p + (negative ? 1 : 0);
  const char* q = digits;
  std::int64_t value = 0;
  while (q != end && *q >= '0' && *q <= '9') {
    if (q - digits == 18) return std::nullopt;  // a 19th digit: the parser's (no overflow here)
    value = value * 10 + (*q++ - '0');
  }
  const auto count = q - digits;
  if (count == 0 || (*digits == '0' && (count > 1 || negative))) return std::nullopt;
  if (q != end && (*q == '.' || *q == 'e' || *q == 'E')) return std::nullopt;
  p = q;
  return negative ? -value : value;
}

}  // namespace

namespace detail {

// The texts read back most (a session's data: a few keys of plain strings, small integers,
// booleans) in one pass, without Boost.JSON's parser, whose setting up cost more than reading
// such a text. Whatever else a text holds (nesting, an escape, non-ASCII, a fraction, white
// space, a repeated key, an error) gives false, and the parser reads it: for what is read
// here it gives the same value. `out`, a null in the storage wanted, is made the object
// (thrown away when this gives false).
bool parse_flat_object(std::string_view text, json::value& out) {
  const char* p = text.data();
  const char* const end = p + text.size();
  if (text.size() < 2 || *p != '{') return false;
  json::object& object = out.emplace_object();
  if (*++p == '}') return p + 1 == end;
  for (;;) {
    const auto key = plain_string(p, end);
    if (!key || p == end || *p != ':' || ++p == end) return false;
    bool added = false;
    if (*p == '"') {
      const auto value = plain_string(p, end);
      if (!value) return false;
      added = object.emplace(*key, json::string_view(value->data(), value->size())).second;
    } else if ((*p >= '0' && *p <= '9') || *p == '-') {
      const auto value = small_integer(p, end);
      if (!value) return false;
      added = object.emplace(*key, *value).second;
    } else if (text.compare(static_cast<std::size_t>(p - text.data()), 4, "true") == 0) {
      p += 4;
      added = object.emplace(*key, true).second;
    } else if (text.compare(static_cast<std::size_t>(p - text.data()), 5, "false") == 0) {
      p += 5;
      added = object.emplace(*key, false).second;
    } else if (text.compare(static_cast<std::size_t>(p - text.data()), 4, "null") == 0) {
      p += 4;
      added = object.emplace(*key, nullptr).second;
    }
    if (!added || p == end) return false;  // a repeated key: JSON.parse keeps the last
    if (*p == ',') {
      ++p;
      continue;
    }
    return *p == '}' && p + 1 == end;
  }
}

}  // namespace detail

bool nests_deeper_than(const json::value& v, std::size_t depth) {
  if (v.is_object()) {
    if (depth == 0) return true;
    for (const auto& [key, item] : v.get_object())
      if (nests_deeper_than(item, depth - 1)) return true;
  } else if (v.is_array()) {
    if (depth == 0) return true;
    for (const auto& item : v.get_array())
      if (nests_deeper_than(item, depth - 1)) return true;
  }
  return false;
}

json::value parse_json(std::string_view text, std::size_t max_depth, json::storage_ptr storage) {
  if (max_depth > 0) {
    json::value flat(storage);
    if (detail::parse_flat_object(text, flat)) return flat;
  }
  // JavaScript decodes the bytes first: ill-formed UTF-8 becomes U+FFFD before JSON.parse sees it.
  // Most texts (every stored session without non-ASCII data) are ASCII without a \u escape:
  // nothing to decode or keep, so they are parsed where they lie, without a copy.
  const bool as_is = std::all_of(text.begin(), text.end(), [](char c) { return static_cast<unsigned char>(c) < 0x80; }) &&
                     text.find("\\u") == std::string_view::npos;
  std::string decoded;
  if (!as_is) decoded = keep_lone_surrogates(to_well_formed_utf8(text));
  const std::string_view input = as_is ? text : std::string_view(decoded);
  json::parse_options options;
  options.allow_invalid_utf8 = true;  // only the surrogates kept above remain "invalid"
  options.max_depth = max_depth;
  alignas(std::max_align_t) static thread_local unsigned char scratch[4096];  // parse_json never nests
  json::basic_parser<PreciseHandler> parser(options, scratch, sizeof scratch);
  parser.handler().stack.reset(std::move(storage));
  boost::system::error_code ec;
  auto used = parser.write_some(false, input.data(), input.size(), ec);
  if (!ec && used < input.size()) ec = json::error::extra_data;
  if (ec) throw std::invalid_argument("invalid JSON: " + ec.message());
  return parser.handler().stack.release();
}

}  // namespace cortado
