#include "http/plain_head.hpp"

#include "core/byte_table.hpp"
#include "core/byte_words.hpp"

#include <boost/beast/core/string.hpp>
#include <boost/beast/http/field.hpp>
#include <boost/beast/http/verb.hpp>

#include <cstdint>

namespace cortado::http {
namespace {

// Each check below takes a set of bytes within what Beast's parser accepts at that place,
// so that a head read here is one Beast reads too, to the same message.

// Field names: letters, digits, '-' and '_' (Beast takes any RFC 9110 token).
constexpr text::ByteTable name_bytes = text::alnum_and("-_");

// Whether all eight bytes are printable ASCII, 0x20 to 0x7E (no control byte, DEL or obs-text).
constexpr bool all_printable(std::uint64_t w) {
  return !text::has_byte_below(w, 0x20) && !text::has_byte(w, 0x7F) && !text::has_high_byte(w);
}

bool printable(char c) { return c >= 0x20 && c <= 0x7E; }

// The end of the run of printable ASCII from `p` (stopping at a space too when `stop_at_space`),
// eight bytes at a time while a whole word qualifies.
template <bool stop_at_space>
const char* printable_run(const char* p, const char* end) {
  while (end - p >= 8) {
    const std::uint64_t w = text::load_word(p);
    if (!all_printable(w) || (stop_at_space && text::has_byte(w, ' '))) break;
    p += 8;
  }
  while (p < end && printable(*p) && !(stop_at_space && *p == ' ')) ++p;
  return p;
}

// The request target: printable ASCII up to the space (Beast's also takes obs-text).
const char* target_end(const char* p, const char* end) { return printable_run<true>(p, end); }

// A field value's bytes up to its CR: printable ASCII and tabs (Beast's also takes obs-text).
const char* value_end(const char* p, const char* end) {
  for (;;) {
    p = printable_run<false>(p, end);
    if (p < end && *p == '\t') ++p;
    else return p;
  }
}

bool is_blank(char c) { return c == ' ' || c == '\t'; }

// Fields whose value Beast's parser reads for the framing or the connection's fate: a head with
// one goes to Beast, but for the Connection values that change nothing but keep-alive.
bool field_taken(beast_http::field f, std::string_view value) {
  using beast_http::field;
  switch (f) {
    case field::content_length:
    case field::transfer_encoding:
    case field::upgrade:
    case field::proxy_connection:
      return false;
    case field::connection:
      return boost::beast::iequals(value, "keep-alive") || boost::beast::iequals(value, "close");
    default:
      return true;
  }
}

}  // namespace

std::size_t parse_plain_head(std::string_view buffered, std::size_t header_limit, RawRequest& req) {
  // Beast refuses a head over the limit; one within it is read whole here or not at all.
  if (buffered.size() > header_limit) buffered = buffered.substr(0, header_limit);
  const char* const begin = buffered.data();
  const char* const end = begin + buffered.size();
  const char* p = begin;

  // Request line: METHOD SP target SP HTTP/1.x CRLF
  while (p < end && *p >= 'A' && *p <= 'Z') ++p;
  if (p == begin || p == end || *p != ' ') return 0;
  const std::string_view method(begin, static_cast<std::size_t>(p - begin));
  const beast_http::verb verb = beast_http::string_to_verb(method);
  if (verb == beast_http::verb::unknown) return 0;  // Beast keeps its text; check_head refuses it
  const char* const target_begin = ++p;
  p = target_end(p, end);
  if (p == target_begin || p == end || *p != ' ') return 0;
  const std::string_view target(target_begin, static_cast<std::size_t>(p - target_begin));
  ++p;
  constexpr std::string_view http1 = "HTTP/1.";
  if (end - p < 10 || std::string_view(p, http1.size()) != http1) return 0;
  const char minor = p[7];
  if ((minor != '0' && minor != '1') || p[8] != '\r' || p[9] != '\n') return 0;
  p += 10;

  req.method(verb);
  req.target(target);
  req.version(minor == '1' ? 11 : 10);

  // Fields: name ":" OWS value OWS CRLF, until the empty line.
  for (;;) {
    if (end - p < 2) return 0;
    if (p[0] == '\r') {
      if (p[1] != '\n') return 0;
      return static_cast<std::size_t>(p + 2 - begin);
    }
    const char* const name_begin = p;
    while (p < end && name_bytes[static_cast<unsigned char>(*p)]) ++p;
    if (p == name_begin || p == end || *p != ':') return 0;
    const std::string_view name(name_begin, static_cast<std::size_t>(p - name_begin));
    ++p;
    while (p < end && is_blank(*p)) ++p;
    const char* const value_begin = p;
    p = value_end(p, end);
    // CR LF, then not a blank: a folded line goes to Beast (and is refused before it gets there).
    if (end - p < 3 || p[0] != '\r' || p[1] != '\n' || is_blank(p[2])) return 0;
    // Trailing blanks stay: Beast's insert() trims the value, as it does for its own parser.
    const std::string_view value(value_begin, static_cast<std::size_t>(p - value_begin));
    const beast_http::field f = beast_http::string_to_field(name);
    if (!field_taken(f, value)) return 0;
    req.insert(f, name, value);
    p += 2;
  }
}

}  // namespace cortado::http
