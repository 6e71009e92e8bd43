#include "http/websocket_frame.hpp"

namespace cortado::http {

std::optional<FrameHeader> parse_frame_header(std::span<const unsigned char> bytes) {
  if (bytes.size() < 2) return std::nullopt;
  FrameHeader header;
  header.fin = (bytes[0] & 0x80) != 0;
  header.rsv = bytes[0] & 0x70;
  header.opcode = bytes[0] & 0x0f;
  header.masked = (bytes[1] & 0x80) != 0;
  std::uint64_t length = bytes[1] & 0x7f;
  std::size_t size = 2;
  std::size_t extended = length == 126 ? 2 : length == 127 ? 8 : 0;
  if (bytes.size() < size + extended + (header.masked ? 4 : 0)) return std::nullopt;
  if (extended) {
    length = 0;
    for (std::size_t i = 0; i < extended; ++i) length = (length << 8) | bytes[size + i];
    size += extended;
  }
  if (header.masked) {
    for (std::size_t i = 0; i < 4; ++i) header.mask[i] = bytes[size + i];
    size += 4;
  }
  header.length = length;
  header.size = size;
  return header;
}

std::uint16_t frame_error(const FrameHeader& header, bool in_message, std::uint64_t so_far, std::uint64_t max_message) {
  constexpr std::uint16_t protocol_error = 1002;
  if (!header.masked || header.rsv != 0) return protocol_error;
  const std::size_t extended = header.size - 2 - (header.masked ? 4 : 0);
  // RFC 6455 5.2: "the minimal number of bytes MUST be used", and a 64-bit length has its
  // most significant bit 0.
  if (extended == 2 && header.length < 126) return protocol_error;
  if (extended == 8 && (header.length <= 0xffff || (header.length >> 63) != 0)) return protocol_error;
  switch (header.opcode) {
    case static_cast<std::uint8_t>(Opcode::close):
    case static_cast<std::uint8_t>(Opcode::ping):
    case static_cast<std::uint8_t>(Opcode::pong):
      // RFC 6455 5.5: control frames are never fragmented and carry at most 125 bytes.
      if (!header.fin || header.length > 125) return protocol_error;
      return 0;
    case static_cast<std::uint8_t>(Opcode::continuation):
      if (!in_message) return protocol_error;
      break;
    case static_cast<std::uint8_t>(Opcode::text):
    case static_cast<std::uint8_t>(Opcode::binary):
      if (in_message) return protocol_error;
      break;
    default:
      return protocol_error;  // reserved opcodes 3-7 and 11-15
  }
  if (header.length > max_message || so_far > max_message - header.length) return 1009;
  return 0;
}

void unmask(std::span<unsigned char> data, const std::array<unsigned char, 4>& mask, std::uint64_t offset) {
  for (std::size_t i = 0; i < data.size(); ++i) data[i] ^= mask[(offset + i) % 4];
}

std::size_t write_frame_header(std::array<unsigned char, 10>& out, Opcode opcode, std::uint64_t length) {
  out[0] = static_cast<unsigned char>(0x80 | static_cast<unsigned>(opcode));
  if (length < 126) {
    out[1] = static_cast<unsigned char>(length);
    return 2;
  }
  if (length <= 0xffff) {
    out[1] = 126;
    out[2] = static_cast<unsigned char>(length >> 8);
    out[3] = static_cast<unsigned char>(length);
    return 4;
  }
  out[1] = 127;
  for (int i = 0; i < 8; ++i) out[2 + i] = static_cast<unsigned char>(length >> (56 - 8 * i));
  return 10;
}

bool valid_close_code(std::uint16_t code) {
  // As Beast accepts them: 1012 (service restart) and 1013 (try again later) are registered
  // since, and 5000 up are not forbidden.
  if (code >= 3000) return true;
  return (code >= 1000 && code <= 1003) || (code >= 1007 && code <= 1013);
}

}  // namespace cortado::http
