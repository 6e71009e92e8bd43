#pragma once
// The session cookie as tests read it from responses: the name=value pair to send back, and the id in it.

#include "support/test_client.hpp"

#include <regex>
#include <string>

namespace cortado::test {

/// "connect.sid=s%3A<id>.<sig>" from a response's Set-Cookie, "" when there is none.
inline std::string cookie_pair(const Response& res) {
  auto set_cookie = res.header("set-cookie");
  return set_cookie.substr(0, set_cookie.find(';'));
}

/// The session id inside a signed cookie pair or value, "" when there is none.
inline std::string id_of(const std::string& pair) {
  static const std::regex pattern("s%3A([A-Za-z0-9_-]{32})\\.");
  std::smatch m;
  return std::regex_search(pair, m, pattern) ? m[1].str() : "";
}

}  // namespace cortado::test
