#pragma once
/// HTTP status codes' reason phrases, as Node names them.

#include <string_view>

namespace cortado {

/// The reason phrase of Node's http.STATUS_CODES (what Express writes, "Not Found"); "" for a
/// code Node does not name.
std::string_view status_text(unsigned status);

}  // namespace cortado
