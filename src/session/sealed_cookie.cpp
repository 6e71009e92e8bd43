#include "session/sealed_cookie.hpp"

#include <sodium.h>

#include <algorithm>
#include <cstring>
#include <stdexcept>

namespace cortado::detail {
namespace {

constexpr unsigned char version = 1;
constexpr std::size_t id_size = 4;
constexpr std::size_t header_size = 1 + id_size;
constexpr std::size_t nonce_size = crypto_aead_xchacha20poly1305_ietf_NPUBBYTES;
constexpr std::size_t tag_size = crypto_aead_xchacha20poly1305_ietf_ABYTES;
constexpr std::size_t expiry_size = 8;
// A browser keeps 4 KiB of a cookie; anything much longer is not worth decoding.
constexpr std::size_t max_value_size = 8192;

constexpr char personal[crypto_generichash_blake2b_PERSONALBYTES] = {'c', 'o', 'r', 't', 'a', 'd', 'o', ' ',
                                                                   's', 'e', 'a', 'l', 'e', 'd', ' ', '1'};
constexpr char kdf_context[crypto_kdf_CONTEXTBYTES] = {'c', 'k', 's', 'e', 'a', 'l', 'e', 'd'};

std::size_t base64url_size(std::size_t bytes) { return bytes / 3 * 4 + (bytes % 3 == 0 ? 0 : bytes % 3 + 1); }

std::string base64url(const unsigned char* data, std::size_t size) {
  static constexpr char alphabet[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
  std::string out;
  out.reserve(base64url_size(size));
  std::size_t i = 0;
  for (; i + 3 <= size; i += 3) {
    unsigned triple = (unsigned{data[i]} << 16) | (unsigned{data[i + 1]} << 8) | data[i + 2];
    out += alphabet[(triple >> 18) & 63];
    out += alphabet[(triple >> 12) & 63];
    out += alphabet[(triple >> 6) & 63];
    out += alphabet[triple & 63];
  }
  if (std::size_t rest = size - i) {
    unsigned triple = (unsigned{data[i]} << 16) | (rest == 2 ? unsigned{data[i + 1]} << 8 : 0u);
    out += alphabet[(triple >> 18) & 63];
    out += alphabet[(triple >> 12) & 63];
    if (rest == 2) out += alphabet[(triple >> 6) & 63];
  }
  return out;
}

// Strict base64url without padding: any other character, or a length no encoding has, is refused.
std::optional<std::vector<unsigned char>> from_base64url(std::string_view text) {
  if (text.size() % 4 == 1) return std::nullopt;
  std::vector<unsigned char> out;
  out.reserve(text.size() / 4 * 3 + 2);
  unsigned group = 0;
  int count = 0;
  for (char c : text) {
    int digit = c >= 'A' && c <= 'Z'   ? c - 'A'
                : c >= 'a' && c <= 'z' ? c - 'a' + 26
                : c >= '0' && c <= '9' ? c - '0' + 52
                : c == '-'             ? 62
                : c == '_'             ? 63
                                       : -1;
    if (digit < 0) return std::nullopt;
    group = (group << 6) | static_cast<unsigned>(digit);
    if (++count == 4) {
      out.push_back(static_cast<unsigned char>(group >> 16));
      out.push_back(static_cast<unsigned char>(group >> 8));
      out.push_back(static_cast<unsigned char>(group));
      group = 0;
      count = 0;
    }
  }
  // The bits a shorter last group does not use must be zero, or two texts would open alike.
  if (count == 2) {
    if (group & 0x0f) return std::nullopt;
    out.push_back(static_cast<unsigned char>(group >> 4));
  } else if (count == 3) {
    if (group & 0x03) return std::nullopt;
    out.push_back(static_cast<unsigned char>(group >> 10));
    out.push_back(static_cast<unsigned char>(group >> 2));
  }
  return out;
}

// What is authenticated besides the plaintext: the version and key id, then the cookie's name.
std::string associated_data(const unsigned char* header, std::string_view cookie_name) {
  std::string ad(reinterpret_cast<const char*>(header), header_size);
  ad.append(cookie_name);
  return ad;
}

}  // namespace

Sealer::Sealer(std::span<const std::string> secrets) {
  if (sodium_init() < 0) throw std::runtime_error("libsodium could not be initialised");
  keys_.reserve(secrets.size());
  for (const auto& secret : secrets) {
    unsigned char master[crypto_kdf_KEYBYTES];
    crypto_generichash_blake2b_salt_personal(master, sizeof master, reinterpret_cast<const unsigned char*>(secret.data()),
                                             secret.size(), nullptr, 0, nullptr,
                                             reinterpret_cast<const unsigned char*>(personal));
    Key key;
    crypto_kdf_derive_from_key(key.key.data(), key.key.size(), 1, kdf_context, master);
    unsigned char id[crypto_kdf_BYTES_MIN];
    crypto_kdf_derive_from_key(id, sizeof id, 2, kdf_context, master);
    std::copy_n(id, id_size, key.id.begin());
    sodium_memzero(master, sizeof master);
    keys_.push_back(key);
  }
}

Sealer::~Sealer() {
  for (auto& key : keys_) sodium_memzero(key.key.data(), key.key.size());
}

std::size_t Sealer::sealed_size(std::size_t json_bytes) {
  return base64url_size(header_size + nonce_size + expiry_size + json_bytes + tag_size);
}

std::string Sealer::seal(std::string_view cookie_name, std::string_view json, Timestamp expires_at) const {
  const Key& key = keys_.front();
  std::vector<unsigned char> out(header_size + nonce_size + expiry_size + json.size() + tag_size);
  out[0] = version;
  std::copy(key.id.begin(), key.id.end(), out.begin() + 1);
  unsigned char* nonce = out.data() + header_size;
  randombytes_buf(nonce, nonce_size);
  std::vector<unsigned char> plain(expiry_size + json.size());
  auto ms = static_cast<std::uint64_t>(expires_at.time_since_epoch().count());
  for (std::size_t i = 0; i < expiry_size; ++i) plain[i] = static_cast<unsigned char>(ms >> (8 * (expiry_size - 1 - i)));
  std::memcpy(plain.data() + expiry_size, json.data(), json.size());
  auto ad = associated_data(out.data(), cookie_name);
  unsigned long long written = 0;
  crypto_aead_xchacha20poly1305_ietf_encrypt(out.data() + header_size + nonce_size, &written, plain.data(), plain.size(),
                                             reinterpret_cast<const unsigned char*>(ad.data()), ad.size(), nullptr, nonce,
                                             key.key.data());
  sodium_memzero(plain.data(), plain.size());
  return base64url(out.data(), header_size + nonce_size + written);
}

std::optional<Sealer::Opened> Sealer::open(std::string_view cookie_name, std::string_view value, Timestamp now) const {
  if (value.size() > max_value_size) return std::nullopt;
  auto bytes = from_base64url(value);
  if (!bytes || bytes->size() < header_size + nonce_size + tag_size + expiry_size || (*bytes)[0] != version)
    return std::nullopt;
  const unsigned char* nonce = bytes->data() + header_size;
  const unsigned char* sealed = nonce + nonce_size;
  const std::size_t sealed_length = bytes->size() - header_size - nonce_size;
  auto ad = associated_data(bytes->data(), cookie_name);
  std::vector<unsigned char> plain(sealed_length - tag_size);
  for (std::size_t k = 0; k < keys_.size(); ++k) {
    const Key& key = keys_[k];
    if (!std::equal(key.id.begin(), key.id.end(), bytes->begin() + 1)) continue;
    unsigned long long length = 0;
    if (crypto_aead_xchacha20poly1305_ietf_decrypt(plain.data(), &length, nullptr, sealed, sealed_length,
                                                   reinterpret_cast<const unsigned char*>(ad.data()), ad.size(), nonce,
                                                   key.key.data()) != 0)
      continue;  // another secret may share the id (one chance in 2^32)
    std::uint64_t ms = 0;
    for (std::size_t i = 0; i < expiry_size; ++i) ms = (ms << 8) | plain[i];
    Timestamp expires_at{std::chrono::milliseconds(static_cast<std::int64_t>(ms))};
    if (expires_at <= now) return std::nullopt;
    return Opened{std::string(reinterpret_cast<const char*>(plain.data()) + expiry_size, length - expiry_size), expires_at, k};
  }
  return std::nullopt;
}

}  // namespace cortado::detail
