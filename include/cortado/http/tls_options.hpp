#pragma once
/// TlsOptions: the certificate, key and ciphers an HTTPS listener serves with.

#include <string>

namespace cortado::http {

/// Mozilla's "intermediate" configuration (version 5.7) for TLS 1.2: forward secrecy and AEAD
/// ciphers only. TLS 1.3's suites are OpenSSL's defaults, which are all in that configuration.
inline constexpr const char* intermediate_ciphers =
    "ECDHE-ECDSA-AES128-GCM-SHA256:ECDHE-RSA-AES128-GCM-SHA256:ECDHE-ECDSA-AES256-GCM-SHA384:"
    "ECDHE-RSA-AES256-GCM-SHA384:ECDHE-ECDSA-CHACHA20-POLY1305:ECDHE-RSA-CHACHA20-POLY1305:"
    "DHE-RSA-AES128-GCM-SHA256:DHE-RSA-AES256-GCM-SHA384:DHE-RSA-CHACHA20-POLY1305";

/// What https.createServer({cert, key}) takes, as file names: TLS 1.2 and 1.3 only, ALPN
/// `http/1.1`. The files are read again by Server::reload_certificates() (and on SIGHUP).
struct TlsOptions {
  /// PEM: the server's certificate first, then the intermediates up to (not including) the root.
  std::string cert_chain_file;
  /// PEM private key matching the certificate (unencrypted).
  std::string key_file;
  /// OpenSSL cipher list for TLS 1.2.
  std::string ciphers = intermediate_ciphers;
};

}  // namespace cortado::http
