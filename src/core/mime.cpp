#include "core/mime.hpp"

#include "core/header_text.hpp"

#include <algorithm>
#include <array>
#include <cctype>
#include <utility>

namespace cortado {
namespace {

#include "core/mime_table.inc"

// mime-types' charset(): text/* and the types mime-db marks UTF-8.
bool wants_charset(std::string_view type) {
  auto essence = text::to_lower(type.substr(0, type.find_first_of("; \t")));
  if (essence.starts_with("text/")) return true;
  return std::binary_search(std::begin(utf8_types), std::end(utf8_types), std::string_view(essence));
}

}  // namespace

std::string_view mime_type(std::string_view name) {
  auto dot = name.rfind('.');
  auto slash = name.rfind('/');
  if (dot != std::string_view::npos && (slash == std::string_view::npos || dot > slash)) name = name.substr(dot + 1);
  else if (slash != std::string_view::npos) return {};
  auto ext = text::to_lower(name);
  auto it = std::lower_bound(std::begin(extension_types), std::end(extension_types), ext,
                             [](const auto& entry, const std::string& key) { return entry.first < key; });
  return it != std::end(extension_types) && it->first == ext ? it->second : std::string_view{};
}

std::string content_type_for(std::string_view type) {
  if (type.find('/') != std::string_view::npos) {
    // mime.contentType: a full type keeps its parameters, and gets a charset unless it names one.
    std::string t(type);
    if (wants_charset(type) && text::to_lower(type).find("charset") == std::string::npos) t += "; charset=utf-8";
    return t;
  }
  auto found = mime_type(type);
  if (found.empty()) return "application/octet-stream";
  std::string t(found);
  if (wants_charset(found)) t += "; charset=utf-8";
  return t;
}

}  // namespace cortado
