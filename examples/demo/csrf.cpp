#include "csrf.hpp"

#include <cortado/app/http_error.hpp>
#include <cortado/app/request.hpp>
#include <cortado/app/response.hpp>
#include <cortado/session/session_id.hpp>

#include <sodium.h>

namespace demo {

std::string csrf_token(cortado::Session& session) {
  auto& token = session["csrf"];
  if (!token.is_string() || token.get_string().empty()) token = cortado::generate_session_id();  // 24 CSPRNG bytes
  return std::string(token.get_string());
}

void rotate_csrf_token(cortado::Session& session) { session["csrf"] = cortado::generate_session_id(); }

cortado::Middleware verify_csrf() {
  return cortado::make_middleware([](cortado::Request& req, cortado::Response&, cortado::Next next) {
    if (req.method() != "POST") {
      next();
      return;
    }
    const auto& expected = req.session().get("csrf");
    const boost::json::value* sent = req.body().is_object() ? req.body().get_object().if_contains("_csrf") : nullptr;
    // Constant-time comparison: how far a guess matched must not show in the response time.
    bool ok = expected.is_string() && !expected.get_string().empty() && sent && sent->is_string() &&
              sent->get_string().size() == expected.get_string().size() &&
              sodium_memcmp(sent->get_string().data(), expected.get_string().data(), expected.get_string().size()) == 0;
    if (!ok) throw cortado::HttpError(403, "csrf");
    next();
  });
}

}  // namespace demo
