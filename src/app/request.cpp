#include "cortado/app/request.hpp"

#include "cortado/core/url.hpp"
#include "core/header_text.hpp"
#include "http/field_scan.hpp"

#include <boost/beast/core/string.hpp>

#include <stdexcept>

namespace cortado {
namespace {

std::string_view first_list_item(std::string_view s) { return text::trim(s.substr(0, s.find(',')), " "); }

}  // namespace

Request::Request(http::RawRequest& raw, const http::Exchange& exchange, const Settings& settings)
    : raw_(raw), exchange_(exchange), settings_(settings), original_url_(raw.target()) {
  std::string_view target = original_url_;
  target = target.substr(0, target.find('#'));  // a fragment is not part of what is routed
  auto q = target.find('?');
  path_ = std::string(target.substr(0, q));
  if (q != std::string_view::npos) query_string_ = target.substr(q + 1);
  // An absolute-form target ("http://host/path") routes by its path, as Node's parseurl does.
  if (path_.starts_with("http://") || path_.starts_with("https://")) {
    auto slash = path_.find('/', path_.find("//") + 2);
    url_origin_ = path_.substr(0, slash);
    path_ = slash == std::string::npos ? "/" : path_.substr(slash);
  }
  original_path_ = path_;
}

std::string Request::url() const {
  // Express keeps the scheme and host of an absolute-form target in req.url.
  std::string u = url_origin_ + path_;
  if (!query_string_.empty() || original_url_.find('?') != std::string::npos) {
    u += '?';
    u += query_string_;
  }
  return u;
}

std::string_view Request::get(std::string_view field) const {
  // Express: "Referer" and "Referrer" are interchangeable.
  if (boost::beast::iequals(field, "referrer") || boost::beast::iequals(field, "referer")) {
    auto it = raw_.find("referer");
    if (it == raw_.end()) it = raw_.find("referrer");
    return it == raw_.end() ? std::string_view{} : std::string_view(it->value());
  }
  const auto code = boost::beast::http::string_to_field(field);
  if (code != boost::beast::http::field::unknown) return get(code);
  auto it = raw_.find(field);
  if (it == raw_.end()) return {};
  if (raw_.count(field) == 1 || keeps_first_only(it->name())) return it->value();
  return joined_field(field);
}

std::string_view Request::get(boost::beast::http::field field) const {
  if (field == boost::beast::http::field::referer) return get("referer");  // with its Referrer alias
  const http::FieldScan scan = http::scan_field(raw_, field);
  if (!scan.repeated || keeps_first_only(field)) return scan.value;
  return joined_field(boost::beast::http::to_string(field));
}

// Node keeps only the first of these when a request repeats them (its IncomingMessage's
// matchKnownFields); every other repeated field is one comma-separated list, Cookie a "; " list.
bool Request::keeps_first_only(boost::beast::http::field name) {
  using f = boost::beast::http::field;
  switch (name) {
    case f::age: case f::authorization: case f::content_length: case f::content_type: case f::etag:
    case f::expires: case f::from: case f::host: case f::if_modified_since: case f::if_unmodified_since:
    case f::last_modified: case f::location: case f::max_forwards: case f::proxy_authorization:
    case f::referer: case f::retry_after: case f::server: case f::user_agent:
      return true;
    default:
      return false;
  }
}

std::string_view Request::joined_field(std::string_view field) const {
  auto name = text::to_lower(field);
  for (const auto& [joined_name, value] : joined_)
    if (joined_name == name) return value;
  const bool cookie = name == "cookie";
  std::string value;
  // Every field of that name, wherever it stands among the others.
  for (const auto& f : raw_) {
    if (!boost::beast::iequals(f.name_string(), field)) continue;
    if (!value.empty()) value += cookie ? "; " : ", ";
    value += f.value();
  }
  return joined_.emplace_front(std::move(name), std::move(value)).second;
}

bool Request::has_header(std::string_view field) const {
  const auto code = boost::beast::http::string_to_field(field);
  if (code != boost::beast::http::field::unknown) return has_header(code);
  return raw_.find(field) != raw_.end();
}

bool Request::has_header(boost::beast::http::field field) const { return http::scan_field(raw_, field).found; }

const json::object& Request::query() const {
  if (!query_) query_ = parse_query(query_string_);
  return *query_;
}

std::string_view Request::query(std::string_view key) const {
  const auto& q = query();
  auto it = q.find(key);
  if (it == q.end()) return {};
  const json::value* v = &it->value();
  if (v->is_array()) {
    if (v->get_array().empty()) return {};
    v = &v->get_array().front();
  }
  return v->is_string() ? std::string_view(v->get_string()) : std::string_view{};
}

const Cookies& Request::cookies() const {
  if (!cookies_) {
    // Several Cookie headers are one "; " list (get()), as a browser would have sent them.
    cookies_ = parse_cookies(get("cookie"));
  }
  return *cookies_;
}

std::string Request::ip() const {
  if (settings_.trust_proxy) {
    auto forwarded = get("x-forwarded-for");
    if (!forwarded.empty()) return std::string(first_list_item(forwarded));
  }
  auto address = exchange_.remote.address();
  if (address.is_v6() && address.to_v6().is_v4_mapped())
    return "::ffff:" + boost::asio::ip::make_address_v4(boost::asio::ip::v4_mapped, address.to_v6()).to_string();
  return address.to_string();
}

std::string Request::protocol() const {
  if (settings_.trust_proxy) {
    auto proto = get("x-forwarded-proto");
    if (!proto.empty()) return std::string(first_list_item(proto));
  }
  return exchange_.secure ? "https" : "http";  // the connection's own, as Node's socket.encrypted
}

std::string Request::hostname() const {
  std::string_view host = settings_.trust_proxy && has_header("x-forwarded-host")
                              ? first_list_item(get("x-forwarded-host"))
                              : get("host");
  if (host.starts_with('[')) return std::string(host.substr(0, host.find(']') + 1));  // IPv6 literal
  return std::string(host.substr(0, host.find(':')));
}

bool Request::is(std::string_view type) const {
  auto content_type = get("content-type");
  if (content_type.empty()) return false;
  std::string media = text::to_lower(text::trim(content_type.substr(0, content_type.find(';')), " "));
  if (type == "json") return media == "application/json";
  if (type == "urlencoded") return media == "application/x-www-form-urlencoded";
  if (type == "text") return media.starts_with("text/");
  if (type == "html") return media == "text/html";
  if (type.ends_with("/*")) return media.starts_with(type.substr(0, type.size() - 1));
  return media == type;
}

}  // namespace cortado

namespace cortado {

std::string Request::route_pattern() const {
  if (route_trail_.depth == 0) return {};
  std::string out;
  // Mount patterns end where the route's own begins: "/api" + "/users/:id"; "/" adds nothing.
  for (std::size_t i = 0; i + 1 < route_trail_.depth; ++i) {
    std::string_view mount = *route_trail_.patterns[i];
    while (!mount.empty() && mount.back() == '/') mount.remove_suffix(1);
    out += mount;
  }
  out += *route_trail_.patterns[route_trail_.depth - 1];
  return out.empty() ? "/" : out;
}

}  // namespace cortado
