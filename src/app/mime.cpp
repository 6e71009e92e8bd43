#include "cortado/app/mime.hpp"

#include <algorithm>
#include <array>
#include <cctype>
#include <utility>

namespace cortado {
namespace {

// The common web types; sorted by extension for binary search.
constexpr std::array<std::pair<std::string_view, std::string_view>, 40> types{{
    {"avif", "image/avif"},
    {"bin", "application/octet-stream"},
    {"bmp", "image/bmp"},
    {"css", "text/css"},
    {"csv", "text/csv"},
    {"gif", "image/gif"},
    {"gz", "application/gzip"},
    {"htm", "text/html"},
    {"html", "text/html"},
    {"ico", "image/vnd.microsoft.icon"},
    {"jpeg", "image/jpeg"},
    {"jpg", "image/jpeg"},
    {"js", "text/javascript"},
    {"json", "application/json"},
    {"map", "application/json"},
    {"md", "text/markdown"},
    {"mjs", "text/javascript"},
    {"mp3", "audio/mpeg"},
    {"mp4", "video/mp4"},
    {"otf", "font/otf"},
    {"pdf", "application/pdf"},
    {"png", "image/png"},
    {"svg", "image/svg+xml"},
    {"tar", "application/x-tar"},
    {"text", "text/plain"},
    {"ttf", "font/ttf"},
    {"txt", "text/plain"},
    {"wasm", "application/wasm"},
    {"wav", "audio/wav"},
    {"weba", "audio/webm"},
    {"webm", "video/webm"},
    {"webmanifest", "application/manifest+json"},
    {"webp", "image/webp"},
    {"woff", "font/woff"},
    {"woff2", "font/woff2"},
    {"xhtml", "application/xhtml+xml"},
    {"xml", "application/xml"},
    {"yaml", "text/yaml"},
    {"yml", "text/yaml"},
    {"zip", "application/zip"},
}};

bool wants_charset(std::string_view type) {
  return type.starts_with("text/") || type == "application/json" || type == "application/javascript" ||
         type.ends_with("+json");
}

}  // namespace

std::string_view mime_type(std::string_view name) {
  auto dot = name.rfind('.');
  auto slash = name.rfind('/');
  if (dot != std::string_view::npos && (slash == std::string_view::npos || dot > slash)) name = name.substr(dot + 1);
  else if (slash != std::string_view::npos) return {};
  std::string ext(name);
  for (char& c : ext) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  auto it = std::lower_bound(types.begin(), types.end(), ext, [](const auto& entry, const std::string& key) {
    return entry.first < key;
  });
  return it != types.end() && it->first == ext ? it->second : std::string_view{};
}

std::string content_type_for(std::string_view type) {
  if (type.find('/') != std::string_view::npos) {
    std::string t(type);
    if (wants_charset(type) && type.find(';') == std::string_view::npos) t += "; charset=utf-8";
    return t;
  }
  auto found = mime_type(type);
  if (found.empty()) return "application/octet-stream";
  std::string t(found);
  if (wants_charset(found)) t += "; charset=utf-8";
  return t;
}

}  // namespace cortado
