// redis_url: the redis:// URL form that redis-cli, node-redis and ioredis read, plus the store's query.
#include "redis_url.hpp"

#include <charconv>
#include <limits>
#include <stdexcept>
#include <type_traits>

namespace cortado::stores {
namespace {

// The URL may carry a password, so messages name the part that is wrong, never the URL itself.
[[noreturn]] void malformed(const std::string& reason) {
  throw std::invalid_argument("malformed redis URL: " + reason);
}

int hex_value(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

// '+' stays a plus: prefixes and passwords are not form data.
std::string percent_decode(std::string_view text, const char* what) {
  std::string out;
  out.reserve(text.size());
  for (std::size_t i = 0; i < text.size(); ++i) {
    if (text[i] != '%') {
      out += text[i];
      continue;
    }
    const int high = i + 2 < text.size() ? hex_value(text[i + 1]) : -1;
    const int low = i + 2 < text.size() ? hex_value(text[i + 2]) : -1;
    if (high < 0 || low < 0) malformed(std::string("bad %-escape in the ") + what);
    out += static_cast<char>(high * 16 + low);
    i += 2;
  }
  return out;
}

template <class Int>
Int parse_number(std::string_view text, Int max, const char* what) {
  Int value{};
  const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
  bool negative = false;
  if constexpr (std::is_signed_v<Int>) negative = value < 0;
  if (text.empty() || ec != std::errc() || end != text.data() + text.size() || negative || value > max) {
    malformed(std::string(what) + " '" + std::string(text) + "' is not a number from 0 to " + std::to_string(max));
  }
  return value;
}

bool parse_flag(std::string_view text, const char* what) {
  if (text.empty() || text == "1" || text == "true") return true;
  if (text == "0" || text == "false") return false;
  malformed(std::string(what) + " '" + std::string(text) + "' is not 1, 0, true or false");
}

void apply_query(std::string_view query, RedisOptions& options) {
  while (!query.empty()) {
    const std::size_t amp = query.find('&');
    const std::string_view pair = query.substr(0, amp);
    query = amp == std::string_view::npos ? std::string_view() : query.substr(amp + 1);
    if (pair.empty()) continue;
    const std::size_t eq = pair.find('=');
    const std::string name = percent_decode(pair.substr(0, eq), "query");
    const std::string value =
        eq == std::string_view::npos ? std::string() : percent_decode(pair.substr(eq + 1), "query");
    if (name == "prefix") {
      options.prefix = value;
    } else if (name == "ttl") {
      options.ttl =
          std::chrono::seconds(parse_number<std::int64_t>(value, std::numeric_limits<std::int32_t>::max(), "ttl"));
    } else if (name == "scan_count") {
      options.scan_count = parse_number<std::size_t>(value, 1'000'000'000, "scan_count");
    } else if (name == "disable_touch") {
      options.disable_touch = parse_flag(value, "disable_touch");
    } else if (name == "disable_ttl") {
      options.disable_ttl = parse_flag(value, "disable_ttl");
    } else if (name == "wait_replicas") {
      options.wait_replicas = parse_number<std::size_t>(value, 1000, "wait_replicas");
    } else if (name == "wait_timeout") {
      options.wait_timeout = std::chrono::milliseconds(
          parse_number<std::int64_t>(value, std::numeric_limits<std::int32_t>::max(), "wait_timeout"));
    } else {
      malformed("unknown query parameter '" + name +
                "' (expected prefix, ttl, scan_count, disable_touch, disable_ttl, wait_replicas, wait_timeout)");
    }
  }
}

}  // namespace

std::string RedisEndpoint::address() const {
  const std::string shown = host.find(':') != std::string::npos ? "[" + host + "]" : host;
  return shown + ":" + std::to_string(port);
}

RedisEndpoint parse_redis_url(std::string_view url, RedisOptions& options) {
  constexpr std::string_view scheme = "redis://";
  if (url.starts_with("rediss://")) malformed("rediss:// (TLS) is not supported");
  if (!url.starts_with(scheme)) malformed("it must start with redis://");
  std::string_view rest = url.substr(scheme.size());

  const std::size_t query_at = rest.find('?');
  if (query_at != std::string_view::npos) {
    apply_query(rest.substr(query_at + 1), options);
    rest = rest.substr(0, query_at);
  }
  const std::size_t path_at = rest.find('/');
  const std::string_view authority = rest.substr(0, path_at);
  const std::string_view path = path_at == std::string_view::npos ? std::string_view() : rest.substr(path_at + 1);

  RedisEndpoint endpoint;
  if (!path.empty()) endpoint.db = parse_number<int>(path, std::numeric_limits<int>::max(), "database");

  std::string_view host_port = authority;
  // The last '@' ends the user part: an unescaped '@' in a password is common enough to allow.
  if (const std::size_t at = authority.rfind('@'); at != std::string_view::npos) {
    const std::string_view user_info = authority.substr(0, at);
    host_port = authority.substr(at + 1);
    const std::size_t colon = user_info.find(':');
    endpoint.user = percent_decode(user_info.substr(0, colon), "user");
    if (colon != std::string_view::npos) endpoint.password = percent_decode(user_info.substr(colon + 1), "password");
  }

  parse_host_port(host_port, endpoint);
  return endpoint;
}

void parse_host_port(std::string_view host_port, RedisEndpoint& endpoint) {
  std::string_view port_text;
  if (host_port.starts_with('[')) {
    const std::size_t close = host_port.find(']');
    if (close == std::string_view::npos) malformed("unclosed '[' in the host");
    endpoint.host = host_port.substr(1, close - 1);
    const std::string_view after = host_port.substr(close + 1);
    if (!after.empty() && !after.starts_with(':')) malformed("unexpected text after the IPv6 host");
    if (!after.empty()) port_text = after.substr(1);
  } else {
    const std::size_t colon = host_port.rfind(':');
    endpoint.host = host_port.substr(0, colon);
    if (colon != std::string_view::npos) port_text = host_port.substr(colon + 1);
  }
  if (endpoint.host.empty()) malformed("no host");
  if (!port_text.empty()) {
    endpoint.port = parse_number<std::uint16_t>(port_text, 65535, "port");
    if (endpoint.port == 0) malformed("port 0");
  }
}

RedisTarget parse_redis_target(std::string_view url, RedisOptions& options) {
  RedisTarget target;
  const bool cluster = url.starts_with("redis-cluster://");
  const bool sentinel = url.starts_with("redis-sentinel://");
  if (!cluster && !sentinel) {
    target.nodes.push_back(parse_redis_url(url, options));
    return target;
  }
  target.topology = cluster ? RedisTopology::cluster : RedisTopology::sentinel;
  std::string_view rest = url.substr(url.find("://") + 3);
  const std::size_t query_at = rest.find('?');
  if (query_at != std::string_view::npos) {
    apply_query(rest.substr(query_at + 1), options);
    rest = rest.substr(0, query_at);
  }
  const std::size_t path_at = rest.find('/');
  std::string_view authority = rest.substr(0, path_at);
  const std::string_view path = path_at == std::string_view::npos ? std::string_view() : rest.substr(path_at + 1);
  if (cluster && !path.empty()) malformed("a cluster has database 0 only: no /path after the nodes");
  if (sentinel) {
    if (path.empty()) malformed("no master name: redis-sentinel://HOST:PORT[,HOST:PORT...]/MASTER_NAME");
    target.master_name = percent_decode(path, "master name");
  }
  // The credentials are the data nodes' (the cluster's nodes, or the master Sentinel names).
  RedisEndpoint login;
  if (const std::size_t at = authority.rfind('@'); at != std::string_view::npos) {
    const std::string_view user_info = authority.substr(0, at);
    authority = authority.substr(at + 1);
    const std::size_t colon = user_info.find(':');
    login.user = percent_decode(user_info.substr(0, colon), "user");
    if (colon != std::string_view::npos) login.password = percent_decode(user_info.substr(colon + 1), "password");
  }
  while (!authority.empty()) {
    const std::size_t comma = authority.find(',');
    RedisEndpoint node = login;
    node.port = sentinel ? 26379 : 6379;
    parse_host_port(authority.substr(0, comma), node);
    target.nodes.push_back(std::move(node));
    authority = comma == std::string_view::npos ? std::string_view() : authority.substr(comma + 1);
  }
  if (target.nodes.empty()) malformed("no host");
  target.login = std::move(login);
  return target;
}

}  // namespace cortado::stores
