// cookie_session(): cookie-session 2.1 (with cookies 0.9 and keygrip 1.1), request by request as
// Node runs it, and its sealed variant.
#include "cortado/session/cookie_session.hpp"

#include "app/access.hpp"
#include "cortado/app/request.hpp"
#include "cortado/app/response.hpp"
#include "cortado/core/clock.hpp"
#include "cortado/core/dates.hpp"
#include "cortado/session/session.hpp"
#include "session/cookie_codec.hpp"
#include "session/keygrip.hpp"
#include "session/sealed_cookie.hpp"
#include "session/session_host.hpp"
#include "session/session_slot.hpp"

#include <boost/beast/core/string.hpp>

#include <cctype>
#include <iostream>
#include <memory>
#include <stdexcept>

namespace cortado {

SessionCookieTooLarge::SessionCookieTooLarge(std::string name, std::size_t bytes)
    : HttpError(500, "the session does not fit in its cookie: \"" + name + "\" would take " + std::to_string(bytes) +
                         " bytes with its attributes, and browsers keep at most " + std::to_string(max_cookie_bytes)),
      bytes_(bytes) {}

namespace detail {
namespace {

// cookies' fieldContentRegExp: /^[\u0009\u0020-\u007e\u0080-\u00ff]+$/
bool field_content(std::string_view text) {
  if (text.empty()) return false;
  for (char c : text) {
    auto b = static_cast<unsigned char>(c);
    if (b != 0x09 && (b < 0x20 || b == 0x7f)) return false;
  }
  return true;
}

bool valid_name(std::string_view name) {
  return field_content(name) && name.find_first_of(";=") == std::string_view::npos;
}

bool valid_value(std::string_view value) {
  return value.empty() || (field_content(value) && value.find(';') == std::string_view::npos);
}

std::string lower(std::string_view text) {
  std::string out(text);
  for (auto& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

// What the cookies package refuses to write (it throws, and cookie-session then writes nothing).
std::optional<std::string> attribute_problem(const CookieAttributes& a) {
  if (a.path && !a.path->empty() && !field_content(*a.path)) return "option path is invalid";
  if (a.domain && !a.domain->empty() && !field_content(*a.domain)) return "option domain is invalid";
  if (a.priority && !a.priority->empty()) {
    auto p = lower(*a.priority);
    if (p != "low" && p != "medium" && p != "high") return "option priority is invalid";
  }
  if (a.same_site) {
    if (const auto* text = std::get_if<std::string>(&*a.same_site); text && !text->empty()) {
      auto s = lower(*text);
      if (s != "lax" && s != "none" && s != "strict") return "option sameSite is invalid";
    }
  }
  return std::nullopt;
}

// cookies' Cookie.prototype.toHeader.
std::string header_text(std::string_view name, std::string_view value, const CookieAttributes& a, bool secure,
                        std::optional<Timestamp> expires) {
  std::string h;
  h.reserve(name.size() + value.size() + 96);
  h.append(name).append("=").append(value);
  if (a.path && !a.path->empty()) h.append("; path=").append(*a.path);
  if (expires) h.append("; expires=").append(http_date(*expires));
  if (a.domain && !a.domain->empty()) h.append("; domain=").append(*a.domain);
  if (a.priority && !a.priority->empty()) h.append("; priority=").append(lower(*a.priority));
  if (a.same_site) {
    if (const bool* on = std::get_if<bool>(&*a.same_site)) {
      if (*on) h.append("; samesite=strict");
    } else if (const auto& text = std::get<std::string>(*a.same_site); !text.empty()) {
      h.append("; samesite=").append(lower(text));
    }
  }
  if (secure) h.append("; secure");
  if (a.http_only.value_or(true)) h.append("; httponly");
  if (a.partitioned.value_or(false)) h.append("; partitioned");
  return h;
}

// cookies' pushCookie: with overwrite, the Set-Cookie headers already there for `name` go first.
void push_cookie(Response& res, std::string_view name, const std::string& header, bool overwrite) {
  if (overwrite) {
    auto& raw = AppAccess::raw(res);
    std::string prefix = std::string(name) + "=";
    std::vector<std::string> kept;
    bool dropped = false;
    auto [first, last] = raw.equal_range(boost::beast::http::field::set_cookie);
    for (auto it = first; it != last; ++it) {
      std::string_view text(it->value().data(), it->value().size());
      if (text.starts_with(prefix))
        dropped = true;
      else
        kept.emplace_back(text);
    }
    if (dropped) {
      raw.erase(boost::beast::http::field::set_cookie);
      for (const auto& text : kept) raw.insert(boost::beast::http::field::set_cookie, text);
    }
  }
  res.append("Set-Cookie", header);
}

constexpr auto default_sealed_lifetime = std::chrono::hours(24);

}  // namespace

/// The options as one middleware uses them, shared by all its requests.
struct CookieSessionConfig {
  CookieSessionOptions options;
  std::optional<Keygrip> keygrip;  // signed (and not sealed)
  std::unique_ptr<Sealer> sealer;  // sealed
  std::string sig_name;
};

/// cookie-session's per-request closure: the cookie as it came, and the Set-Cookie it writes.
class CookieSessionContext : public SessionHost, public std::enable_shared_from_this<CookieSessionContext> {
 public:
  CookieSessionContext(std::shared_ptr<const CookieSessionConfig> config, Request& req, Response& res)
      : config_(std::move(config)), req_(req), res_(res) {}

  /// cookie-session's getSession(): reads the cookie (a bad signature clears the .sig cookie, one
  /// from a retired key gets it written again), or makes a new session.
  std::shared_ptr<Session> load();
  /// cookie-session's setHeaders(), as the response's headers go out.
  void set_headers();
  /// Sealed: throws SessionCookieTooLarge now, while the app's error handlers can still answer,
  /// when the cookie set_headers() would write does not fit.
  void check_size();

  Task<> regenerate(Session& s, bool keep_data) override;
  Task<> destroy(Session& s) override;
  Task<> reload(Session& s) override;
  Task<> save(Session&) override { co_return; }
  bool is_changed(const Session& s) const override;

 private:
  const CookieSessionOptions& options() const { return config_->options; }
  /// The data the request's cookie held (nullopt: none, or not valid).
  std::optional<json::object> original_data() const;
  /// Whether set_headers() writes the session (it is not an empty new one, and it changed).
  bool should_write(const Session& s) const { return (!s.is_new() || s.is_populated()) && is_changed(s); }
  /// The cookie value for the session's data now (sealed once per distinct text).
  const std::string& value_of(const Session& s);
  /// The Set-Cookie text for `value` with `attributes` ("" value: the clearing one).
  std::string header_for(std::string_view value, const CookieAttributes& attributes) const;
  /// cookies.set(name, value, opts), the signature cookie too when signed; false when cookies
  /// would refuse (a secure cookie over plain HTTP, an attribute it cannot write).
  bool write(std::string_view value, const CookieAttributes& attributes);

  std::shared_ptr<const CookieSessionConfig> config_;
  Request& req_;
  Response& res_;
  /// cookie-session's _val: the cookie's value as read (sealed: the JSON inside it).
  std::string original_;
  /// Sealed: opened with a retired key, so written again with the first.
  bool reseal_ = false;
  /// Sealed: the expiry sealed in the request's cookie (kept when only the key changes).
  Timestamp original_expiry_{};
  /// Sealed: the size error has been raised for this request.
  bool too_large_ = false;
  std::string written_text_;
  std::string written_value_;
};

std::shared_ptr<Session> CookieSessionContext::load() {
  auto session = std::make_shared<Session>(shared_from_this(), "", SessionCookie{.attributes = options().cookie});
  const auto& name = options().name;
  auto header = req_.get("cookie");
  auto value = cookies_get(header, name);
  if (!value) return session;
  std::optional<json::object> data;
  if (config_->sealer) {
    if (auto opened = config_->sealer->open(name, *value, now_ms())) {
      try {
        data = keys_of(parse_json(opened->json, max_session_depth));
        original_ = std::move(opened->json);
        original_expiry_ = opened->expires_at;
        reseal_ = opened->key > 0;
      } catch (const std::invalid_argument&) {
      }
    }
  } else {
    if (config_->keygrip) {
      // cookies.get(name, {signed: true}): no signature cookie is no session, and nothing written.
      auto remote = cookies_get(header, config_->sig_name);
      if (!remote || remote->empty()) return session;
      std::string signed_text = latin1_to_utf8(name + "=" + std::string(*value));
      int index = config_->keygrip->index(signed_text, *remote);
      const bool secure = req_.secure();
      CookieAttributes sig_attributes;  // {path: "/", signed: false}: httpOnly and secure as cookies defaults them
      if (index < 0) {
        sig_attributes.http_only = true;
        push_cookie(res_, config_->sig_name, header_text(config_->sig_name, "", sig_attributes, secure, Timestamp{}), false);
        return session;
      }
      if (index > 0)
        push_cookie(res_, config_->sig_name,
                    header_text(config_->sig_name, config_->keygrip->sign(signed_text), sig_attributes, secure, std::nullopt),
                    false);
    }
    if (!value->empty()) {
      data = decode_cookie_session(*value);
      if (data) original_ = *value;
    }
  }
  if (!data) return session;
  session->data_ = std::move(*data);
  session->is_new_ = false;
  // Sealed JSON is what cortado wrote, already as JSON.stringify writes it: unless the data is
  // changed, it is unchanged. A signed cookie may hold any base64 and JSON that Node reads (keys
  // in another order, an array, no padding), which cookie-session counts as changed.
  session->data_may_change_ = !config_->sealer;
  return session;
}

bool CookieSessionContext::is_changed(const Session& s) const {
  if (s.is_new()) return true;
  if (reseal_) return true;
  if (!s.data_may_have_changed()) return false;
  auto text = s.data_text();
  return config_->sealer ? text != original_ : base64_encode(text) != original_;
}

const std::string& CookieSessionContext::value_of(const Session& s) {
  auto text = s.data_text();
  if (!written_value_.empty() && text == written_text_) return written_value_;
  if (config_->sealer) {
    const auto& a = s.cookie().attributes;
    auto lifetime = options().sealed_lifetime;
    if (!lifetime && a.max_age && a.max_age->count() != 0) lifetime = *a.max_age;
    Timestamp expires = lifetime ? now_ms() + *lifetime : a.expires ? *a.expires : now_ms() + default_sealed_lifetime;
    // Sealed again only for a new key: the cookie ends when it would have.
    if (reseal_ && !s.is_new() && text == original_) expires = original_expiry_;
    written_value_ = config_->sealer->seal(options().name, text, expires);
  } else {
    written_value_ = base64_encode(text);
  }
  written_text_ = std::move(text);
  return written_value_;
}

std::string CookieSessionContext::header_for(std::string_view value, const CookieAttributes& a) const {
  const bool secure = a.secure ? *a.secure : req_.secure();
  std::optional<Timestamp> expires = a.expires;
  if (value.empty())
    expires = Timestamp{};
  else if (a.max_age && a.max_age->count() != 0)
    expires = now_ms() + *a.max_age;
  return header_text(options().name, value, a, secure, expires);
}

bool CookieSessionContext::write(std::string_view value, const CookieAttributes& a) {
  if (a.secure.value_or(false) && !req_.secure()) return false;  // "Cannot send secure cookie over unencrypted connection"
  if (!valid_value(value) || attribute_problem(a)) return false;
  auto header = header_for(value, a);
  const auto& name = options().name;
  if (config_->sealer && header.size() > SessionCookieTooLarge::max_cookie_bytes) {
    if (!too_large_)
      std::cerr << "cortado: " << req_.method() << ' ' << req_.original_url() << ": "
                << SessionCookieTooLarge(name, header.size()).what() << " (the cookie is not written)\n";
    return false;
  }
  push_cookie(res_, name, header, options().overwrite);
  if (config_->keygrip) {
    // The signature cookie: the same attributes (and expiry), its value keygrip.sign("name=value").
    auto sig = config_->keygrip->sign(latin1_to_utf8(name + "=" + std::string(value)));
    auto sig_header = header;
    sig_header.replace(0, name.size() + 1 + value.size(), config_->sig_name + "=" + sig);
    push_cookie(res_, config_->sig_name, sig_header, options().overwrite);
  }
  return true;
}

void CookieSessionContext::set_headers() {
  auto* slot = req_.find_slot<SessionSlot>();
  if (!slot || slot->load) return;  // req.session never read: nothing to write
  if (!slot->session) {
    // req.session = null: the cookie is cleared, with the attributes the request had for it.
    const auto& a = slot->retired.empty() ? options().cookie : slot->retired.back()->cookie().attributes;
    write("", a);
    return;
  }
  const Session& s = *slot->session;
  if (!should_write(s)) return;
  const auto& value = value_of(s);
  write(value, s.cookie().attributes);
}

void CookieSessionContext::check_size() {
  auto* slot = req_.find_slot<SessionSlot>();
  if (!slot || slot->load || !slot->session) return;
  const Session& s = *slot->session;
  if (!should_write(s)) return;
  auto size = header_for(value_of(s), s.cookie().attributes).size();
  if (size <= SessionCookieTooLarge::max_cookie_bytes) return;
  too_large_ = true;
  throw SessionCookieTooLarge(options().name, size);
}

std::optional<json::object> CookieSessionContext::original_data() const {
  if (original_.empty()) return std::nullopt;
  if (!config_->sealer) return decode_cookie_session(original_);
  try {
    return keys_of(parse_json(original_, max_session_depth));
  } catch (const std::invalid_argument&) {
    return std::nullopt;
  }
}

Task<> CookieSessionContext::regenerate(Session& s, bool keep_data) {
  // No id to change: the data goes (a login starts from nothing), and a session removed earlier
  // in the request is back.
  if (!keep_data) s.data_.clear();
  s.data_may_change_ = true;
  s.destroyed_ = false;
  auto& slot = req_.slot<SessionSlot>();
  slot.load = nullptr;
  slot.session = s.shared_from_this();
  co_return;
}

Task<> CookieSessionContext::destroy(Session& s) {
  req_.unset_session();
  s.destroyed_ = true;
  co_return;
}

Task<> CookieSessionContext::reload(Session& s) {
  s.data_ = s.is_new() ? json::object() : original_data().value_or(json::object());
  s.data_may_change_ = true;
  co_return;
}

namespace {

std::shared_ptr<CookieSessionConfig> make_config(CookieSessionOptions options) {
  if (!valid_name(options.name)) throw std::invalid_argument("argument name is invalid");
  std::vector<std::string> keys = options.keys;
  if (keys.empty() && options.secret) keys.push_back(*options.secret);
  if (keys.empty() && (options.sign || options.sealed)) throw std::invalid_argument(".keys required.");
  for (const auto& key : keys)
    if (key.empty()) throw std::invalid_argument("cookie session keys must not be empty");
  if (auto problem = attribute_problem(options.cookie)) throw std::invalid_argument(*problem);
  if (!valid_name(options.name + ".sig")) throw std::invalid_argument("argument name is invalid");
  auto config = std::make_shared<CookieSessionConfig>();
  if (options.sealed)
    config->sealer = std::make_unique<Sealer>(keys);
  else if (options.sign)
    config->keygrip.emplace(keys);
  config->sig_name = options.name + ".sig";
  config->options = std::move(options);
  return config;
}

std::shared_ptr<CookieSessionContext> start(const std::shared_ptr<const CookieSessionConfig>& config, Request& req,
                                            Response& res) {
  auto ctx = std::make_shared<CookieSessionContext>(config, req, res);
  auto& slot = req.slot<SessionSlot>();
  slot.id.clear();
  slot.store = nullptr;
  slot.load = [ctx] { return ctx->load(); };
  res.on_headers([ctx] { ctx->set_headers(); });
  return ctx;
}

}  // namespace
}  // namespace detail

Middleware cookie_session(CookieSessionOptions options) {
  std::shared_ptr<const detail::CookieSessionConfig> config = detail::make_config(std::move(options));
  if (!config->sealer) {
    // Nothing to do after the handlers: a plain middleware, no coroutine frame.
    return make_middleware([config](Request& req, Response& res, Next next) {
      if (!req.has_session()) detail::start(config, req, res);
      next();
    });
  }
  return make_middleware([config](Request& req, Response& res, Next next) -> Task<> {
    if (req.has_session()) {
      co_await next();
      co_return;
    }
    auto ctx = detail::start(config, req, res);
    co_await next();
    ctx->check_size();
  });
}

}  // namespace cortado
