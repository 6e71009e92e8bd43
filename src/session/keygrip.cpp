#include "session/keygrip.hpp"

#include <openssl/crypto.h>

namespace cortado::detail {
namespace {

constexpr std::size_t digest_text_size = 27;  // 20 bytes in base64 without its one '='

void append_digest(std::string& out, const HmacSha1& key, std::string_view data) {
  const auto mac = key.mac(data);
  append_base64(out, mac, true, false);
}

}  // namespace

Keygrip::Keygrip(std::span<const std::string> keys) {
  keys_.reserve(keys.size());
  for (const auto& key : keys) keys_.emplace_back(key);
}

std::string Keygrip::sign(std::string_view data) const {
  std::string out;
  out.reserve(digest_text_size);
  append_digest(out, keys_.front(), data);
  return out;
}

int Keygrip::index(std::string_view data, std::string_view digest) const {
  // tsscmp: a digest of another length matches no key (its length says nothing of the keys).
  if (digest.size() != digest_text_size) return -1;
  std::string expected;
  expected.reserve(digest_text_size + 1);
  for (std::size_t i = 0; i < keys_.size(); ++i) {
    expected.clear();
    append_digest(expected, keys_[i], data);
    if (CRYPTO_memcmp(expected.data(), digest.data(), digest_text_size) == 0) return static_cast<int>(i);
  }
  return -1;
}

}  // namespace cortado::detail
