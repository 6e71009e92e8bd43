#pragma once
/// redirect_to_https(): sends plain-HTTP requests to the same URL over HTTPS.

#include "cortado/app/handler.hpp"

#include <cstdint>

namespace cortado {

struct RedirectToHttpsOptions {
  /// The port the HTTPS listener is reached on; 443 is left out of the URL.
  std::uint16_t https_port = 443;
};

/// Middleware for the plain-HTTP side of an app served on both: a request that is not
/// req.secure() (which honours trust proxy and X-Forwarded-Proto) gets a 301 to
/// https://<hostname>[:port]<original url> when it is a GET or HEAD, and a 403 otherwise (as
/// express-sslify does): its body has already crossed the network in the clear, and a 307/308
/// would have the client send it in the clear first every time, unnoticed. Secure requests
/// pass through. A request without a Host gets 400.
Middleware redirect_to_https(RedirectToHttpsOptions options = {});

}  // namespace cortado
