// Express's res.attachment, download, links and jsonp.
#include "cortado/app/response.hpp"

#include "cortado/app/content_disposition.hpp"
#include "cortado/app/request.hpp"

#include <boost/json/array.hpp>

#include <filesystem>

namespace cortado {
namespace {

std::string_view basename(std::string_view p) {
  while (p.size() > 1 && p.back() == '/') p.remove_suffix(1);
  auto slash = p.find_last_of('/');
  return slash == std::string_view::npos ? p : p.substr(slash + 1);
}

/// path.extname of a base name.
std::string_view extname(std::string_view name) {
  auto dot = name.find_last_of('.');
  return dot == std::string_view::npos || dot == 0 ? std::string_view{} : name.substr(dot);
}


std::string text_of(const json::value& v) {
  // `${value}` in a template literal: strings as they are, anything else as JavaScript prints it.
  if (v.is_string()) return std::string(v.get_string());
  if (v.is_null()) return "null";
  return stringify(v);
}

/// Appends <target>; rel="rel" (appends only: GCC 12 warns falsely on chains of string `+`).
void append_link(std::string& out, const json::value& target, std::string_view rel) {
  out += '<';
  out += text_of(target);
  out += ">; rel=\"";
  out += rel;
  out += '"';
}

}  // namespace

Response& Response::attachment(std::optional<std::string_view> filename) {
  if (filename) {
    std::string_view name = basename(*filename);
    if (!name.empty() && !extname(name).empty()) type(extname(name));
    return set("Content-Disposition", content_disposition(name));
  }
  return set("Content-Disposition", content_disposition());
}

void Response::download(std::string_view path, std::optional<std::string_view> filename, const SendFileOptions& options) {
  std::string disposition = content_disposition(basename(filename && !filename->empty() ? *filename : path));
  if (options.root.empty()) {
    // Express resolves a relative path against the working directory when no root is given.
    std::error_code ec;
    send_file(std::filesystem::absolute(std::filesystem::path(path), ec).lexically_normal().string(), options);
  } else {
    send_file(path, options);
  }
  set("Content-Disposition", disposition);  // only once the file is being sent, as send's headers
}

Response& Response::links(const json::object& links) {
  std::string link(get("link"));
  if (!link.empty()) link += ", ";
  bool first = true;
  for (const auto& [rel, target] : links) {
    if (!first) link += ", ";
    first = false;
    if (target.is_array()) {
      bool first_of_rel = true;
      for (const auto& one : target.get_array()) {
        if (!first_of_rel) link += ", ";
        first_of_rel = false;
        append_link(link, one, rel);
      }
    } else {
      append_link(link, target, rel);
    }
  }
  return set("Link", link);
}

void Response::jsonp(const json::value& value) {
  std::string body = stringify(value);
  if (get("content-type").empty()) {
    set("X-Content-Type-Options", "nosniff");
    set("Content-Type", "application/json");
  }
  std::string_view callback = req_.query(req_.settings().jsonp_callback_name);
  if (!callback.empty()) {
    set("X-Content-Type-Options", "nosniff");
    set("Content-Type", "text/javascript");
    // Only [A-Za-z0-9_$.[\]] stay: the name cannot close the call or start another statement.
    std::string name;
    for (char c : callback)
      if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_' || c == '$' ||
          c == '.' || c == '[' || c == ']')
        name += c;
    // U+2028 and U+2029 are valid in JSON but end a line in older JavaScript.
    std::string escaped;
    escaped.reserve(body.size());
    for (std::size_t i = 0; i < body.size(); ++i) {
      if (body.compare(i, 3, "\xE2\x80\xA8") == 0 || body.compare(i, 3, "\xE2\x80\xA9") == 0) {
        escaped += body[i + 2] == '\xA8' ? "\\u2028" : "\\u2029";
        i += 2;
      } else {
        escaped += body[i];
      }
    }
    body = "/**/ typeof " + name + " === 'function' && " + name + "(" + escaped + ");";
  }
  send(body);
}

}  // namespace cortado
