#pragma once
// The reader parse_json tries first: flat objects of plain values in one pass, without Boost.JSON's
// parser. Session stores use it to learn whether a stored text is exactly what stringify writes.

#include "cortado/core/json.hpp"

#include <string_view>

namespace cortado::detail {

/// Reads `text` when it is a flat object in the form stringify writes (no white space, plain ASCII
/// strings without escapes, integers of at most 18 digits, true, false, null, no repeated key)
/// into `out`, a null in the storage wanted, and gives true; stringify of what it read is then
/// `text` itself. Anything else gives false (`out` is then to be thrown away) and the text is for
/// parse_json, which reads what this reads the same way.
bool parse_flat_object(std::string_view text, json::value& out);

}  // namespace cortado::detail
