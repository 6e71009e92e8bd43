#include "http/tls_context.hpp"

#include "cortado/http/tls_error.hpp"

#include <openssl/err.h>
#include <openssl/ssl.h>

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <string_view>

namespace cortado::http {

namespace ssl = boost::asio::ssl;

namespace {

// OpenSSL's reason for the failure: the first entry of its queue, where it started ("no start
// line" rather than the "PEM lib" stacked on it), or `fallback`.
std::string openssl_reason(const char* fallback) {
  unsigned long code = ERR_get_error();
  ERR_clear_error();
  if (code == 0) return fallback;
  const char* reason = ERR_reason_error_string(code);
  return reason ? reason : fallback;
}

[[noreturn]] void fail(std::string_view what, const std::string& file, const char* fallback) {
  // A file that cannot be opened: the system's reason ("No such file or directory"), which
  // OpenSSL reports only as "system lib".
  if (std::FILE* f = std::fopen(file.c_str(), "rb")) std::fclose(f);
  else throw TlsError(std::string(what) + " " + file + ": " + std::strerror(errno));
  throw TlsError(std::string(what) + " " + file + ": " + openssl_reason(fallback));
}

// ALPN: http/1.1 when the client offers it. A client that offers only other protocols (h2
// alone) gets no ALPN answer rather than an alert, and may go on in HTTP/1.1 as without ALPN.
int select_alpn(SSL*, const unsigned char** out, unsigned char* outlen, const unsigned char* in, unsigned inlen, void*) {
  static constexpr unsigned char http11[] = {'h', 't', 't', 'p', '/', '1', '.', '1'};
  for (unsigned i = 0; i < inlen;) {
    unsigned len = in[i];
    if (i + 1 + len > inlen) break;
    if (len == sizeof http11 && std::memcmp(in + i + 1, http11, len) == 0) {
      *out = in + i + 1;
      *outlen = static_cast<unsigned char>(len);
      return SSL_TLSEXT_ERR_OK;
    }
    i += 1 + len;
  }
  return SSL_TLSEXT_ERR_NOACK;
}

}  // namespace

std::shared_ptr<ssl::context> make_tls_context(const TlsOptions& options) {
  ERR_clear_error();
  auto ctx = std::make_shared<ssl::context>(ssl::context::tls_server);
  SSL_CTX* native = ctx->native_handle();
  SSL_CTX_set_min_proto_version(native, TLS1_2_VERSION);
  // No renegotiation (a client-driven CPU sink) and no TLS compression (CRIME).
  // Mozilla's intermediate leaves the choice of cipher to the client (all of them are strong, and
  // a client without AES hardware prefers ChaCha20): no SSL_OP_CIPHER_SERVER_PREFERENCE.
  SSL_CTX_set_options(native, SSL_OP_NO_RENEGOTIATION | SSL_OP_NO_COMPRESSION);
  // An idle keep-alive connection gives back OpenSSL's read and write buffers (about 34 KiB), as
  // a plain one gives back its read buffer; nginx does the same.
  SSL_CTX_set_mode(native, SSL_MODE_RELEASE_BUFFERS);
  if (SSL_CTX_set_cipher_list(native, options.ciphers.c_str()) != 1)
    throw TlsError("TLS cipher list \"" + options.ciphers + "\": " + openssl_reason("no usable cipher"));
  if (options.cert_chain_file.empty()) throw TlsError("TLS certificate chain: no file given");
  if (options.key_file.empty()) throw TlsError("TLS private key: no file given");
  if (SSL_CTX_use_certificate_chain_file(native, options.cert_chain_file.c_str()) != 1)
    fail("TLS certificate chain", options.cert_chain_file, "cannot be read");
  if (SSL_CTX_use_PrivateKey_file(native, options.key_file.c_str(), SSL_FILETYPE_PEM) != 1)
    fail("TLS private key", options.key_file, "cannot be read");
  if (SSL_CTX_check_private_key(native) != 1)
    fail("TLS private key", options.key_file, "does not match the certificate");
  SSL_CTX_set_alpn_select_cb(native, select_alpn, nullptr);
  return ctx;
}

TlsContext::TlsContext(TlsOptions options) : options_(std::move(options)), current_(make_tls_context(options_)) {}

void TlsContext::reload() { current_.store(make_tls_context(options_), std::memory_order_release); }

}  // namespace cortado::http
