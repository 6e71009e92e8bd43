#pragma once
// A session's stored JSON written as text straight from the Session, without building the
// json::object that stringify would walk (the memory store keeps text: the object was only a
// step on the way to it).

#include "cortado/session/session_cookie.hpp"

#include <chrono>
#include <optional>
#include <string>

namespace cortado::detail {

/// Appends stringify(cookie.to_json()): the same text, byte for byte.
void append_cookie_json(std::string& out, const SessionCookie& cookie);

/// What a store reads as the cookie's expiry from that text (session_expiry() of it).
std::optional<std::chrono::system_clock::time_point> cookie_expiry(const SessionCookie& cookie);

}  // namespace cortado::detail
