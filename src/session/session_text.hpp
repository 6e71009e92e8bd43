#pragma once
// A session's stored JSON written as text straight from the Session, without building the
// json::object that stringify would walk (the memory store keeps text: the object was only a
// step on the way to it).

#include "cortado/session/session_cookie.hpp"

#include <chrono>
#include <cstddef>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>

namespace cortado::detail {

/// `target` becomes `source`, its memory and storage too: a json::object's assignment keeps the
/// target's storage and copies into it when the two differ, its move construction never copies.
inline void take_object(json::object& target, json::object&& source) noexcept {
  std::destroy_at(&target);
  std::construct_at(&target, std::move(source));
}

/// Whether stringify may write `key` elsewhere than where it stands in its object: JavaScript
/// lists array-index keys ("0", "17") before the others.
inline bool key_may_move(std::string_view key) { return !key.empty() && key.front() >= '0' && key.front() <= '9'; }

/// Appends stringify(cookie.to_json()): the same text, byte for byte.
void append_cookie_json(std::string& out, const SessionCookie& cookie);

/// Reads the cookie at the start of a stored text as stored_text() writes it,
/// `{"cookie":{...}` then `,` or `}`, into `cookie` as SessionCookie::from_json would, without a
/// JSON parser: the memory store does it on every get. Returns the length of that start, up to
/// and including the cookie's closing brace, or 0 when the text does not follow append_cookie_json's
/// form exactly (escaped strings, fractional or huge numbers, other keys): parse it then.
std::size_t read_leading_cookie(std::string_view text, SessionCookie& cookie);

/// Takes "cookie" (its value and its position among the data keys) and the keys express-session
/// reserves out of a stored session, leaving its data.
std::pair<SessionCookie, std::size_t> split_stored_session(json::object& stored);

/// What a store reads as the cookie's expiry from that text (session_expiry() of it).
std::optional<std::chrono::system_clock::time_point> cookie_expiry(const SessionCookie& cookie);

/// Whether `expiry` (cookie_expiry(cookie)) is all a store needs of the cookie's expiry: it has
/// none, or one the store reads back. An expires beyond a JavaScript Date's range is not, and
/// goes to the store in the session's JSON, for the store to judge.
inline bool expiry_read_back(const SessionCookie& cookie,
                             const std::optional<std::chrono::system_clock::time_point>& expiry) {
  return expiry || !cookie.attributes.expires;
}

}  // namespace cortado::detail
