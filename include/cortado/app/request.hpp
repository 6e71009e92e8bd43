#pragma once
/// Request: what a handler reads of the incoming request (Express's req).

#include "cortado/core/cookies.hpp"
#include "cortado/core/json.hpp"
#include "cortado/core/kept_block_allocator.hpp"
#include "cortado/app/params.hpp"
#include "cortado/app/range.hpp"
#include "cortado/app/settings.hpp"
#include "cortado/http/exchange.hpp"

#include <boost/container/small_vector.hpp>
#include <boost/json/object.hpp>
#include <boost/json/value.hpp>

#include <concepts>
#include <array>
#include <forward_list>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <typeindex>
#include <utility>
#include <vector>

namespace cortado {

class App;
class Response;
class Session;
class Store;

namespace detail {
struct AppAccess;
}

/// The request as Express shows it: method, url parts, headers, params, query, cookies, body.
class Request {
 public:
  Request(http::RawRequest& raw, const http::Exchange& exchange, const Settings& settings);

  /// "GET", "POST", ...
  std::string_view method() const { return raw_.method_string(); }
  /// The url relative to where the current router is mounted, query included.
  std::string url() const;
  /// The url as the client sent it.
  const std::string& original_url() const { return original_url_; }
  /// The pathname of the url as the client sent it (no query, no scheme and host).
  const std::string& original_path() const { return original_path_; }
  /// Where the current router is mounted ("" at the app).
  const std::string& base_url() const { return base_url_; }
  /// The path relative to the mount point, without the query.
  const std::string& path() const { return path_; }
  /// A header's value ("" when absent); names are case-insensitive. Express's req.get(): a
  /// repeated field is one list ("a, b"; Cookie "a; b") except those Node keeps the first of
  /// (Host, Content-Type, Authorization, User-Agent, ...).
  std::string_view get(std::string_view field) const;
  /// get() for a field Beast knows by its code (boost::beast::http::field::cookie): no name to
  /// look up, what middleware reading a fixed header uses.
  std::string_view get(boost::beast::http::field field) const;
  /// Same as get().
  std::string_view header(std::string_view field) const { return get(field); }
  bool has_header(std::string_view field) const;
  /// has_header() for a field Beast knows by its code.
  bool has_header(boost::beast::http::field field) const;

  /// Named route parameters.
  const Params& params() const { return params_; }
  /// The query string parsed as Express 5 does (repeated keys become arrays).
  const json::object& query() const;
  /// One query value as text: the first when repeated, "" when absent.
  std::string_view query(std::string_view key) const;
  /// Cookies from the Cookie header (parsed on first use).
  const Cookies& cookies() const;

  /// The client's address, or the left-most X-Forwarded-For entry when the proxy is trusted.
  std::string ip() const;
  /// "http", or X-Forwarded-Proto's first value when the proxy is trusted.
  std::string protocol() const;
  bool secure() const { return protocol() == "https"; }
  /// The Host (or trusted X-Forwarded-Host) without its port.
  std::string hostname() const;
  /// True when the Content-Type's media type matches `type` ("json", "text/*", "application/json").
  bool is(std::string_view type) const;

  // Content negotiation, the accepts package's rules (src/app/negotiation.cpp). Given names,
  // the best one as given, nullopt when none is acceptable; given none, the header's values
  // with q > 0, best first. req.accepts("json", "html") or req.accepts({"json", "html"}).
  /// Express's req.accepts(): media types or extension names ("json", "html"); the first one
  /// when the request has no Accept.
  std::optional<std::string> accepts(const std::vector<std::string>& types) const;
  std::vector<std::string> accepts() const;
  std::optional<std::string> accepts_charsets(const std::vector<std::string>& charsets) const;
  std::vector<std::string> accepts_charsets() const;
  std::optional<std::string> accepts_encodings(const std::vector<std::string>& encodings) const;
  std::vector<std::string> accepts_encodings() const;
  std::optional<std::string> accepts_languages(const std::vector<std::string>& languages) const;
  std::vector<std::string> accepts_languages() const;
  template <class... Names>
    requires(sizeof...(Names) > 0 && (std::convertible_to<const Names&, std::string_view> && ...))
  std::optional<std::string> accepts(const Names&... names) const {
    return accepts(std::vector<std::string>{std::string(std::string_view(names))...});
  }
  template <class... Names>
    requires(sizeof...(Names) > 0 && (std::convertible_to<const Names&, std::string_view> && ...))
  std::optional<std::string> accepts_charsets(const Names&... names) const {
    return accepts_charsets(std::vector<std::string>{std::string(std::string_view(names))...});
  }
  template <class... Names>
    requires(sizeof...(Names) > 0 && (std::convertible_to<const Names&, std::string_view> && ...))
  std::optional<std::string> accepts_encodings(const Names&... names) const {
    return accepts_encodings(std::vector<std::string>{std::string(std::string_view(names))...});
  }
  template <class... Names>
    requires(sizeof...(Names) > 0 && (std::convertible_to<const Names&, std::string_view> && ...))
  std::optional<std::string> accepts_languages(const Names&... names) const {
    return accepts_languages(std::vector<std::string>{std::string(std::string_view(names))...});
  }

  /// The parsed body: set by the body parsers (json(), urlencoded(), text()); null before.
  json::value& body() { return body_; }
  const json::value& body() const { return body_; }
  /// A body parser has filled body() (Express: req.body is not undefined).
  bool has_body() const { return has_body_; }
  void set_body(json::value body) {
    body_ = std::move(body);
    has_body_ = true;
  }
  /// The body bytes exactly as received.
  const std::string& raw_body() const { return raw_.body(); }
  /// The trailer fields sent after a chunked body (Node's req.trailers); never part of get().
  const http::Fields& trailers() const { return exchange_.trailers; }

  // The session (Express's req.session and friends). Defined by the session layer
  // (src/session/request_session.cpp) over a slot() the session middleware fills; they need it.
  /// The session, once the session middleware has run; throws std::logic_error before.
  Session& session();
  bool has_session() const;
  /// `req.session = null` in Express: the request goes on without a session; with the
  /// middleware's unset = "destroy" the stored session is destroyed at the end. The Session
  /// object itself lives on until the request ends, so a handler's `auto& s = req.session()`
  /// stays valid across destroy() and unset_session().
  void unset_session();
  /// The session id of this request (Express's req.sessionID); "" without a session.
  const std::string& session_id() const;
  /// The store the session middleware uses (Express's req.sessionStore); null without one.
  const std::shared_ptr<Store>& session_store() const;

  /// Per-request state that a middleware keeps on the request, one value of each type, made on
  /// first use and alive until the request ends (the session middleware keeps its session here).
  template <class T>
  T& slot() {
    if (T* found = find_slot<T>()) return *found;
    auto made = std::allocate_shared<T>(detail::KeptBlockAllocator<T>());
    T& ref = *made;
    slots_.emplace_back(std::type_index(typeid(T)), std::move(made));
    return ref;
  }
  /// The value slot<T>() made, or null.
  template <class T>
  T* find_slot() const {
    for (const auto& [type, value] : slots_)
      if (type == std::type_index(typeid(T))) return static_cast<T*>(value.get());
    return nullptr;
  }

  /// The escape hatch: the Beast message as received, read-only, for what this class does not
  /// wrap (the HTTP version, fields in their received order and case).
  const http::RawRequest& raw() const { return raw_; }
  /// The settings of the App serving this request.
  const Settings& settings() const { return settings_; }
  /// The App serving this request (Express's req.app); throws std::logic_error outside one.
  App& app() const;

  // More of Express's req: fresh, stale, xhr, ips, subdomains, range.
  /// The client's cached copy is current (If-None-Match / If-Modified-Since against the
  /// response's ETag / Last-Modified set so far): a GET or HEAD may answer 304.
  bool fresh() const;
  bool stale() const { return !fresh(); }
  /// X-Requested-With is "XMLHttpRequest" (any case).
  bool xhr() const;
  /// With trust proxy: the X-Forwarded-For addresses, client first; else none.
  std::vector<std::string> ips() const;
  /// The hostname's labels left of the last `subdomain offset` ones, nearest first
  /// ("tobi.ferrets.example.com" → {"ferrets", "tobi"}); none for an IP address.
  std::vector<std::string> subdomains() const;
  /// The Range header for a resource of `size` bytes (range-parser); nullopt without one.
  std::optional<ByteRanges> range(std::uint64_t size, bool combine = false) const;

  /// The route that matched, as the path patterns of the routers it is mounted under and its
  /// own, outermost first; depth 0 when no route matched (yet). The pointers are the routes' own
  /// pattern text, which stays put once the app serves (routes are added before listen()), so a
  /// per-route cache (metrics) needs no text built.
  struct RouteTrail {
    static constexpr std::size_t max_depth = 6;
    std::array<const std::string*, max_depth> patterns{};
    std::size_t depth = 0;
    bool operator==(const RouteTrail&) const = default;
  };
  const RouteTrail& route_trail() const { return route_trail_; }
  /// The matched route's pattern with its routers' mount patterns before it ("/api/users/:id"):
  /// Express's req.baseUrl + req.route.path, with patterns in place of the values. "" when none.
  std::string route_pattern() const;

 private:
  // The router writes the mount point and params as the request walks through it.
  friend struct detail::AppAccess;

  static bool keeps_first_only(boost::beast::http::field name);
  std::string_view joined_field(std::string_view field) const;

  http::RawRequest& raw_;
  const http::Exchange& exchange_;
  const Settings& settings_;
  std::string original_url_;
  std::string_view query_string_;
  std::string original_path_;
  std::string url_origin_;  // "http://host" of an absolute-form target
  std::string base_url_;
  std::string path_;
  Params params_;
  json::value body_;
  bool has_body_ = false;
  mutable std::optional<json::object> query_;
  mutable std::optional<Cookies> cookies_;
  /// The lists made of repeated fields, by lower-case name (get() returns views into them).
  /// A forward_list: its elements stay in place as more are added, and an empty one allocates
  /// nothing (a deque allocates some 600 bytes when made, for every request).
  mutable std::forward_list<std::pair<std::string, std::string>> joined_;
  /// One inline: a session request uses one, and a vector's first element took an allocation.
  /// Not more: App::handle's coroutine frame holds this Request, and past 1,000 bytes that frame
  /// is a large-bin allocation for glibc, which consolidates the fastbins whenever its per-thread
  /// cache is empty, as it is with many requests waiting on a store.
  boost::container::small_vector<std::pair<std::type_index, std::shared_ptr<void>>, 1> slots_;
  App* app_ = nullptr;
  const Response* res_ = nullptr;
  RouteTrail route_trail_;
};

}  // namespace cortado
