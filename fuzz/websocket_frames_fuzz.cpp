// The WebSocket data phase's parsing (src/http/websocket_frame.hpp, utf8_check.hpp): a client's
// bytes after the handshake, cut into frames as PlainWebSocket cuts them. What they promise:
// a header never claims more bytes than arrived and is 2 to 14 bytes long; a server header
// written for the same length and opcode reads back the same; unmasking in two pieces gives
// what unmasking at once gives; the incremental UTF-8 check, fed in pieces, agrees with itself
// fed at once and with a plain reading of RFC 3629.
//
// Input: one byte, where to split each payload (its value modulo the payload's length), then
// the bytes a client sent.
#include "fuzz_support.hpp"

#include "http/utf8_check.hpp"
#include "http/websocket_frame.hpp"

#include <algorithm>
#include <vector>

namespace {

using namespace cortado::http;

// RFC 3629, byte by byte, written apart from Utf8Check for comparing.
bool valid_utf8(std::span<const unsigned char> s) {
  std::size_t i = 0;
  while (i < s.size()) {
    const unsigned c = s[i];
    std::size_t more = 0;
    unsigned low = 0x80, high = 0xbf;
    if (c < 0x80) {
      more = 0;
    } else if (c >= 0xc2 && c <= 0xdf) {
      more = 1;
    } else if (c >= 0xe0 && c <= 0xef) {
      more = 2;
      if (c == 0xe0) low = 0xa0;   // no overlong forms
      if (c == 0xed) high = 0x9f;  // no surrogates
    } else if (c >= 0xf0 && c <= 0xf4) {
      more = 3;
      if (c == 0xf0) low = 0x90;
      if (c == 0xf4) high = 0x8f;  // nothing past U+10FFFF
    } else {
      return false;
    }
    if (i + more >= s.size() && more > 0) return false;  // cut short
    for (std::size_t k = 1; k <= more; ++k) {
      const unsigned b = s[i + k];
      const unsigned lo = k == 1 ? low : 0x80, hi = k == 1 ? high : 0xbf;
      if (b < lo || b > hi) return false;
    }
    i += more + 1;
  }
  return true;
}

bool check_in_pieces(std::span<const unsigned char> s, std::size_t cut) {
  Utf8Check check;
  const bool ok = check.add(s.first(cut)) && check.add(s.subspan(cut));
  return ok && check.complete();
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size == 0) return 0;
  const unsigned split = data[0];
  std::span<const unsigned char> rest(data + 1, size - 1);
  bool in_message = false;
  std::uint64_t so_far = 0;
  while (auto header = parse_frame_header(rest)) {
    if (header->size < 2 || header->size > 14 || header->size > rest.size()) fuzz::finding("a header larger than its bytes");
    std::array<unsigned char, 10> written{};
    const std::size_t n = write_frame_header(written, static_cast<Opcode>(header->opcode & 0x0f), header->length);
    auto back = parse_frame_header(std::span<const unsigned char>(written.data(), n));
    if (!back || back->length != header->length || back->opcode != header->opcode || !back->fin || back->masked)
      fuzz::finding("a server header that does not read back");
    if (frame_error(*header, in_message, so_far, 1 << 16) != 0) break;  // the socket closes here
    rest = rest.subspan(header->size);
    if (header->length > rest.size()) break;  // the rest has not arrived
    std::vector<unsigned char> whole(rest.begin(), rest.begin() + static_cast<std::ptrdiff_t>(header->length));
    std::vector<unsigned char> pieces = whole;
    const std::size_t cut = whole.empty() ? 0 : split % whole.size();
    unmask(whole, header->mask, 0);
    unmask(std::span(pieces).first(cut), header->mask, 0);
    unmask(std::span(pieces).subspan(cut), header->mask, cut);
    if (whole != pieces) fuzz::finding("unmasking in two pieces differs");
    Utf8Check at_once;
    const bool once = at_once.add(whole) && at_once.complete();
    if (once != check_in_pieces(whole, cut)) fuzz::finding("the UTF-8 check depends on where the text is cut");
    if (once != valid_utf8(whole)) fuzz::finding("the UTF-8 check disagrees with RFC 3629");
    if (header->opcode < 8) {  // data frames make up a message; control frames come between
      in_message = !header->fin;
      so_far = in_message ? so_far + header->length : 0;
    }
    rest = rest.subspan(header->length);
  }
  return 0;
}
