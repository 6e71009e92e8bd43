#include "options.hpp"

#include <charconv>
#include <stdexcept>
#include <string_view>

namespace {

long long parse_number(std::string_view flag, std::string_view text) {
  long long value = 0;
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (ec != std::errc() || end != text.data() + text.size())
    throw std::invalid_argument(std::string(flag) + " needs a number, got '" + std::string(text) + "'");
  return value;
}

std::string one_of(std::string_view flag, std::string_view value, std::initializer_list<std::string_view> allowed) {
  for (auto a : allowed)
    if (a == value) return std::string(value);
  throw std::invalid_argument(std::string(flag) + ": unexpected value '" + std::string(value) + "'");
}

}  // namespace

LabConfig parse_lab_flags(int argc, char** argv) {
  LabConfig lab;
  auto& s = lab.session;
  s.resave = false;
  s.save_uninitialized = false;
  std::vector<std::string> secrets;
  std::string store_only_flag;  // the first flag given that only a server-side store has
  std::string cookie_only_flag;  // the first flag given that only the cookie stores have
  bool name_given = false;
  bool sign = true;
  bool overwrite = true;
  for (int i = 1; i < argc; ++i) {
    std::string_view flag = argv[i];
    auto value = [&]() -> std::string_view {
      if (i + 1 >= argc) throw std::invalid_argument(std::string(flag) + " needs a value");
      return argv[++i];
    };
    if (flag == "--port") {
      auto port = parse_number(flag, value());
      if (port < 0 || port > 65535) throw std::invalid_argument("--port out of range");
      lab.port = static_cast<std::uint16_t>(port);
      lab.port_given = true;
    } else if (flag == "--log") {
      lab.log = value();
    } else if (flag == "--metrics") {
      lab.metrics = true;
    } else if (flag == "--threads") {
      lab.threads = static_cast<std::size_t>(parse_number(flag, value()));
    } else if (flag == "--max-connections") {  // beyond docs/SESSION_LAB.md: the server's connection cap
      auto cap = parse_number(flag, value());
      if (cap < 1) throw std::invalid_argument("--max-connections must be at least 1");
      lab.max_connections = static_cast<std::size_t>(cap);
    } else if (flag == "--idle-timeout") {  // beyond docs/SESSION_LAB.md: the keep-alive idle timeout (ms)
      auto ms = parse_number(flag, value());
      if (ms < 1) throw std::invalid_argument("--idle-timeout must be at least 1");
      lab.idle_timeout = std::chrono::milliseconds(ms);
    } else if (flag == "--prune-interval") {  // beyond docs/SESSION_LAB.md: memory and SQLite stores' pruning (ms, 0 = off)
      auto ms = parse_number(flag, value());
      if (ms < 0) throw std::invalid_argument("--prune-interval must not be negative");
      lab.prune_interval = std::chrono::milliseconds(ms);
    } else if (flag == "--secret") {
      secrets.emplace_back(value());
    } else if (flag == "--name") {
      s.name = value();
      name_given = true;
    } else if (flag == "--resave") {
      if (store_only_flag.empty()) store_only_flag = flag;
      s.resave = true;
    } else if (flag == "--save-uninitialized") {
      if (store_only_flag.empty()) store_only_flag = flag;
      s.save_uninitialized = true;
    } else if (flag == "--rolling") {
      if (store_only_flag.empty()) store_only_flag = flag;
      s.rolling = true;
    } else if (flag == "--max-age") {
      s.cookie.max_age = std::chrono::milliseconds(parse_number(flag, value()));
    } else if (flag == "--no-http-only") {
      s.cookie.http_only = false;
    } else if (flag == "--secure") {
      auto v = one_of(flag, value(), {"true", "false", "auto"});
      if (v == "auto") s.secure_auto = true;
      else s.cookie.secure = v == "true";
    } else if (flag == "--same-site") {
      s.cookie.same_site = one_of(flag, value(), {"lax", "strict", "none"});
    } else if (flag == "--cookie-path") {
      s.cookie.path = value();
    } else if (flag == "--domain") {
      s.cookie.domain = std::string(value());
    } else if (flag == "--partitioned") {
      s.cookie.partitioned = true;
    } else if (flag == "--priority") {
      s.cookie.priority = one_of(flag, value(), {"low", "medium", "high"});
    } else if (flag == "--trust-proxy") {
      lab.trust_proxy = true;
    } else if (flag == "--proxy") {
      if (store_only_flag.empty()) store_only_flag = flag;
      s.proxy = one_of(flag, value(), {"true", "false"}) == "true";
    } else if (flag == "--unset") {
      if (store_only_flag.empty()) store_only_flag = flag;
      s.unset = one_of(flag, value(), {"destroy", "keep"});
    } else if (flag == "--merge-changes") {  // beyond docs/SESSION_LAB.md: cortado's merge_changes
      if (store_only_flag.empty()) store_only_flag = flag;
      s.merge_changes = true;
    } else if (flag == "--touch-after") {  // beyond docs/SESSION_LAB.md: cortado's touch_after (ms)
      if (store_only_flag.empty()) store_only_flag = flag;
      s.touch_after = std::chrono::milliseconds(parse_number(flag, value()));
    } else if (flag == "--store") {
      lab.store = value();
    } else if (flag == "--unsigned") {  // --store cookie: cookie-session's signed: false
      sign = false;
      if (cookie_only_flag.empty()) cookie_only_flag = flag;
    } else if (flag == "--no-overwrite") {  // --store cookie: cookie-session's overwrite: false
      overwrite = false;
      if (cookie_only_flag.empty()) cookie_only_flag = flag;
    } else if (flag == "--ws-origin") {
      lab.ws_origins.emplace_back(value());
    } else if (flag == "--ws-require-session") {  // GET /ws needs a stored session, else 401
      lab.ws_require_session = true;
    } else if (flag == "--tls-cert") {
      if (!lab.tls) lab.tls.emplace();
      lab.tls->cert_chain_file = value();
    } else if (flag == "--tls-key") {
      if (!lab.tls) lab.tls.emplace();
      lab.tls->key_file = value();
    } else {
      throw std::invalid_argument("unknown flag " + std::string(flag));
    }
  }
  if (!lab.port_given) throw std::invalid_argument("--port is required");
  if (lab.tls && (lab.tls->cert_chain_file.empty() || lab.tls->key_file.empty()))
    throw std::invalid_argument("--tls-cert and --tls-key go together");
  s.secret = secrets.empty() ? std::vector<std::string>{"lab-secret"} : secrets;
  if (lab.store == "cookie" || lab.store == "sealed-cookie") {
    if (!store_only_flag.empty()) throw std::invalid_argument(store_only_flag + " does not apply to --store " + lab.store);
    cortado::CookieSessionOptions c;
    if (name_given) c.name = s.name;
    c.keys = s.secret;
    c.sign = sign;
    c.overwrite = overwrite;
    c.sealed = lab.store == "sealed-cookie";
    c.cookie = s.cookie;
    if (s.secure_auto) c.cookie.secure.reset();  // cookie-session's own default: the request's protocol
    lab.cookie_session = std::move(c);
  } else if (!cookie_only_flag.empty()) {
    throw std::invalid_argument(cookie_only_flag + " needs --store cookie");
  }
  return lab;
}
