#pragma once
// Hashes and MACs on the request path (cookie signatures, ETags), with no per-call set-up:
// OpenSSL 3's EVP interface looks the algorithm up, allocates and frees a context on every
// call, which cost more than the hashing itself for inputs as short as a session id.

#include <openssl/sha.h>

#include <array>
#include <cstdint>
#include <span>
#include <string>
#include <string_view>

namespace cortado::detail {

/// HMAC-SHA256 with its key absorbed once: the SHA-256 states after the inner and outer pads
/// are kept, so each MAC only hashes the message and one more block.
class HmacSha256 {
 public:
  using Mac = std::array<unsigned char, 32>;

  explicit HmacSha256(std::string_view key);

  /// HMAC-SHA256(key, message).
  Mac mac(std::string_view message) const;

 private:
  SHA256_CTX inner_{};
  SHA256_CTX outer_{};
};

/// HMAC-SHA1 with its key absorbed once, as HmacSha256 (Keygrip's default, cookie-session's signatures).
class HmacSha1 {
 public:
  using Mac = std::array<unsigned char, 20>;

  explicit HmacSha1(std::string_view key);

  /// HMAC-SHA1(key, message).
  Mac mac(std::string_view message) const;

 private:
  SHA_CTX inner_{};
  SHA_CTX outer_{};
};

/// SHA-1 of `data` (for Express's ETags, which are SHA-1 based).
std::array<unsigned char, 20> sha1(std::string_view data);

/// Appends `bytes` in base64 (RFC 4648 §4), or its URL alphabet (§5) with `url_safe`;
/// with `pad`, '=' fills the last group as Node's `digest('base64')` does.
void append_base64(std::string& out, std::span<const unsigned char> bytes, bool url_safe = false, bool pad = true);

}  // namespace cortado::detail
