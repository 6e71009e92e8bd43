#pragma once
// TlsContext: an HTTPS listener's OpenSSL context, replaced whole when the certificates are reloaded.

#include "cortado/http/tls_options.hpp"

#include <boost/asio/ssl/context.hpp>

#include <atomic>
#include <memory>

namespace cortado::http {

/// The files a listener was given and the context built from them. A connection takes the
/// current context when it is accepted and keeps it for its life, so a reload changes what new
/// connections get and never what open ones have.
class TlsContext {
 public:
  /// Builds the context; throws TlsError (one line: which file, and OpenSSL's reason).
  explicit TlsContext(TlsOptions options);

  std::shared_ptr<boost::asio::ssl::context> current() const { return current_.load(std::memory_order_acquire); }
  /// Reads the files again; on failure throws TlsError and the old context stays.
  void reload();

 private:
  TlsOptions options_;
  // Swapped by reload() on the signal's thread while the I/O threads accept.
  std::atomic<std::shared_ptr<boost::asio::ssl::context>> current_;
};

/// Builds a server context from the options: TLS 1.2 and 1.3, the ciphers, ALPN http/1.1.
std::shared_ptr<boost::asio::ssl::context> make_tls_context(const TlsOptions& options);

}  // namespace cortado::http
