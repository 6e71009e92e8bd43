#pragma once
/// Self-signed certificates for TLS tests, made with the openssl command line as
/// scripts/make-cert.sh makes them: localhost and 127.0.0.1, a chosen serial number.
///
///   test::TempDir dir;
///   auto cert = test::make_cert(dir, "a", 0x1001);    // dir/a-cert.pem, dir/a-key.pem
///   app.bind_tls(0, cert.options());
///   test::Connection conn(port, cert.client());        // trusts exactly that certificate

#include "support/temp_dir.hpp"
#include "support/test_client.hpp"

#include "cortado/http/tls_options.hpp"

#include <cstdlib>
#include <stdexcept>
#include <string>

namespace cortado::test {

struct TestCert {
  std::string cert_file;
  std::string key_file;

  http::TlsOptions options() const { return {.cert_chain_file = cert_file, .key_file = key_file}; }
  TlsClientOptions client() const { return {.ca_file = cert_file}; }
};

/// Writes a fresh key and certificate under `dir`; throws when openssl fails.
inline TestCert make_cert(const TempDir& dir, const std::string& name, unsigned serial) {
  TestCert c{dir.file(name + "-cert.pem"), dir.file(name + "-key.pem")};
  std::string command = "openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes -days 2 "
                        "-subj /CN=localhost -addext subjectAltName=DNS:localhost,IP:127.0.0.1 -set_serial " +
                        std::to_string(serial) + " -keyout '" + c.key_file + "' -out '" + c.cert_file +
                        "' 2>/dev/null";
  if (std::system(command.c_str()) != 0) throw std::runtime_error("openssl req failed: " + command);
  return c;
}

}  // namespace cortado::test
