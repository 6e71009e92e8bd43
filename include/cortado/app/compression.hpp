#pragma once
/// compression(): gzip, deflate and brotli response bodies (the compression npm package, 1.8).

#include "cortado/app/handler.hpp"

#include <cstddef>
#include <functional>
#include <string>
#include <string_view>

namespace cortado {

class Request;
class Response;

/// Options of compression(), the compression package's defaults.
struct CompressionOptions {
  /// Bodies shorter than this many bytes are sent as they are.
  std::size_t threshold = 1024;
  /// The level for gzip and deflate, 0 (none) to 9 (smallest) as in zlib. -1, the default, asks
  /// for output no larger than zlib's default level writes, with the least work (libdeflate's 5,
  /// which compresses more than zlib's 6 in less time).
  int level = -1;
  /// brotli's quality, 0 to 11; 4 as the compression package sets it (speed and ratio balanced).
  int brotli_quality = 4;
  /// Whether to compress this response; null means compressible_response() (Express:
  /// compression.filter), which a filter of your own may call.
  std::function<bool(const Request&, const Response&)> filter{};
  /// The encoding used when the request has no Accept-Encoding at all ("gzip", "br", ...).
  std::string enforce_encoding = "identity";
  /// A file body (send_file, serve_static) longer than this is sent uncompressed: compressing
  /// reads it whole into memory. Files with precompressed siblings need no reading at all.
  std::size_t max_file_size = 4 * 1024 * 1024;
};

/// The compressible package's rule for a Content-Type: mime-db's flag, else text/*, +json,
/// +text and +xml types.
bool compressible(std::string_view content_type);

/// The default filter: the response's Content-Type is compressible.
bool compressible_response(const Request& req, const Response& res);

/// Middleware that compresses what the rest of the chain answers, negotiated from
/// Accept-Encoding (br, then gzip, when their q values tie), with Vary: Accept-Encoding. Leaves
/// alone HEAD, Cache-Control: no-transform, a body that has a Content-Encoding already, partial
/// content (206), and bodies under the threshold. The body goes out with a Content-Length.
Middleware compression(CompressionOptions options = {});

}  // namespace cortado
