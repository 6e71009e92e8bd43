#pragma once
// RFC 6455 section 5: a WebSocket frame's header, read from the bytes a socket delivered, and
// written for a frame the server sends. Plain functions over bytes, so that the parser is tested
// without a socket (tests/unit/http/websocket_frame_test.cpp).

#include <array>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>

namespace cortado::http {

/// The frame types of RFC 6455 5.2 (the others are reserved).
enum class Opcode : std::uint8_t { continuation = 0, text = 1, binary = 2, close = 8, ping = 9, pong = 10 };

/// One frame's header as it arrived; the payload follows it in the stream.
struct FrameHeader {
  bool fin = false;
  /// The three RSV bits, as the high bits of the first byte (0x70 mask).
  std::uint8_t rsv = 0;
  /// The raw opcode (0-15), reserved ones included: the caller refuses those.
  std::uint8_t opcode = 0;
  bool masked = false;
  std::array<unsigned char, 4> mask{};
  std::uint64_t length = 0;
  /// Bytes of the header itself: 2 to 14.
  std::size_t size = 0;
};

/// The header at the start of `bytes`; nullopt while it has not all arrived.
std::optional<FrameHeader> parse_frame_header(std::span<const unsigned char> bytes);

/// The close code a client's frame header earns on a connection without extensions, or 0 when
/// it is acceptable: unmasked (a client must mask), an RSV bit set, a reserved opcode, a control
/// frame fragmented or over 125 bytes, a length not in its shortest form or with its top bit
/// set, a continuation with no message to continue or a new data frame inside one (1002); a
/// message over `max_message` once this frame is added to the `so_far` already received (1009).
std::uint16_t frame_error(const FrameHeader& header, bool in_message, std::uint64_t so_far, std::uint64_t max_message);

/// Unmasks `data` in place; `offset` is how many payload bytes of the frame came before it (the
/// mask cycles over the whole payload, which may arrive in pieces).
void unmask(std::span<unsigned char> data, const std::array<unsigned char, 4>& mask, std::uint64_t offset);

/// The header of a final, unmasked server frame (2, 4 or 10 bytes) written into `out`; returns
/// its size.
std::size_t write_frame_header(std::array<unsigned char, 10>& out, Opcode opcode, std::uint64_t length);

/// Whether a close frame's code may be sent by a peer (RFC 6455 7.4: 1000-1003, 1007-1013,
/// 3000 up); 1004-1006 and 1014-2999 are reserved or for reporting only.
bool valid_close_code(std::uint16_t code);

}  // namespace cortado::http
