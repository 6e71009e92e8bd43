#include "session/cookie_codec.hpp"

#include "core/digest.hpp"
#include "cortado/session/store.hpp"

#include <array>
#include <span>

namespace cortado::detail {
namespace {

// The names a cookie-session Session has before any data is copied in (`key in this`): its own
// _ctx, the prototype's getters, and Object.prototype's members.
bool session_has(std::string_view key) {
  static constexpr std::array<std::string_view, 16> own{
      "_ctx",          "isChanged",        "isNew",          "isPopulated",       "constructor",
      "hasOwnProperty", "isPrototypeOf",   "propertyIsEnumerable", "toLocaleString", "toString",
      "valueOf",       "__proto__",        "__defineGetter__", "__defineSetter__", "__lookupGetter__",
      "__lookupSetter__"};
  for (auto name : own)
    if (name == key) return true;
  return false;
}

// The 3-byte (WTF-8) form of a UTF-16 unit, as parse_json keeps a lone surrogate.
std::string unit_text(std::uint32_t cp) {
  std::string out;
  if (cp < 0x80) {
    out += static_cast<char>(cp);
  } else if (cp < 0x800) {
    out += static_cast<char>(0xc0 | (cp >> 6));
    out += static_cast<char>(0x80 | (cp & 0x3f));
  } else {
    out += static_cast<char>(0xe0 | (cp >> 12));
    out += static_cast<char>(0x80 | ((cp >> 6) & 0x3f));
    out += static_cast<char>(0x80 | (cp & 0x3f));
  }
  return out;
}

// A JavaScript string's characters (UTF-16 units) from its (WTF-8) text: `for (key in "ab")`.
void add_units(json::object& out, std::string_view text) {
  std::size_t index = 0;
  auto add = [&](std::string unit) { out.emplace(std::to_string(index++), json::string(unit)); };
  for (std::size_t i = 0; i < text.size();) {
    auto byte = static_cast<unsigned char>(text[i]);
    std::size_t length = byte < 0x80 ? 1 : byte < 0xe0 ? 2 : byte < 0xf0 ? 3 : 4;
    length = std::min(length, text.size() - i);
    if (length < 4) {
      add(std::string(text.substr(i, length)));
    } else {  // beyond the BMP: two surrogates
      std::uint32_t cp = ((byte & 0x07u) << 18) | ((static_cast<unsigned char>(text[i + 1]) & 0x3fu) << 12) |
                         ((static_cast<unsigned char>(text[i + 2]) & 0x3fu) << 6) |
                         (static_cast<unsigned char>(text[i + 3]) & 0x3fu);
      cp -= 0x10000;
      add(unit_text(0xd800 + (cp >> 10)));
      add(unit_text(0xdc00 + (cp & 0x3ff)));
    }
    i += length;
  }
}

}  // namespace

std::optional<std::string_view> cookies_get(std::string_view header, std::string_view name) {
  // Where the pattern may start: the header's start, and after every ';'.
  for (std::size_t start = 0; start <= header.size();) {
    std::size_t at = start;
    while (at < header.size() && header[at] == ' ') ++at;
    if (header.substr(at).starts_with(name) && at + name.size() < header.size() && header[at + name.size()] == '=') {
      std::size_t begin = at + name.size() + 1;
      std::size_t end = header.find(';', begin);
      std::string_view value = header.substr(begin, end == std::string_view::npos ? std::string_view::npos : end - begin);
      // cookies: if (value[0] === '"') value = value.slice(1, -1)
      if (!value.empty() && value.front() == '"') value = value.size() >= 2 ? value.substr(1, value.size() - 2) : value.substr(1);
      return value;
    }
    std::size_t semicolon = header.find(';', start);
    if (semicolon == std::string_view::npos) break;
    start = semicolon + 1;
  }
  return std::nullopt;
}

std::string latin1_to_utf8(std::string_view bytes) {
  std::string out;
  out.reserve(bytes.size());
  for (char c : bytes) {
    auto b = static_cast<unsigned char>(c);
    if (b < 0x80) {
      out += c;
    } else {
      out += static_cast<char>(0xc0 | (b >> 6));
      out += static_cast<char>(0x80 | (b & 0x3f));
    }
  }
  return out;
}

std::string node_base64_decode(std::string_view text) {
  std::string out;
  out.reserve(text.size() / 4 * 3 + 2);
  unsigned group = 0;
  int count = 0;
  for (char c : text) {
    if (c == '=') break;
    int digit = base64_digit(static_cast<unsigned char>(c));
    if (digit < 0) continue;
    group = (group << 6) | static_cast<unsigned>(digit);
    if (++count == 4) {
      out += static_cast<char>((group >> 16) & 0xff);
      out += static_cast<char>((group >> 8) & 0xff);
      out += static_cast<char>(group & 0xff);
      group = 0;
      count = 0;
    }
  }
  if (count == 2) {
    out += static_cast<char>((group >> 4) & 0xff);
  } else if (count == 3) {
    out += static_cast<char>((group >> 10) & 0xff);
    out += static_cast<char>((group >> 2) & 0xff);
  }
  return out;
}

std::string base64_encode(std::string_view bytes) {
  std::string out;
  out.reserve((bytes.size() + 2) / 3 * 4);
  append_base64(out, std::span(reinterpret_cast<const unsigned char*>(bytes.data()), bytes.size()));
  return out;
}

json::object keys_of(json::value parsed) {
  json::object out;
  if (auto* object = parsed.if_object()) {
    for (auto& [key, value] : *object)
      if (!session_has(key)) out.emplace(key, std::move(value));
  } else if (auto* array = parsed.if_array()) {
    for (std::size_t i = 0; i < array->size(); ++i) out.emplace(std::to_string(i), std::move((*array)[i]));
  } else if (auto* string = parsed.if_string()) {
    add_units(out, *string);
  }
  return out;
}

std::optional<json::object> decode_cookie_session(std::string_view value) {
  try {
    // JSON.parse has no depth limit, but a cookie deeper than a stored session cannot be kept.
    return keys_of(parse_json(node_base64_decode(value), max_session_depth));
  } catch (const std::invalid_argument&) {
    return std::nullopt;
  }
}

}  // namespace cortado::detail
