// multipart(): the header alone, the streaming parser at every split point of a body, and the
// Content-Disposition rules busboy follows. Over sockets: tests/integration/uploads_test.cpp.
#include "cortado/app/multipart.hpp"

#include "app/multipart_parser.hpp"

#include <gtest/gtest.h>

#include <string>
#include <vector>

namespace cortado {
namespace {

// Records the parser's events as text: "<name|data...>" per part.
class Recorder : public detail::PartSink {
 public:
  std::string events;
  void part_begin(detail::PartHeaders& headers) override {
    events += "<" + headers["content-disposition"] + "|";
  }
  void part_data(std::string_view bytes) override { events.append(bytes); }
  void part_end() override { events += ">"; }
};

const std::string boundary = "b0und";
const std::string body =
    "preamble\r\n--b0und\r\nContent-Disposition: form-data; name=\"a\"\r\n\r\nfirst\r\n"
    "--b0und\r\nContent-Disposition: form-data; name=\"f\"; filename=\"x\"\r\nContent-Type: text/plain\r\n\r\n"
    "almost\r\n--b0un a boundary\r\n--b0u\r\n\r\r\n-\r\n"
    "--b0und--\r\nepilogue --b0und\r\n";
const std::string expected =
    "<form-data; name=\"a\"|first><form-data; name=\"f\"; filename=\"x\"|almost\r\n--b0un a boundary\r\n--b0u\r\n\r\r\n->";

TEST(MultipartParser, SameEventsWhereverTheBodyIsSplit) {
  for (std::size_t cut = 0; cut <= body.size(); ++cut) {
    detail::MultipartParser parser(boundary, 2000);
    Recorder sink;
    parser.feed(std::string_view(body).substr(0, cut), sink);
    parser.feed(std::string_view(body).substr(cut), sink);
    parser.finish();
    // Data may arrive in more pieces; joined it must be the same.
    ASSERT_EQ(sink.events, expected) << "cut at " << cut;
  }
}

TEST(MultipartParser, ByteByByte) {
  detail::MultipartParser parser(boundary, 2000);
  Recorder sink;
  for (char c : body) parser.feed(std::string_view(&c, 1), sink);
  EXPECT_NO_THROW(parser.finish());
  EXPECT_EQ(sink.events, expected);
}

TEST(MultipartParser, ABodyWithoutItsCloseDelimiterIsUnfinished) {
  detail::MultipartParser parser(boundary, 2000);
  Recorder sink;
  parser.feed(body.substr(0, body.find("--b0und--\r\nepi")), sink);
  EXPECT_THROW(parser.finish(), detail::MalformedMultipart);
}

TEST(MultipartParser, HeaderSectionsAreBounded) {
  detail::MultipartParser parser(boundary, 2000);
  Recorder sink;
  parser.feed("--b0und\r\nX-Long: ", sink);
  EXPECT_THROW(parser.feed(std::string(17 * 1024, 'a'), sink), detail::MalformedMultipart);
}

TEST(MultipartParser, HeaderPairsOverTheLimitAreIgnored) {
  detail::MultipartParser parser(boundary, 1);
  Recorder sink;
  parser.feed("--b0und\r\nX-First: 1\r\nContent-Disposition: form-data; name=\"a\"\r\n\r\nv\r\n--b0und--", sink);
  EXPECT_EQ(sink.events, "<|v>");
}

TEST(ParseDisposition, BusboysRules) {
  auto d = detail::parse_disposition(R"(Form-Data; NAME="a\"b"; filename="C:\dir\x.txt"; filename*=UTF-8''%E2%82%AC.txt)");
  EXPECT_EQ(d.type, "form-data");
  EXPECT_EQ(d.params["name"], "a\"b");
  EXPECT_EQ(d.params["filename"], "C:\\dir\\x.txt");
  EXPECT_EQ(d.params["filename*"], "\xE2\x82\xAC.txt");
  // Plain values are latin1 (multer's defParamCharset): a UTF-8 é becomes two characters.
  EXPECT_EQ(detail::parse_disposition("form-data; filename=\"\xC3\xA9\"").params["filename"], "\xC3\x83\xC2\xA9");
  EXPECT_EQ(detail::parse_disposition("form-data; name=\"unterminated").type, "");
  EXPECT_EQ(detail::multipart_boundary("multipart/form-data; boundary=\"quoted b\""), "quoted b");
  EXPECT_EQ(detail::multipart_boundary("multipart/form-data"), "");
}

TEST(MultipartError, MultersCodesMessagesAndOurStatuses) {
  MultipartError size("LIMIT_FILE_SIZE", "avatar");
  EXPECT_EQ(size.status(), 413u);
  EXPECT_STREQ(size.what(), "File too large");
  EXPECT_EQ(size.field(), "avatar");
  EXPECT_EQ(MultipartError("LIMIT_UNEXPECTED_FILE").status(), 400u);
  EXPECT_STREQ(MultipartError("MISSING_FIELD_NAME").what(), "Field name missing");
}

}  // namespace
}  // namespace cortado
