#pragma once
/// URL text helpers with the exact rules of the Node functions Express relies on.

#include <boost/json/object.hpp>

#include <optional>
#include <string>
#include <string_view>

namespace cortado {

/// decodeURIComponent: nullopt when a %-escape is malformed or decodes to invalid UTF-8.
std::optional<std::string> decode_uri_component(std::string_view s);
/// encodeURIComponent: keeps A-Z a-z 0-9 - _ . ! ~ * ' ( ) and %-encodes every other byte.
std::string encode_uri_component(std::string_view s);
/// encodeurl (what res.location uses): encodes what is not allowed in a URL, keeps valid %XX.
std::string encode_url(std::string_view s);
/// Node's querystring.parse: '+' is a space, repeated keys become arrays, bad escapes stay as text.
boost::json::object parse_query(std::string_view query);
/// The text with every ill-formed UTF-8 sequence replaced by U+FFFD, as a JavaScript string
/// decoded from those bytes would hold.
std::string to_well_formed_utf8(std::string_view bytes);
/// ISO-8859-1 bytes as UTF-8.
std::string latin1_to_utf8(std::string_view bytes);
/// The form parser of body-parser 2 (qs with depth 0): like parse_query, but empty keys and
/// "__proto__" are dropped, and a value that cannot be decoded stays as written. With `latin1`
/// the %-escapes are ISO-8859-1 bytes. Throws std::length_error past `parameter_limit` pairs.
boost::json::object parse_form(std::string_view body, bool latin1, std::size_t parameter_limit = 1000);
/// escape-html: & < > " ' as entities.
std::string escape_html(std::string_view s);

}  // namespace cortado
