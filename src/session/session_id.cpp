// Session ids: the same alphabet and length as uid-safe(24), so Node and cortado ids look alike.
#include "cortado/session/session_id.hpp"

#include "core/digest.hpp"

#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/rand.h>
#include <pthread.h>

#include <array>
#include <atomic>
#include <cstdint>
#include <cstring>
#include <stdexcept>

namespace cortado {
namespace {

// Bumped in the child of a fork(): a child must never hand out the ids that its parent's
// buffers (copied into it) still hold for the parent.
std::atomic<std::uint64_t> fork_generation{0};
void after_fork_in_child() { fork_generation.fetch_add(1, std::memory_order_relaxed); }

// OpenSSL's random bytes, fetched a kilobyte at a time per thread. One RAND_bytes call costs
// some 800 ns whatever its size (its DRBG's locking, fork check and reseed test) and 24 bytes of
// it are a session id: a new session paid more for its id than for its HMAC. The bytes are those
// RAND_bytes gives, each handed out once; the ones not yet handed out (ids to come) are wiped
// when the thread ends, and dropped unused in a forked child.
class RandomPool {
 public:
  RandomPool() {
    static const bool registered = pthread_atfork(nullptr, nullptr, after_fork_in_child) == 0;
    (void)registered;
  }
  ~RandomPool() { OPENSSL_cleanse(bytes_.data(), bytes_.size()); }
  RandomPool(const RandomPool&) = delete;
  RandomPool& operator=(const RandomPool&) = delete;

  void take(unsigned char* out, std::size_t count) {
    const std::uint64_t generation = fork_generation.load(std::memory_order_relaxed);
    if (generation != generation_) {
      OPENSSL_cleanse(bytes_.data(), bytes_.size());  // the parent's: never to be used here
      used_ = bytes_.size();
      generation_ = generation;
    }
    if (count > bytes_.size() - used_) {
      if (RAND_bytes(bytes_.data(), static_cast<int>(bytes_.size())) != 1) {
        throw std::runtime_error("RAND_bytes failed: no randomness for a session id");
      }
      used_ = 0;
    }
    std::memcpy(out, bytes_.data() + used_, count);
    used_ += count;
  }

 private:
  std::array<unsigned char, 1008> bytes_{};  // 42 ids
  std::size_t used_ = bytes_.size();         // empty until the first id
  std::uint64_t generation_ = fork_generation.load(std::memory_order_relaxed);
};

}  // namespace

std::string generate_session_id() {
  constexpr std::size_t byte_count = 24;  // 192 bits; 24 is a multiple of 3, so no padding arises
  std::array<unsigned char, byte_count> bytes{};
  thread_local RandomPool pool;
  pool.take(bytes.data(), bytes.size());
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
