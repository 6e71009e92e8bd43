#pragma once
// Sealed cookie sessions: the session's JSON encrypted and authenticated with libsodium's
// XChaCha20-Poly1305. The cookie value is base64url (no padding) of
//   version (1 byte, 1) | key id (4 bytes) | nonce (24 random bytes) | ciphertext + tag (16 bytes)
// where the plaintext is the absolute expiry (ms since the epoch, 8 bytes big-endian) followed by
// the JSON, and the version, key id and cookie name are authenticated with it (a value sealed for
// one cookie name is refused under another). Each secret gives its key and its key id through
// BLAKE2b (personalised) and libsodium's KDF, so a cookie names the key that opens it.

#include "cortado/core/clock.hpp"

#include <array>
#include <cstddef>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace cortado::detail {

class Sealer {
 public:
  /// The first secret seals, every one opens. Needs at least one; throws std::runtime_error when
  /// libsodium cannot start.
  explicit Sealer(std::span<const std::string> secrets);
  ~Sealer();
  Sealer(const Sealer&) = delete;
  Sealer& operator=(const Sealer&) = delete;

  /// The cookie value for `json`, sealed with the first secret's key, valid until `expires_at`.
  std::string seal(std::string_view cookie_name, std::string_view json, Timestamp expires_at) const;

  struct Opened {
    std::string json;
    Timestamp expires_at;
    /// Which secret opened it (0: the first, the one that seals).
    std::size_t key = 0;
  };
  /// The JSON inside a cookie value; nullopt when it is malformed, sealed by none of the secrets
  /// or for another cookie name, tampered with, or expired at `now`.
  std::optional<Opened> open(std::string_view cookie_name, std::string_view value, Timestamp now) const;

  /// The value's length for `json_bytes` of JSON.
  static std::size_t sealed_size(std::size_t json_bytes);

 private:
  struct Key {
    std::array<unsigned char, 4> id{};
    std::array<unsigned char, 32> key{};
  };
  std::vector<Key> keys_;
};

}  // namespace cortado::detail
