// Media types against mime-types@3.0.2 (mime-db 1.54.0), the version express@5.3.0 installs.
// Expected values were printed by Node v20:
//   mime_type(x):        require('mime-types').lookup(x) (false is "" here)
//   content_type_for(t): the Content-Type that express.response.type(t) sets, i.e.
//                        mime.contentType(mime.contentType(t) || 'application/octet-stream') for a
//                        short name and mime.contentType(t) for a type with '/'

#include "core/mime.hpp"

#include <gtest/gtest.h>

#include <string>
#include <utility>

namespace cortado {
namespace {

TEST(MimeType, CommonWebExtensions) {
  // mime.lookup(ext)
  const std::pair<const char*, const char*> node[] = {
      {"avif", "image/avif"},      {"bin", "application/octet-stream"},
      {"bmp", "image/bmp"},        {"css", "text/css"},
      {"csv", "text/csv"},         {"gif", "image/gif"},
      {"gz", "application/gzip"},  {"htm", "text/html"},
      {"html", "text/html"},       {"ico", "image/vnd.microsoft.icon"},
      {"jpeg", "image/jpeg"},      {"jpg", "image/jpeg"},
      {"js", "text/javascript"},   {"json", "application/json"},
      {"map", "application/json"}, {"md", "text/markdown"},
      {"mjs", "text/javascript"},  {"mp3", "audio/mpeg"},
      {"mp4", "video/mp4"},        {"otf", "font/otf"},
      {"pdf", "application/pdf"},  {"png", "image/png"},
      {"svg", "image/svg+xml"},    {"tar", "application/x-tar"},
      {"text", "text/plain"},      {"ttf", "font/ttf"},
      {"txt", "text/plain"},       {"wasm", "application/wasm"},
      {"wav", "audio/wav"},        {"weba", "audio/webm"},
      {"webm", "video/webm"},      {"webmanifest", "application/manifest+json"},
      {"webp", "image/webp"},      {"woff", "font/woff"},
      {"woff2", "font/woff2"},     {"xhtml", "application/xhtml+xml"},
      {"xml", "application/xml"},  {"yaml", "text/yaml"},
      {"yml", "text/yaml"},        {"zip", "application/zip"},
  };
  for (const auto& [ext, type] : node) EXPECT_EQ(mime_type(ext), type) << ext;
}

TEST(MimeType, NamesPathsAndCase) {
  // mime.lookup(x)
  EXPECT_EQ(mime_type(".png"), "image/png");
  EXPECT_EQ(mime_type("PNG"), "image/png");
  EXPECT_EQ(mime_type("a/b.css"), "text/css");
  EXPECT_EQ(mime_type("archive.tar.gz"), "application/gzip");
  EXPECT_EQ(mime_type("txt.gz"), "application/gzip");
  EXPECT_EQ(mime_type("dir.d/txt"), "");  // false: no extension after the last '/'
  EXPECT_EQ(mime_type("README"), "");
  EXPECT_EQ(mime_type("unknownext"), "");
  EXPECT_EQ(mime_type("x."), "");
  EXPECT_EQ(mime_type(""), "");
}

TEST(MimeType, OtherTypesMimeDbKnows) {
  // mime.lookup(ext) for a few more types browsers commonly fetch.
  EXPECT_EQ(mime_type("apng"), "image/apng");
  EXPECT_EQ(mime_type("ogg"), "audio/ogg");
  EXPECT_EQ(mime_type("jsonld"), "application/ld+json");
  EXPECT_EQ(mime_type("ics"), "text/calendar");
  EXPECT_EQ(mime_type("mov"), "video/quicktime");
  EXPECT_EQ(mime_type("rtf"), "application/rtf");
}

TEST(ContentTypeFor, ShortNamesAndFullTypes) {
  // express.response.type(t) -> Content-Type
  EXPECT_EQ(content_type_for("html"), "text/html; charset=utf-8");
  EXPECT_EQ(content_type_for(".html"), "text/html; charset=utf-8");
  EXPECT_EQ(content_type_for("json"), "application/json; charset=utf-8");
  EXPECT_EQ(content_type_for("js"), "text/javascript; charset=utf-8");
  EXPECT_EQ(content_type_for("md"), "text/markdown; charset=utf-8");
  EXPECT_EQ(content_type_for("csv"), "text/csv; charset=utf-8");
  EXPECT_EQ(content_type_for("webmanifest"), "application/manifest+json; charset=utf-8");
  EXPECT_EQ(content_type_for("png"), "image/png");
  EXPECT_EQ(content_type_for("svg"), "image/svg+xml");
  EXPECT_EQ(content_type_for("xml"), "application/xml");
  EXPECT_EQ(content_type_for("nope"), "application/octet-stream");
  EXPECT_EQ(content_type_for("text/html"), "text/html; charset=utf-8");
  EXPECT_EQ(content_type_for("text/css"), "text/css; charset=utf-8");
  EXPECT_EQ(content_type_for("application/json"), "application/json; charset=utf-8");
  EXPECT_EQ(content_type_for("application/javascript"), "application/javascript; charset=utf-8");
  EXPECT_EQ(content_type_for("application/manifest+json"), "application/manifest+json; charset=utf-8");
  EXPECT_EQ(content_type_for("application/xml"), "application/xml");
  EXPECT_EQ(content_type_for("image/svg+xml"), "image/svg+xml");
  EXPECT_EQ(content_type_for("foo/bar"), "foo/bar");
  EXPECT_EQ(content_type_for("application/x-www-form-urlencoded"), "application/x-www-form-urlencoded");
  EXPECT_EQ(content_type_for("text/plain; charset=latin1"), "text/plain; charset=latin1");
}

TEST(ContentTypeFor, CharsetOnlyWhereMimeDbGivesOne) {
  // mime.charset(type) is mime-db's charset, or UTF-8 for text/*; a +json suffix alone gives none.
  EXPECT_EQ(content_type_for("application/vnd.api+json"), "application/vnd.api+json");
  EXPECT_EQ(content_type_for("application/ld+json"), "application/ld+json");
}

TEST(ContentTypeFor, TypeMatchingIgnoresCaseAndParameters) {
  // mime.contentType adds the charset unless the text already says "charset"; the type before
  // ';' is matched case-insensitively.
  EXPECT_EQ(content_type_for("TEXT/HTML"), "TEXT/HTML; charset=utf-8");
  EXPECT_EQ(content_type_for("text/html;level=1"), "text/html;level=1; charset=utf-8");
}

}  // namespace
}  // namespace cortado
