// The SHA-256 and SHA-1 block functions are OpenSSL's (with the CPU's SHA extensions where
// present); only the HMAC construction (RFC 2104) is written out here, so that a key's pads are
// hashed once instead of on every call. OpenSSL 3 marks these functions deprecated in favour of
// EVP, whose per-call fetch and context are what this file avoids.
#define OPENSSL_SUPPRESS_DEPRECATED
#include "core/digest.hpp"

#include <openssl/crypto.h>

namespace cortado::detail {

void Sha256::start(State& state) { SHA256_Init(&state); }
void Sha256::add(State& state, const void* data, std::size_t size) { SHA256_Update(&state, data, size); }
void Sha256::finish(unsigned char* out, State& state) { SHA256_Final(out, &state); }

void Sha1::start(State& state) { SHA1_Init(&state); }
void Sha1::add(State& state, const void* data, std::size_t size) { SHA1_Update(&state, data, size); }
void Sha1::finish(unsigned char* out, State& state) { SHA1_Final(out, &state); }

namespace {

constexpr std::size_t block_size = 64;  // SHA-256's and SHA-1's block, hence HMAC's key size

template <class Hash>
typename Hash::State keyed_state(const std::array<unsigned char, block_size>& key, unsigned char pad) {
  std::array<unsigned char, block_size> padded{};
  for (std::size_t i = 0; i < block_size; ++i) padded[i] = key[i] ^ pad;
  typename Hash::State state;
  Hash::start(state);
  Hash::add(state, padded.data(), padded.size());
  OPENSSL_cleanse(padded.data(), padded.size());
  return state;
}

}  // namespace

template <class Hash>
Hmac<Hash>::Hmac(std::string_view key) {
  // A key longer than a block is replaced by its hash; a shorter one is padded with zeros.
  std::array<unsigned char, block_size> block{};
  if (key.size() > block_size) {
    typename Hash::State state;
    Hash::start(state);
    Hash::add(state, key.data(), key.size());
    Hash::finish(block.data(), state);
  } else {
    std::copy(key.begin(), key.end(), block.begin());
  }
  inner_ = keyed_state<Hash>(block, 0x36);
  outer_ = keyed_state<Hash>(block, 0x5c);
  OPENSSL_cleanse(block.data(), block.size());
}

template <class Hash>
typename Hmac<Hash>::Mac Hmac<Hash>::mac(std::string_view message) const {
  Mac inner_hash{};
  typename Hash::State state = inner_;
  Hash::add(state, message.data(), message.size());
  Hash::finish(inner_hash.data(), state);
  Mac out{};
  state = outer_;
  Hash::add(state, inner_hash.data(), inner_hash.size());
  Hash::finish(out.data(), state);
  return out;
}

template class Hmac<Sha256>;
template class Hmac<Sha1>;

std::array<unsigned char, 20> sha1(std::string_view data) {
  // Not SHA1(): in OpenSSL 3 that one goes through EVP and fetches the algorithm on every call.
  std::array<unsigned char, Sha1::size> digest{};
  Sha1::State state;
  Sha1::start(state);
  Sha1::add(state, data.data(), data.size());
  Sha1::finish(digest.data(), state);
  return digest;
}

void append_base64(std::string& out, std::span<const unsigned char> bytes, bool url_safe, bool pad) {
  const char* alphabet = url_safe ? "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_"
                                  : "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
  // Sized once and written in place: an append per group cost more than the encoding (every
  // signed cookie and every ETag goes through here).
  const std::size_t whole = bytes.size() / 3 * 3;
  const std::size_t rest = bytes.size() - whole;
  const std::size_t start = out.size();
  out.resize(start + whole / 3 * 4 + (rest == 0 ? 0 : pad ? 4 : rest + 1));
  char* to = out.data() + start;
  for (std::size_t i = 0; i < whole; i += 3) {
    const unsigned triple = (unsigned{bytes[i]} << 16) | (unsigned{bytes[i + 1]} << 8) | bytes[i + 2];
    *to++ = alphabet[(triple >> 18) & 63];
    *to++ = alphabet[(triple >> 12) & 63];
    *to++ = alphabet[(triple >> 6) & 63];
    *to++ = alphabet[triple & 63];
  }
  if (rest == 0) return;
  const unsigned triple = (unsigned{bytes[whole]} << 16) | (rest == 2 ? unsigned{bytes[whole + 1]} << 8 : 0u);
  *to++ = alphabet[(triple >> 18) & 63];
  *to++ = alphabet[(triple >> 12) & 63];
  if (rest == 2) *to++ = alphabet[(triple >> 6) & 63];
  if (pad) *to++ = '=';
  if (pad && rest == 1) *to = '=';
}

int base64_digit(unsigned char c) {
  if (c >= 'A' && c <= 'Z') return c - 'A';
  if (c >= 'a' && c <= 'z') return c - 'a' + 26;
  if (c >= '0' && c <= '9') return c - '0' + 52;
  if (c == '+' || c == '-') return 62;
  if (c == '/' || c == '_') return 63;
  return -1;
}

}  // namespace cortado::detail
