// Cookie unsigning and the Cookie header parser: what every request with a session cookie runs
// before anything else. Nothing here may throw; a value that unsigns must be exactly what
// signing it again gives, and signing then unsigning must give the value back.
#include "fuzz_support.hpp"

#include "cortado/core/cookies.hpp"
#include "cortado/session/signature.hpp"

#include <set>
#include <string>
#include <vector>

namespace {

// Two secrets as in a rotation: the first signs, both verify.
const std::vector<std::string> secrets{"fuzz secret", "retired fuzz secret"};

// An unsigned value is only accepted when its signature is one of the secrets' own.
void check_unsigned(std::string_view signed_value, const std::optional<std::string>& value) {
  if (!value) return;
  if (cortado::sign(*value, secrets[0]) != signed_value && cortado::sign(*value, secrets[1]) != signed_value)
    fuzz::finding("unsign accepted a signature no secret made");
}

void check_cookie_value(std::string_view value) {
  check_unsigned(value, cortado::unsign(value, secrets));
  auto id = cortado::unsign_cookie(value, secrets);
  if (id) check_unsigned(value.substr(2), id);
}

// cookie.parse: names are unique, the first occurrence wins. (An empty name is allowed: cookie@0.7
// keeps "=v" under the name "".)
void check_cookies(const cortado::Cookies& cookies) {
  std::set<std::string_view> names;
  for (const auto& [name, value] : cookies) {
    if (!names.insert(name).second) fuzz::finding("a cookie name listed twice");
    check_cookie_value(value);
  }
}

// Whatever the value (dots included: unsign splits at the last one, and a signature has none),
// the secret that signed it unsigns it, and another one does not.
void check_round_trip(std::string_view value) {
  auto signed_value = cortado::sign(value, secrets[1]);
  if (cortado::unsign(signed_value, secrets) != std::string(value)) fuzz::finding("a signed value did not unsign");
  static const std::vector<std::string> other{"another secret"};
  if (cortado::unsign(signed_value, other)) fuzz::finding("a value unsigned with the wrong secret");
  auto cookie = cortado::sign_cookie(value, secrets[0]);
  if (cortado::unsign_cookie(cookie, secrets) != std::string(value)) fuzz::finding("a signed cookie did not unsign");
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  auto input = fuzz::as_text(data, size);
  check_cookies(cortado::parse_cookies(input));
  check_cookie_value(input);
  check_round_trip(input);
  return 0;
}
