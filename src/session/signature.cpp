// HMAC-SHA256 signing of cookie values, byte-compatible with cookie-signature 1.0.x.
#include "cortado/session/signature.hpp"

#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>

#include <stdexcept>

namespace cortado {
namespace {

constexpr std::string_view cookie_prefix = "s:";

// Appends base64(HMAC-SHA256(value, secret)) with the trailing '=' removed, as
// cookie-signature's `.digest('base64').replace(/\=+$/, '')` produces.
void append_mac(std::string& out, std::string_view value, std::string_view secret) {
  unsigned char mac[EVP_MAX_MD_SIZE];
  unsigned int mac_len = 0;
  // HMAC() with a null key pointer and zero length is fine for an empty secret, which Node accepts too.
  if (HMAC(EVP_sha256(), secret.data(), static_cast<int>(secret.size()),
           reinterpret_cast<const unsigned char*>(value.data()), value.size(), mac, &mac_len) == nullptr) {
    throw std::runtime_error("HMAC-SHA256 failed");
  }
  unsigned char b64[4 * ((EVP_MAX_MD_SIZE + 2) / 3) + 1];
  int b64_len = EVP_EncodeBlock(b64, mac, static_cast<int>(mac_len));
  while (b64_len > 0 && b64[b64_len - 1] == '=') --b64_len;
  out.append(reinterpret_cast<const char*>(b64), static_cast<std::size_t>(b64_len));
}

// Constant time in the content: lengths differ only when the input is malformed, which
// says nothing about the secret, so comparing them first leaks nothing useful.
bool equal_constant_time(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  return CRYPTO_memcmp(a.data(), b.data(), a.size()) == 0;
}

}  // namespace

std::string sign(std::string_view value, std::string_view secret) {
  std::string out;
  out.reserve(value.size() + 1 + 43);
  out.append(value);
  out.push_back('.');
  append_mac(out, value, secret);
  return out;
}

std::optional<std::string> unsign(std::string_view signed_value, std::span<const std::string> secrets) {
  const auto dot = signed_value.rfind('.');
  if (dot == std::string_view::npos) return std::nullopt;
  const std::string_view value = signed_value.substr(0, dot);
  // Stopping at the first match (as express-session does) only reveals which secret is current,
  // which is no secret; the comparison itself is what must not leak.
  for (const auto& secret : secrets) {
    if (equal_constant_time(sign(value, secret), signed_value)) return std::string(value);
  }
  return std::nullopt;
}

std::string sign_cookie(std::string_view sid, std::string_view secret) {
  std::string out(cookie_prefix);
  out += sign(sid, secret);
  return out;
}

std::optional<std::string> unsign_cookie(std::string_view raw_cookie_value, std::span<const std::string> secrets) {
  if (!raw_cookie_value.starts_with(cookie_prefix)) return std::nullopt;
  return unsign(raw_cookie_value.substr(cookie_prefix.size()), secrets);
}

}  // namespace cortado
