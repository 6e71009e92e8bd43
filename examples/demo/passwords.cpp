#include "passwords.hpp"

#include <sodium.h>

#include <stdexcept>

namespace demo {
namespace {

// What an unknown name is checked against; made at start-up so that the first such attempt
// takes no longer than the others.
std::string decoy_hash;

}  // namespace

void init_passwords() {
  if (sodium_init() < 0) throw std::runtime_error("libsodium could not be initialised");
  decoy_hash = hash_password("not anyone's password");
}

std::string hash_password(std::string_view password) {
  char out[crypto_pwhash_STRBYTES];
  // The "interactive" limits (2 passes, 64 MiB): libsodium's advice for logins on a server.
  if (crypto_pwhash_str_alg(out, password.data(), password.size(), crypto_pwhash_OPSLIMIT_INTERACTIVE,
                            crypto_pwhash_MEMLIMIT_INTERACTIVE, crypto_pwhash_ALG_ARGON2ID13) != 0)
    throw std::runtime_error("out of memory while hashing a password");
  return out;
}

bool verify_password(const std::string* encoded, std::string_view password) {
  const std::string& against = encoded ? *encoded : decoy_hash;
  bool ok = crypto_pwhash_str_verify(against.c_str(), password.data(), password.size()) == 0;
  return ok && encoded != nullptr;
}

}  // namespace demo
