#include "cortado/app/redirect_to_https.hpp"

#include "cortado/app/http_error.hpp"
#include "cortado/app/request.hpp"
#include "cortado/app/response.hpp"

#include <string>

namespace cortado {

Middleware redirect_to_https(RedirectToHttpsOptions options) {
  return make_middleware([options](Request& req, Response& res, Next next) {
    if (req.secure()) {
      next();
      return;
    }
    if (req.method() != "GET" && req.method() != "HEAD")
      throw HttpError(403, "Please use HTTPS when submitting data to this server.");
    std::string host = req.hostname();
    if (host.empty()) throw HttpError(400, "A request without a Host cannot be redirected to HTTPS.");
    // Appended piece by piece: g++ 12 warns falsely (stringop-overflow) on "https://" + host.
    std::string url = "https://";
    url += host;
    if (options.https_port != 443) {
      url += ':';
      url += std::to_string(options.https_port);
    }
    url += req.original_url();
    res.redirect(301, url);
  });
}

}  // namespace cortado
