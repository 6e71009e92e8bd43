// Content negotiation on the request and the response: req.accepts*() (the accepts package over
// negotiator, whose rules live in app/negotiator.cpp), res.vary() and res.format().

#include "app/negotiator.hpp"
#include "core/header_text.hpp"
#include "core/mime.hpp"
#include "cortado/app/http_error.hpp"
#include "cortado/app/request.hpp"
#include "cortado/app/response.hpp"

#include <algorithm>
#include <stdexcept>

namespace cortado {

namespace {

// A header as negotiator sees it: absent differs from empty ("*/*" versus nothing acceptable).
std::optional<std::string_view> header_of(const Request& req, std::string_view field) {
  if (!req.has_header(field)) return std::nullopt;
  return req.get(field);
}

std::optional<std::string> first(std::vector<std::string> ranked) {
  if (ranked.empty()) return std::nullopt;
  return std::move(ranked.front());
}

}  // namespace

std::optional<std::string> Request::accepts(const std::vector<std::string>& types) const {
  if (types.empty()) return std::nullopt;
  return negotiation::best_type(header_of(*this, "accept"), types);
}

std::vector<std::string> Request::accepts() const { return negotiation::media_types(header_of(*this, "accept")); }

std::optional<std::string> Request::accepts_charsets(const std::vector<std::string>& charsets) const {
  return first(negotiation::charsets(header_of(*this, "accept-charset"), &charsets));
}

std::vector<std::string> Request::accepts_charsets() const {
  return negotiation::charsets(header_of(*this, "accept-charset"));
}

std::optional<std::string> Request::accepts_encodings(const std::vector<std::string>& encodings) const {
  return first(negotiation::encodings(header_of(*this, "accept-encoding"), &encodings));
}

std::vector<std::string> Request::accepts_encodings() const {
  return negotiation::encodings(header_of(*this, "accept-encoding"));
}

std::optional<std::string> Request::accepts_languages(const std::vector<std::string>& languages) const {
  return first(negotiation::languages(header_of(*this, "accept-language"), &languages));
}

std::vector<std::string> Request::accepts_languages() const {
  return negotiation::languages(header_of(*this, "accept-language"));
}

namespace {

// The vary package's parse(): split at ',', spaces dropped around (not inside) each name.
std::vector<std::string> vary_list(std::string_view header) {
  std::vector<std::string> list;
  std::size_t start = 0, end = 0;
  for (std::size_t i = 0; i < header.size(); ++i) {
    if (header[i] == ' ') {
      if (start == end) start = end = i + 1;
    } else if (header[i] == ',') {
      list.emplace_back(header.substr(start, end - start));
      start = end = i + 1;
    } else {
      end = i + 1;
    }
  }
  list.emplace_back(header.substr(start, end - start));
  return list;
}

// Sets Vary where it stands: Node's setHeader() keeps a header's first position, and the cors
// package's order (Access-Control-Allow-Origin, Vary, ...) depends on it. Beast's set() would
// move the field to the end, so the fields are written again in their order.
void set_vary_in_place(http::RawResponse& raw, const std::string& value) {
  if (raw.find(boost::beast::http::field::vary) == raw.end()) {
    raw.set(boost::beast::http::field::vary, value);
    return;
  }
  std::vector<std::pair<std::string, std::string>> fields;
  bool written = false;
  for (const auto& f : raw) {
    if (f.name() == boost::beast::http::field::vary) {
      if (!written) fields.emplace_back("Vary", value);
      written = true;
    } else {
      fields.emplace_back(std::string(f.name_string()), std::string(f.value()));
    }
  }
  raw.base().clear();
  for (const auto& [name, v] : fields) raw.insert(name, v);
}

}  // namespace

Response& Response::vary(std::string_view field) {
  if (field.empty()) throw std::invalid_argument("field argument is required");
  auto fields = vary_list(field);
  for (const auto& f : fields)
    if (!text::is_token(f)) throw std::invalid_argument("field argument contains an invalid header name");
  // Several Vary lines read as one list, as Node's getHeader() joins them.
  std::string current;
  auto [line, last] = raw_.equal_range("vary");
  for (; line != last; ++line) {
    if (!current.empty()) current += ", ";
    current += std::string_view(line->value());
  }
  if (current == "*") return *this;
  auto seen = vary_list(text::to_lower(current));
  if (std::find(fields.begin(), fields.end(), "*") != fields.end() ||
      std::find(seen.begin(), seen.end(), "*") != seen.end()) {
    set_vary_in_place(raw_, "*");
    return *this;
  }
  std::string value = std::move(current);
  for (const auto& f : fields) {
    auto lower = text::to_lower(f);
    if (std::find(seen.begin(), seen.end(), lower) != seen.end()) continue;
    seen.push_back(lower);
    if (!value.empty()) value += ", ";
    value += f;
  }
  if (!value.empty()) set_vary_in_place(raw_, value);
  return *this;
}

void Response::format(const FormatHandlers& handlers, const std::function<void()>& fallback) {
  std::vector<std::string> keys;
  const std::function<void()>* default_handler = fallback ? &fallback : nullptr;
  for (const auto& [key, handler] : handlers) {
    if (key == "default") {
      if (!default_handler) default_handler = &handler;
    } else {
      keys.push_back(key);
    }
  }
  auto key = keys.empty() ? std::nullopt : req_.accepts(keys);
  vary("Accept");
  if (key) {
    // Express's normalizeType(): a full type without its parameters, a name looked up.
    std::string type = key->find('/') != std::string::npos ? std::string(text::trim(key->substr(0, key->find(';'))))
                                                           : std::string(mime_type(*key));
    set("Content-Type", type.empty() ? "application/octet-stream" : type);
    for (const auto& [name, handler] : handlers)
      if (name == *key) return handler();
  }
  if (default_handler) return (*default_handler)();
  throw HttpError(406);
}

}  // namespace cortado
