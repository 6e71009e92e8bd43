// The WebSocket frame header (RFC 6455 5.2) as PlainWebSocket reads and writes it: every length
// form, masks, the bits and opcodes refused, a header split across reads.
#include "http/websocket_frame.hpp"

#include <gtest/gtest.h>

#include <array>
#include <cstdint>
#include <string>
#include <vector>

namespace cortado::http {
namespace {

using Bytes = std::vector<unsigned char>;

// A client frame: FIN and opcode, then the length in the form asked for (0: shortest).
Bytes client_frame(std::uint8_t first, std::uint64_t length, int form = 0, bool masked = true) {
  Bytes out{first};
  const unsigned char mask_bit = masked ? 0x80 : 0;
  if (form == 0) form = length < 126 ? 1 : length <= 0xffff ? 2 : 8;
  if (form == 1) {
    out.push_back(static_cast<unsigned char>(mask_bit | length));
  } else if (form == 2) {
    out.push_back(mask_bit | 126);
    out.push_back(static_cast<unsigned char>(length >> 8));
    out.push_back(static_cast<unsigned char>(length));
  } else {
    out.push_back(mask_bit | 127);
    for (int i = 7; i >= 0; --i) out.push_back(static_cast<unsigned char>(length >> (8 * i)));
  }
  if (masked) out.insert(out.end(), {0x11, 0x22, 0x33, 0x44});
  return out;
}

std::uint16_t error_of(const Bytes& bytes, bool in_message = false, std::uint64_t so_far = 0,
                       std::uint64_t max = 64 * 1024) {
  auto header = parse_frame_header(bytes);
  EXPECT_TRUE(header.has_value());
  return header ? frame_error(*header, in_message, so_far, max) : 0xffff;
}

TEST(FrameHeader, ReadsEachLengthForm) {
  for (std::uint64_t length : {0ull, 5ull, 125ull, 126ull, 65535ull, 65536ull, 1ull << 40}) {
    auto bytes = client_frame(0x82, length);
    auto header = parse_frame_header(bytes);
    ASSERT_TRUE(header) << length;
    EXPECT_TRUE(header->fin);
    EXPECT_EQ(header->opcode, 2);
    EXPECT_TRUE(header->masked);
    EXPECT_EQ(header->length, length);
    EXPECT_EQ(header->size, bytes.size());
    EXPECT_EQ(header->mask[0], 0x11);
    EXPECT_EQ(header->mask[3], 0x44);
  }
}

TEST(FrameHeader, WaitsForEveryByteOfASplitHeader) {
  for (std::uint64_t length : {3ull, 300ull, 70000ull}) {
    auto bytes = client_frame(0x81, length);
    for (std::size_t cut = 0; cut < bytes.size(); ++cut)
      EXPECT_FALSE(parse_frame_header(std::span(bytes.data(), cut))) << length << " cut at " << cut;
    EXPECT_TRUE(parse_frame_header(bytes));
  }
}

TEST(FrameHeader, AcceptsWhatAClientMaySend) {
  EXPECT_EQ(error_of(client_frame(0x81, 10)), 0);                     // text
  EXPECT_EQ(error_of(client_frame(0x02, 10)), 0);                     // first fragment of binary
  EXPECT_EQ(error_of(client_frame(0x00, 10), true), 0);               // continuation inside a message
  EXPECT_EQ(error_of(client_frame(0x89, 125), true), 0);              // ping between fragments
  EXPECT_EQ(error_of(client_frame(0x8a, 0)), 0);                      // pong
  EXPECT_EQ(error_of(client_frame(0x88, 2)), 0);                      // close
}

TEST(FrameHeader, RefusesWhatRfc6455Forbids) {
  EXPECT_EQ(error_of(client_frame(0x81, 10, 0, /*masked=*/false)), 1002);  // a client must mask
  EXPECT_EQ(error_of(client_frame(0xc1, 10)), 1002);                       // RSV1 without an extension
  EXPECT_EQ(error_of(client_frame(0xa1, 10)), 1002);                       // RSV2
  EXPECT_EQ(error_of(client_frame(0x91, 10)), 1002);                       // RSV3
  for (std::uint8_t op : {3, 4, 5, 6, 7, 11, 12, 13, 14, 15})
    EXPECT_EQ(error_of(client_frame(static_cast<std::uint8_t>(0x80 | op), 1)), 1002) << int(op);
  EXPECT_EQ(error_of(client_frame(0x09, 1)), 1002);                        // fragmented ping
  EXPECT_EQ(error_of(client_frame(0x89, 126)), 1002);                      // ping over 125 bytes
  EXPECT_EQ(error_of(client_frame(0x88, 126)), 1002);                      // close over 125 bytes
  EXPECT_EQ(error_of(client_frame(0x80, 1)), 1002);                        // continuation of nothing
  EXPECT_EQ(error_of(client_frame(0x81, 1), true), 1002);                  // new message inside one
  EXPECT_EQ(error_of(client_frame(0x82, 1), true), 1002);
  EXPECT_EQ(error_of(client_frame(0x81, 5, 2)), 1002);                     // 16-bit form for 5 bytes
  EXPECT_EQ(error_of(client_frame(0x81, 500, 8)), 1002);                   // 64-bit form for 500
  EXPECT_EQ(error_of(client_frame(0x81, 1ull << 63, 8), false, 0, ~0ull), 1002);  // top bit set
}

TEST(FrameHeader, RefusesAMessageOverTheLimitFromItsHeaders) {
  EXPECT_EQ(error_of(client_frame(0x81, 100), false, 0, 100), 0);
  EXPECT_EQ(error_of(client_frame(0x81, 101), false, 0, 100), 1009);
  EXPECT_EQ(error_of(client_frame(0x80, 40), true, 60, 100), 0);
  EXPECT_EQ(error_of(client_frame(0x80, 41), true, 60, 100), 1009);
  EXPECT_EQ(error_of(client_frame(0x82, 1ull << 40), false, 0, 100), 1009);
}

TEST(FrameHeader, UnmasksAcrossPieces) {
  const std::array<unsigned char, 4> mask{1, 2, 3, 4};
  std::string text = "Hello, WebSocket";
  Bytes masked(text.begin(), text.end());
  for (std::size_t i = 0; i < masked.size(); ++i) masked[i] ^= mask[i % 4];
  // In pieces of 3, 5 and the rest: the mask goes on where the last piece stopped.
  unmask(std::span(masked.data(), 3), mask, 0);
  unmask(std::span(masked.data() + 3, 5), mask, 3);
  unmask(std::span(masked.data() + 8, masked.size() - 8), mask, 8);
  EXPECT_EQ(std::string(masked.begin(), masked.end()), text);
}

TEST(FrameHeader, WritesServerFramesInTheShortestForm) {
  std::array<unsigned char, 10> out{};
  EXPECT_EQ(write_frame_header(out, Opcode::text, 125), 2u);
  EXPECT_EQ(out[0], 0x81);
  EXPECT_EQ(out[1], 125);
  EXPECT_EQ(write_frame_header(out, Opcode::binary, 126), 4u);
  EXPECT_EQ(out[0], 0x82);
  EXPECT_EQ(out[1], 126);
  EXPECT_EQ(out[2], 0);
  EXPECT_EQ(out[3], 126);
  EXPECT_EQ(write_frame_header(out, Opcode::pong, 65536), 10u);
  EXPECT_EQ(out[0], 0x8a);
  EXPECT_EQ(out[1], 127);
  EXPECT_EQ(out[7], 1);
  EXPECT_EQ(out[9], 0);
  // What the server writes reads back, unmasked.
  auto header = parse_frame_header(std::span<const unsigned char>(out.data(), 10));
  ASSERT_TRUE(header);
  EXPECT_FALSE(header->masked);
  EXPECT_EQ(header->length, 65536u);
}

TEST(FrameHeader, CloseCodesAPeerMaySend) {
  for (std::uint16_t code : {1000, 1001, 1002, 1003, 1007, 1008, 1009, 1010, 1011, 1012, 1013, 3000, 4000, 4999})
    EXPECT_TRUE(valid_close_code(code)) << code;
  for (std::uint16_t code : {0, 999, 1004, 1005, 1006, 1014, 1015, 1016, 2999})
    EXPECT_FALSE(valid_close_code(code)) << code;
}

}  // namespace
}  // namespace cortado::http
