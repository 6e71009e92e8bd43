#pragma once
// Passwords: argon2id through libsodium. Each call takes tens of milliseconds and 64 MiB on
// purpose (that is what makes stolen hashes slow to crack), so callers run them off the I/O
// threads (UsersDb does, on a single hashing thread that also bounds the memory used).

#include <string>
#include <string_view>

namespace demo {

/// Initialises libsodium; call once before anything else here. Throws when it cannot.
void init_passwords();

/// An argon2id hash in libsodium's self-describing form ("$argon2id$v=19$m=65536,t=2,p=1$...").
std::string hash_password(std::string_view password);

/// True when `password` matches `encoded`. With no encoded hash (unknown user) it still spends
/// the time of one verification, so a response's timing does not say which names exist.
bool verify_password(const std::string* encoded, std::string_view password);

}  // namespace demo
