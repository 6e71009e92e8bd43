// HMAC-SHA256 signing of cookie values, byte-compatible with cookie-signature 1.0.x.
#include "cortado/session/signature.hpp"

#include "session/signer.hpp"

#include <openssl/crypto.h>

namespace cortado {
namespace detail {
namespace {

constexpr std::string_view cookie_prefix = "s:";
constexpr std::size_t mac_text_size = 43;  // 32 bytes in base64 without its one '='

// base64(HMAC-SHA256(value)) with the trailing '=' removed, as cookie-signature's
// `.digest('base64').replace(/\=+$/, '')` produces.
void append_mac(std::string& out, const HmacSha256& key, std::string_view value) {
  const auto mac = key.mac(value);
  append_base64(out, mac, false, false);
}

}  // namespace

Signer::Signer(std::span<const std::string> secrets) {
  keys_.reserve(secrets.size());
  for (const auto& secret : secrets) keys_.emplace_back(secret);
}

// Needs at least one secret: the session middleware refuses an empty list before making one.
std::string Signer::sign(std::string_view value) const {
  std::string out;
  out.reserve(value.size() + 1 + mac_text_size);
  out.append(value);
  out.push_back('.');
  append_mac(out, keys_.front(), value);
  return out;
}

std::optional<std::string> Signer::unsign(std::string_view signed_value) const {
  const auto dot = signed_value.rfind('.');
  if (dot == std::string_view::npos) return std::nullopt;
  const std::string_view value = signed_value.substr(0, dot);
  const std::string_view given = signed_value.substr(dot + 1);
  // Lengths differ only when the input is malformed, which says nothing about the secret.
  if (given.size() != mac_text_size) return std::nullopt;
  // Per thread: one buffer for every request's check instead of an allocation each.
  thread_local std::string expected;
  expected.reserve(mac_text_size + 1);
  // Stopping at the first match (as express-session does) only reveals which secret is current,
  // which is no secret; the comparison itself is what must not leak.
  for (const auto& key : keys_) {
    expected.clear();
    append_mac(expected, key, value);
    if (CRYPTO_memcmp(expected.data(), given.data(), mac_text_size) == 0) return std::string(value);
  }
  return std::nullopt;
}

std::string Signer::sign_cookie(std::string_view sid) const {
  std::string out;
  out.reserve(cookie_prefix.size() + sid.size() + 1 + mac_text_size);
  out.append(cookie_prefix);
  out.append(sid);
  out.push_back('.');
  append_mac(out, keys_.front(), sid);
  return out;
}

std::optional<std::string> Signer::unsign_cookie(std::string_view raw_cookie_value) const {
  if (!raw_cookie_value.starts_with(cookie_prefix)) return std::nullopt;
  return unsign(raw_cookie_value.substr(cookie_prefix.size()));
}

}  // namespace detail

std::string sign(std::string_view value, std::string_view secret) {
  const std::string secrets[] = {std::string(secret)};
  return detail::Signer(secrets).sign(value);
}

std::optional<std::string> unsign(std::string_view signed_value, std::span<const std::string> secrets) {
  return detail::Signer(secrets).unsign(signed_value);
}

std::string sign_cookie(std::string_view sid, std::string_view secret) {
  const std::string secrets[] = {std::string(secret)};
  return detail::Signer(secrets).sign_cookie(sid);
}

std::optional<std::string> unsign_cookie(std::string_view raw_cookie_value, std::span<const std::string> secrets) {
  return detail::Signer(secrets).unsign_cookie(raw_cookie_value);
}

}  // namespace cortado
