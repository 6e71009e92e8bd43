#pragma once
// The content codings compression() writes: gzip and deflate (zlib) and br (brotli), over a
// whole body at once (cortado buffers bodies, so no streaming state is kept between writes).

#include <string>
#include <string_view>

namespace cortado::detail {

/// `data` encoded as `coding` ("gzip", "deflate" or "br"). `level` is zlib's (-1 to 9), `quality`
/// brotli's (0 to 11). Throws std::runtime_error when the library fails.
std::string encode_content(std::string_view coding, std::string_view data, int level, int quality);

}  // namespace cortado::detail
