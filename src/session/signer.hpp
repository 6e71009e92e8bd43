#pragma once
// The session middleware's signer: cookie-signature's sign and unsign with every secret's
// HMAC key prepared once, when the middleware is made, instead of on every request.

#include "core/digest.hpp"

#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace cortado::detail {

class Signer {
 public:
  /// The first secret signs; all of them verify, in order.
  explicit Signer(std::span<const std::string> secrets);

  /// `value` + "." + base64(HMAC-SHA256(value)) without '=' padding, with the first secret.
  std::string sign(std::string_view value) const;
  /// The value before the last '.' when its signature matches one of the secrets (compared in
  /// constant time); nullopt otherwise.
  std::optional<std::string> unsign(std::string_view signed_value) const;
  /// "s:" + sign(sid): express-session's cookie value before URL-encoding.
  std::string sign_cookie(std::string_view sid) const;
  /// The id inside an (already %-decoded) cookie value, or nullopt without the "s:" prefix or
  /// a valid signature.
  std::optional<std::string> unsign_cookie(std::string_view raw_cookie_value) const;

  /// unsign_cookie's answer (a view into the value verified), and whether the first secret (the
  /// one that signs) made the signature: then sign_cookie(id) would give back the very value the
  /// client sent.
  struct Verified {
    std::string_view id;
    bool by_signing_secret = false;
  };
  std::optional<Verified> verify_cookie(std::string_view raw_cookie_value) const;

 private:
  /// What `signed_value` signs (the part before its last '.'), and the index of the secret whose
  /// signature it carries; nullopt when none does.
  struct Signed {
    std::string_view value;
    std::size_t secret;
  };
  std::optional<Signed> verify(std::string_view signed_value) const;

  std::vector<HmacSha256> keys_;
  std::uint64_t generation_;  // tells this signer's entries in the per-thread cache of verified values
};

}  // namespace cortado::detail
