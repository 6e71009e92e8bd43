#pragma once
// A cookie's value read without a string of its own: the session middleware reads its one
// cookie on every request, into a buffer it keeps inline.

#include <optional>
#include <string_view>

namespace cortado {

/// The value of the first cookie called `name` in a Cookie header, as sent (trimmed and
/// unquoted, not yet %-decoded), or nullopt; cookie.parse's walk, as find_cookie() takes it.
std::optional<std::string_view> find_raw_cookie(std::string_view header, std::string_view name);

}  // namespace cortado
