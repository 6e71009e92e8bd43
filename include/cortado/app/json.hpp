#pragma once
/// JSON as JavaScript writes it: JSON.stringify's exact text for a Boost.JSON value.

#include <boost/json/value.hpp>

#include <string>

namespace cortado {

namespace json = boost::json;

/// Serialises `v` byte for byte as JavaScript's JSON.stringify does (number format,
/// escapes, key order as stored), so that cortado and Node produce identical text.
std::string stringify(const json::value& v);

/// Appends JSON.stringify(v) to `out`.
void stringify_to(std::string& out, const json::value& v);

/// Parses JSON text; throws std::invalid_argument with a one-line reason when malformed.
json::value parse_json(std::string_view text);

}  // namespace cortado
