#pragma once
/// TlsError: a certificate, key or cipher list that cannot be used.

#include <stdexcept>

namespace cortado::http {

/// Thrown by Server::listen() with TLS and by reload_certificates(); what() is one line naming
/// the file and OpenSSL's reason, e.g. `TLS private key key.pem: key values mismatch`.
class TlsError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

}  // namespace cortado::http
