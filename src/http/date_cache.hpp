#pragma once
// The Date header's value, formatted at most once a second per thread.

#include <string_view>

namespace cortado::http {

/// IMF-fixdate of the current second ("Sun, 06 Nov 1994 08:49:37 GMT").
std::string_view current_http_date();

}  // namespace cortado::http
