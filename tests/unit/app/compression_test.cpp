// compression()'s rules without a server: the compressible package's answers (mime-db 1.54 and
// its fallback rule), the options it refuses, and the codings read back by zlib and brotli.

#include "cortado/app/compression.hpp"

#include "app/content_coding.hpp"

#include <brotli/decode.h>
#include <gtest/gtest.h>
#include <zlib.h>

#include <stdexcept>
#include <string>

namespace cortado {
namespace {

TEST(Compressible, FollowsMimeDbThenTheRule) {
  EXPECT_TRUE(compressible("text/html; charset=utf-8"));
  EXPECT_TRUE(compressible("application/json"));
  EXPECT_TRUE(compressible("  Application/JSON;charset=utf-8"));
  EXPECT_TRUE(compressible("application/vnd.api+json"));   // +json
  EXPECT_TRUE(compressible("application/x-custom+xml"));   // +xml, not in mime-db
  EXPECT_TRUE(compressible("text/x-anything"));            // text/*
  EXPECT_FALSE(compressible("image/png"));
  EXPECT_TRUE(compressible("application/octet-stream"));   // mime-db says so, surprisingly
  EXPECT_FALSE(compressible("application/zip"));
  EXPECT_FALSE(compressible(""));
  EXPECT_FALSE(compressible("application/x-unknown"));
}

TEST(Compression, RefusesLevelsOutOfRange) {
  EXPECT_THROW(compression({.level = 10}), std::invalid_argument);
  EXPECT_THROW(compression({.brotli_quality = 12}), std::invalid_argument);
  EXPECT_NO_THROW(compression({.level = 9, .brotli_quality = 11}));
}

TEST(ContentCoding, EachCodingDecodesBack) {
  std::string text;
  for (int i = 0; i < 1000; ++i) text += "line " + std::to_string(i) + "\n";
  for (int window : {15 + 16, 15}) {
    auto encoded = detail::encode_content(window == 15 ? "deflate" : "gzip", text, -1, 4);
    std::string out(text.size(), '\0');
    uLongf size = out.size();
    if (window == 15) {
      ASSERT_EQ(uncompress(reinterpret_cast<Bytef*>(out.data()), &size,
                           reinterpret_cast<const Bytef*>(encoded.data()), encoded.size()), Z_OK);
    } else {
      z_stream zs{};
      inflateInit2(&zs, window);
      zs.next_in = reinterpret_cast<Bytef*>(encoded.data());
      zs.avail_in = static_cast<uInt>(encoded.size());
      zs.next_out = reinterpret_cast<Bytef*>(out.data());
      zs.avail_out = static_cast<uInt>(out.size());
      ASSERT_EQ(inflate(&zs, Z_FINISH), Z_STREAM_END);
      size = zs.total_out;
      inflateEnd(&zs);
    }
    out.resize(size);
    EXPECT_EQ(out, text);
  }
  auto br = detail::encode_content("br", text, -1, 4);
  std::string out(text.size(), '\0');
  std::size_t size = out.size();
  ASSERT_EQ(BrotliDecoderDecompress(br.size(), reinterpret_cast<const uint8_t*>(br.data()), &size,
                                    reinterpret_cast<uint8_t*>(out.data())), BROTLI_DECODER_RESULT_SUCCESS);
  out.resize(size);
  EXPECT_EQ(out, text);
  EXPECT_THROW(detail::encode_content("zstd", text, -1, 4), std::invalid_argument);
}

}  // namespace
}  // namespace cortado
