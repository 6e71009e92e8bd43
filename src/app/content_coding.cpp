#include "app/content_coding.hpp"

#include <brotli/encode.h>
#include <zlib.h>

#include <stdexcept>

namespace cortado::detail {
namespace {

std::string zlib_encode(std::string_view data, int level, bool gzip) {
  z_stream zs{};
  // windowBits 15 + 16 writes the gzip wrapper; 15 alone the zlib wrapper, which is what
  // "deflate" means in HTTP and what Node's createDeflate() writes.
  if (deflateInit2(&zs, level, Z_DEFLATED, gzip ? 15 + 16 : 15, 8, Z_DEFAULT_STRATEGY) != Z_OK)
    throw std::runtime_error("zlib: deflateInit2 failed");
  std::string out(deflateBound(&zs, static_cast<uLong>(data.size())) + (gzip ? 18 : 0), '\0');
  zs.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(data.data()));
  zs.avail_in = static_cast<uInt>(data.size());
  zs.next_out = reinterpret_cast<Bytef*>(out.data());
  zs.avail_out = static_cast<uInt>(out.size());
  int rc = deflate(&zs, Z_FINISH);
  auto written = zs.total_out;
  deflateEnd(&zs);
  if (rc != Z_STREAM_END) throw std::runtime_error("zlib: deflate did not finish");
  out.resize(written);
  return out;
}

std::string brotli_encode(std::string_view data, int quality) {
  std::size_t size = BrotliEncoderMaxCompressedSize(data.size());
  if (size == 0) size = data.size() + 1024;  // 0 means "too large to bound"; try anyway
  std::string out(size, '\0');
  if (!BrotliEncoderCompress(quality, BROTLI_DEFAULT_WINDOW, BROTLI_MODE_GENERIC, data.size(),
                             reinterpret_cast<const uint8_t*>(data.data()), &size,
                             reinterpret_cast<uint8_t*>(out.data())))
    throw std::runtime_error("brotli: compression failed");
  out.resize(size);
  return out;
}

}  // namespace

std::string encode_content(std::string_view coding, std::string_view data, int level, int quality) {
  if (data.size() > 0xffffffffu) throw std::runtime_error("body too large to compress at once");
  if (coding == "gzip") return zlib_encode(data, level, true);
  if (coding == "deflate") return zlib_encode(data, level, false);
  if (coding == "br") return brotli_encode(data, quality);
  throw std::invalid_argument("unknown content coding: " + std::string(coding));
}

}  // namespace cortado::detail
