// HMAC-SHA256 signing of cookie values, byte-compatible with cookie-signature 1.0.x.
#include "cortado/session/signature.hpp"

#include "session/signer.hpp"

#include <openssl/crypto.h>

#include <algorithm>
#include <array>
#include <atomic>
#include <cstdint>
#include <cstring>

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

// The values a thread verified last, by hash. A client sends the same cookie on every request,
// and checking it again costs an HMAC per secret tried (about 150 ns, the largest single cost of
// reading a session from memory); finding it here costs a hash and a compare. Only values that
// a signature check accepted come in, each under the signer that accepted it: a signer made with
// other secrets has another generation and never finds them. The compare is constant-time, as
// the signature's is, so that probing with forged values tells nothing of a remembered one; a
// value made to land on a remembered one's slot only pushes it out.
class RecentlyVerified {
 public:
  std::optional<std::size_t> find(std::uint64_t signer, std::string_view value) const {
    const Entry& e = entries_[slot(value)];
    if (e.signer != signer || e.value.size() != value.size()) return std::nullopt;
    if (!same_bytes(e.value.data(), value.data(), value.size())) return std::nullopt;
    return e.secret;
  }

  void remember(std::uint64_t signer, std::string_view value, std::size_t secret) {
    if (value.size() > max_value_size) return;  // a cookie that large is not worth the memory
    Entry& e = entries_[slot(value)];
    e.signer = signer;
    e.secret = secret;
    e.value.assign(value);  // reuses the slot's buffer
  }

 private:
  static constexpr std::size_t slots = 256;  // per thread: about 30 KB with ids of 32 characters
  static constexpr std::size_t max_value_size = 256;

  struct Entry {
    std::uint64_t signer = 0;  // no signer has generation 0
    std::size_t secret = 0;
    std::string value;
  };

  // From the value's last 8 bytes, which end its signature: spread evenly for real values, and a
  // forger can pick any slot whatever the hash (it only pushes a value out).
  static std::size_t slot(std::string_view value) {
    const std::size_t n = std::min<std::size_t>(8, value.size());
    std::uint64_t tail = 0;
    std::memcpy(&tail, value.data() + value.size() - n, n);
    static_assert(slots == 256, "the shift below keeps 8 bits");
    return static_cast<std::size_t>((tail * 0x9E3779B97F4A7C15ull) >> 56);
  }

  // Equality in time that depends on the length alone: a word at a time, every word compared.
  // (CRYPTO_memcmp does the same a byte at a time, several times slower on a cookie.)
  static bool same_bytes(const char* a, const char* b, std::size_t n) {
    std::uint64_t diff = 0;
    std::size_t i = 0;
    for (; i + 8 <= n; i += 8) {
      std::uint64_t x = 0;
      std::uint64_t y = 0;
      std::memcpy(&x, a + i, 8);
      std::memcpy(&y, b + i, 8);
      diff |= x ^ y;
    }
    for (; i < n; ++i) diff |= static_cast<unsigned char>(a[i] ^ b[i]);
    return diff == 0;
  }

  std::array<Entry, slots> entries_;
};

RecentlyVerified& recently_verified() {
  thread_local RecentlyVerified cache;
  return cache;
}

std::atomic<std::uint64_t> next_generation{1};

}  // namespace

Signer::Signer(std::span<const std::string> secrets) : generation_(next_generation.fetch_add(1)) {
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

std::optional<Signer::Signed> Signer::verify(std::string_view signed_value) const {
  // cookie-signature splits at the last '.', and only a MAC of mac_text_size characters can match.
  // A MAC has no '.' in it, so the one place worth looking is just before the last mac_text_size
  // characters: a '.' among them would fail the comparison below as surely as a short MAC. This
  // saves an rfind() over the whole cookie on every request (a third of a cached check's cost).
  // Lengths and the dot's place differ only when the input is malformed: nothing about the secret.
  if (signed_value.size() <= mac_text_size || signed_value[signed_value.size() - mac_text_size - 1] != '.') {
    return std::nullopt;
  }
  const std::size_t dot = signed_value.size() - mac_text_size - 1;
  const std::string_view value = signed_value.substr(0, dot);
  const std::string_view given = signed_value.substr(dot + 1);
  if (auto secret = recently_verified().find(generation_, signed_value)) return Signed{value, *secret};
  // Per thread: one buffer for every request's check instead of an allocation each.
  thread_local std::string expected;
  expected.reserve(mac_text_size + 1);
  // Stopping at the first match (as express-session does) only reveals which secret is current,
  // which is no secret; the comparison itself is what must not leak.
  for (std::size_t i = 0; i < keys_.size(); ++i) {
    expected.clear();
    append_mac(expected, keys_[i], value);
    if (CRYPTO_memcmp(expected.data(), given.data(), mac_text_size) == 0) {
      recently_verified().remember(generation_, signed_value, i);
      return Signed{value, i};
    }
  }
  return std::nullopt;
}

std::optional<std::string> Signer::unsign(std::string_view signed_value) const {
  auto signed_by = verify(signed_value);
  if (!signed_by) return std::nullopt;
  return std::string(signed_by->value);
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
  auto verified = verify_cookie(raw_cookie_value);
  if (!verified) return std::nullopt;
  return std::string(verified->id);
}

std::optional<Signer::Verified> Signer::verify_cookie(std::string_view raw_cookie_value) const {
  if (!raw_cookie_value.starts_with(cookie_prefix)) return std::nullopt;
  auto signed_by = verify(raw_cookie_value.substr(cookie_prefix.size()));
  if (!signed_by) return std::nullopt;
  return Verified{signed_by->value, signed_by->secret == 0};
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
