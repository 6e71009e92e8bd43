// Session ids: the same alphabet and length as uid-safe(24), so Node and cortado ids look alike.
#include "cortado/session/session_id.hpp"

#include "core/digest.hpp"

#include <openssl/evp.h>
#include <openssl/rand.h>

#include <array>
#include <stdexcept>

namespace cortado {

std::string generate_session_id() {
  constexpr std::size_t byte_count = 24;  // 192 bits; 24 is a multiple of 3, so no padding arises
  std::array<unsigned char, byte_count> bytes{};
  if (RAND_bytes(bytes.data(), static_cast<int>(bytes.size())) != 1) {
    throw std::runtime_error("RAND_bytes failed: no randomness for a session id");
  }
  std::string id;
  id.reserve(byte_count / 3 * 4);
  detail::append_base64(id, bytes, true, false);
  return id;
}

std::string session_id_digest(std::string_view id) {
  unsigned char digest[EVP_MAX_MD_SIZE];
  unsigned int size = 0;
  // Used while an error is being reported: it must not throw one of its own.
  if (EVP_Digest(id.data(), id.size(), digest, &size, EVP_sha256(), nullptr) != 1) return "sha256:?";
  constexpr std::string_view hex = "0123456789abcdef";
  std::string text = "sha256:";
  for (std::size_t i = 0; i < 4; ++i) {
    text += hex[digest[i] >> 4];
    text += hex[digest[i] & 15];
  }
  return text;
}

}  // namespace cortado
