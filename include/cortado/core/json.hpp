#pragma once
/// JSON as JavaScript writes it: JSON.stringify's exact text for a Boost.JSON value.

#include <boost/json/value.hpp>

#include <string>

namespace cortado {

namespace json = boost::json;

/// Serialises `v` byte for byte as JavaScript's JSON.stringify does (number format,
/// escapes, key order as stored), so that cortado and Node produce identical text.
std::string stringify(const json::value& v);

/// The same for an object, written where it is: passed as a json::value it would first be copied
/// into a new value, with an allocation for its table and each of its strings.
std::string stringify(const json::object& o);

/// Appends JSON.stringify(v) to `out`.
void stringify_to(std::string& out, const json::value& v);

/// How deeply parse_json lets arrays and objects nest unless told otherwise ([[1]] is 2 deep).
inline constexpr std::size_t default_json_depth = 64;

/// Parses JSON text into memory from `storage` (the default heap when none is given); throws
/// std::invalid_argument with a one-line reason when malformed or nested deeper than `max_depth`.
json::value parse_json(std::string_view text, std::size_t max_depth = default_json_depth, json::storage_ptr storage = {});

/// True when arrays and objects in `v` nest deeper than `depth` (as parse_json counts). Looks no
/// deeper than depth + 1, so it is cheap on the shallow values of every day.
bool nests_deeper_than(const json::value& v, std::size_t depth);

}  // namespace cortado
