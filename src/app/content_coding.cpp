#include "app/content_coding.hpp"

#include <brotli/encode.h>
#include <libdeflate.h>

#include <algorithm>
#include <array>
#include <memory>
#include <stdexcept>

namespace cortado::detail {
namespace {

constexpr int default_deflate_level = 5;

// gzip and deflate through libdeflate: cortado compresses a whole buffered body at once, which is
// what libdeflate is made for; it writes the same formats as zlib (any zlib or browser reads them)
// in about half zlib's time at the same level, and its compressor is made once per thread and
// level and reused, where deflateInit2 allocates and clears some 256 KiB for every response.
libdeflate_compressor& compressor_for(int level) {
  struct Free {
    void operator()(libdeflate_compressor* c) const { libdeflate_free_compressor(c); }
  };
  thread_local std::array<std::unique_ptr<libdeflate_compressor, Free>, 13> compressors;
  // libdeflate takes 0 to 12, and its levels compress harder than zlib's of the same number.
  // -1, zlib's default (its 6), becomes libdeflate's 5: the least work whose output is no larger
  // than zlib's default (the W0z document: 1 087 bytes against zlib 6's 1 215, and 4 writes
  // 1 224), in 70% of the time libdeflate's 6 takes. An explicit level is taken as it is.
  level = level < 0 ? default_deflate_level : std::min(level, 12);
  auto& slot = compressors[static_cast<std::size_t>(level)];
  if (!slot) slot.reset(libdeflate_alloc_compressor(level));
  if (!slot) throw std::runtime_error("libdeflate: cannot make a compressor");
  return *slot;
}

std::string deflate_encode(std::string_view data, int level, bool gzip) {
  auto& c = compressor_for(level);
  // Written into a buffer kept per thread, then copied into a string of the encoded size: a string
  // of the bound's size was zero-filled, and kept all of it (the input's size) after the resize.
  thread_local std::unique_ptr<char[]> buffer;
  thread_local std::size_t capacity = 0;
  const std::size_t bound =
      gzip ? libdeflate_gzip_compress_bound(&c, data.size()) : libdeflate_zlib_compress_bound(&c, data.size());
  if (capacity < bound) {
    buffer = std::make_unique_for_overwrite<char[]>(bound);
    capacity = bound;
  }
  // "deflate" in HTTP is the zlib wrapper, what Node's createDeflate() writes.
  std::size_t written = gzip ? libdeflate_gzip_compress(&c, data.data(), data.size(), buffer.get(), capacity)
                             : libdeflate_zlib_compress(&c, data.data(), data.size(), buffer.get(), capacity);
  if (written == 0) throw std::runtime_error("libdeflate: compression failed");
  std::string out(buffer.get(), written);
  // A thread keeps what a day's responses need, not the largest body it ever compressed.
  if (capacity > (std::size_t{1} << 20)) {
    buffer.reset();
    capacity = 0;
  }
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
  if (coding == "gzip") return deflate_encode(data, level, true);
  if (coding == "deflate") return deflate_encode(data, level, false);
  if (coding == "br") return brotli_encode(data, quality);
  throw std::invalid_argument("unknown content coding: " + std::string(coding));
}

}  // namespace cortado::detail
