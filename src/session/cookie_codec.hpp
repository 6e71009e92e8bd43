#pragma once
// The text of cookie-session's cookies, read and written as Node reads and writes them: the
// cookies package's way of finding a cookie in the header, Buffer's base64, and the Session
// constructor's copy of the parsed JSON. What fuzz/cookie_session_fuzz.cpp feeds.

#include "cortado/core/json.hpp"

#include <boost/json/object.hpp>

#include <optional>
#include <string>
#include <string_view>

namespace cortado::detail {

/// cookies.get(name) without a signature check: the value of the first cookie `name` in a Cookie
/// header, as the pattern /(?:^|;) *NAME=([^;]*)/ finds it (not %-decoded, spaces kept), with a
/// leading '"' and the last character removed; nullopt when no cookie of that name is there.
std::optional<std::string_view> cookies_get(std::string_view header, std::string_view name);

/// The bytes of a header (Latin-1 to Node) as the UTF-8 that crypto's update() hashes.
std::string latin1_to_utf8(std::string_view bytes);

/// Buffer.from(text, 'base64') as Node decodes it: both alphabets ('+' '/' and '-' '_'), every
/// other character skipped, the first '=' ends it, and a last lone character is dropped.
std::string node_base64_decode(std::string_view text);

/// Buffer.from(bytes).toString('base64'): standard alphabet, '=' padding.
std::string base64_encode(std::string_view bytes);

/// cookie-session's Session.deserialize: JSON.parse of the base64-decoded value, then the keys
/// `new Session(ctx, obj)` copies (keys_of). nullopt when the text is not JSON.
std::optional<json::object> decode_cookie_session(std::string_view value);

/// What `new Session(ctx, obj)` copies of a parsed value: its enumerable keys (an object's own,
/// an array's indexes, a string's UTF-16 units; none for null, a number or a boolean), without
/// those a cookie-session Session already has (isNew, toString, __proto__, ...).
json::object keys_of(json::value parsed);

}  // namespace cortado::detail
