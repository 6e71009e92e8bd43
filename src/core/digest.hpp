#pragma once
// Hashes and MACs on the request path (cookie signatures, ETags), with no per-call set-up:
// OpenSSL 3's EVP interface looks the algorithm up, allocates and frees a context on every
// call, which cost more than the hashing itself for inputs as short as a session id.

#include <openssl/sha.h>

#include <array>
#include <cstddef>
#include <cstdint>
#include <span>
#include <string>
#include <string_view>

namespace cortado::detail {

/// SHA-256 for Hmac: OpenSSL's block functions over a state that can be copied.
struct Sha256 {
  using State = SHA256_CTX;
  static constexpr std::size_t size = 32;
  static void start(State& state);
  static void add(State& state, const void* data, std::size_t size);
  static void finish(unsigned char* out, State& state);
};

/// SHA-1 for Hmac (Keygrip's default, hence cookie-session's signatures).
struct Sha1 {
  using State = SHA_CTX;
  static constexpr std::size_t size = 20;
  static void start(State& state);
  static void add(State& state, const void* data, std::size_t size);
  static void finish(unsigned char* out, State& state);
};

/// HMAC (RFC 2104) with its key absorbed once: the hash states after the inner and outer pads
/// are kept, so each MAC only hashes the message and one more block. Made for Sha256 and Sha1.
template <class Hash>
class Hmac {
 public:
  using Mac = std::array<unsigned char, Hash::size>;

  explicit Hmac(std::string_view key);

  /// HMAC(key, message).
  Mac mac(std::string_view message) const;

 private:
  typename Hash::State inner_{};
  typename Hash::State outer_{};
};

using HmacSha256 = Hmac<Sha256>;
using HmacSha1 = Hmac<Sha1>;

/// SHA-1 of `data` (for Express's ETags, which are SHA-1 based).
std::array<unsigned char, 20> sha1(std::string_view data);

/// Appends `bytes` in base64 (RFC 4648 §4), or its URL alphabet (§5) with `url_safe`;
/// with `pad`, '=' fills the last group as Node's `digest('base64')` does.
void append_base64(std::string& out, std::span<const unsigned char> bytes, bool url_safe = false, bool pad = true);

/// The value of one base64 digit of either alphabet ('+' and '-' are 62, '/' and '_' 63), as
/// Node's Buffer.from(text, 'base64') reads them; -1 for any other byte.
int base64_digit(unsigned char c);

}  // namespace cortado::detail
