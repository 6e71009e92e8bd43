// The worker's own reading of plain request heads (src/http/plain_head.hpp) against Beast's
// parser, which it stands in for: every head it takes, Beast must take too, to the same message.
//
// Input: one byte choosing the header limit (8192, or 24 to 279 bytes, so that heads at the limit
// are tried), then the bytes a client sends.
//
// Findings besides crashes and UB: a head the plain reading takes that Beast refuses, that Beast
// reads to another length, method, target, version or list of fields, that carries a body, or that
// names an upgrade.
#include "fuzz_support.hpp"

#include "cortado/http/exchange.hpp"
#include "http/plain_head.hpp"

#include <boost/asio/buffer.hpp>
#include <boost/beast/http/parser.hpp>

#include <cstdint>
#include <string>
#include <string_view>

namespace {

namespace bh = boost::beast::http;
using cortado::http::RawRequest;

std::string describe(const RawRequest& req) {
  std::string text;
  text.append(req.method_string()).append(" ").append(req.target()).append(" ");
  text += std::to_string(req.version());
  for (const auto& field : req) {
    text.append("\n").append(std::to_string(static_cast<int>(field.name()))).append(" ");
    text.append(field.name_string()).append(": ").append(field.value());
  }
  return text;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size < 1) return 0;
  const std::size_t limit = data[0] == 0 ? 8192 : 23 + data[0];
  const std::string_view text = fuzz::as_text(data + 1, size - 1);

  RawRequest plain;
  const std::size_t used = cortado::http::parse_plain_head(text, limit, plain);
  if (used == 0) return 0;  // left to Beast: nothing to compare
  if (used > text.size() || used > limit) fuzz::finding("the plain head took bytes it was not given");

  bh::request_parser<bh::string_body, cortado::http::FieldAllocator<char>> parser;
  parser.header_limit(static_cast<std::uint32_t>(limit));
  parser.body_limit(1 << 20);
  boost::system::error_code ec;
  std::size_t parsed = 0;
  // As the worker feeds a buffered head: until the header is done or Beast stops taking bytes.
  while (!parser.is_header_done() && parsed < text.size()) {
    const std::size_t n = parser.put(boost::asio::buffer(text.data() + parsed, text.size() - parsed), ec);
    parsed += n;
    if (ec || n == 0) break;
  }
  if (ec) fuzz::finding("Beast refuses a head the plain reading takes: " + ec.message());
  if (!parser.is_done()) fuzz::finding("the plain reading took a head that has a body");
  if (parsed != used) fuzz::finding("Beast reads the head to another length");
  if (parser.upgrade()) fuzz::finding("the plain reading took a head that names an upgrade");
  const RawRequest beast = parser.release();
  if (describe(beast) != describe(plain)) fuzz::finding("the messages differ:\n" + describe(beast) + "\n--\n" + describe(plain));
  if (plain.method() != beast.method()) fuzz::finding("the verbs differ");
  if (!beast.body().empty()) fuzz::finding("Beast read a body");
  return 0;
}
