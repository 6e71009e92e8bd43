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
/// escape-html: & < > " ' as entities.
std::string escape_html(std::string_view s);

}  // namespace cortado
