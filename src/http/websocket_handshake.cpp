#include "http/websocket_handshake.hpp"

#include "core/digest.hpp"

#include <boost/beast/http/rfc7230.hpp>

namespace cortado::http {

namespace {

namespace bh = boost::beast::http;

// A token in a comma-separated header (Connection: keep-alive, Upgrade), case-insensitively.
bool has_token(const RawRequest& req, bh::field name, std::string_view token) {
  auto it = req.find(name);
  return it != req.end() && bh::token_list{it->value()}.exists(token);
}

// RFC 6455 4.1: the key is 16 random bytes in base64, so 24 characters ending in "==".
bool valid_key(std::string_view key) {
  if (key.size() != 24 || key.substr(22) != "==") return false;
  for (std::size_t i = 0; i < 22; ++i)
    if (detail::base64_digit(static_cast<unsigned char>(key[i])) < 0 || key[i] == '-' || key[i] == '_') return false;
  return true;
}

// Why the request is not an opening handshake, or empty when it is.
std::string_view refusal_reason(const RawRequest& req) {
  if (req.version() != 11) return "WebSocket needs HTTP/1.1";
  if (req.method() != bh::verb::get) return "WebSocket needs GET";
  if (req.find(bh::field::host) == req.end()) return "missing Host";
  if (!has_token(req, bh::field::connection, "upgrade")) return "missing Connection: upgrade";
  if (!has_token(req, bh::field::upgrade, "websocket")) return "missing Upgrade: websocket";
  auto key = req.find(bh::field::sec_websocket_key);
  if (key == req.end()) return "missing Sec-WebSocket-Key";
  if (!valid_key(key->value())) return "bad Sec-WebSocket-Key";
  if (req.find(bh::field::sec_websocket_version) == req.end()) return "missing Sec-WebSocket-Version";
  return {};
}

void append_fields(std::string& out, const Fields& extra) {
  for (const auto& field : extra)
    if (sent_with_101(field.name())) out.append(field.name_string()).append(": ").append(field.value()).append("\r\n");
}

std::string refusal_response(unsigned status, std::string_view reason, const Fields& extra) {
  std::string out = status == 426 ? "HTTP/1.1 426 Upgrade Required\r\nSec-WebSocket-Version: 13\r\n"
                                  : "HTTP/1.1 400 Bad Request\r\n";
  append_fields(out, extra);
  out.append("Connection: close\r\nContent-Type: text/plain\r\nContent-Length: ")
      .append(std::to_string(reason.size()))
      .append("\r\n\r\n")
      .append(reason);
  return out;
}

}  // namespace

std::string websocket_accept_key(std::string_view key) {
  static constexpr std::string_view guid = "258EAFA5-E914-47DA-95CA-C5AB0DC85B11";
  std::string joined;
  joined.reserve(key.size() + guid.size());
  joined.append(key).append(guid);
  auto digest = detail::sha1(joined);
  std::string out;
  detail::append_base64(out, digest);
  return out;
}

std::string handshake_response(const RawRequest& req, const Fields& extra, bool& accepted) {
  accepted = false;
  auto reason = refusal_reason(req);
  if (!reason.empty()) return refusal_response(400, reason, extra);
  if (req[bh::field::sec_websocket_version] != "13") return refusal_response(426, "unsupported WebSocket version", extra);
  accepted = true;
  std::string out = "HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Accept: ";
  out.append(websocket_accept_key(req[bh::field::sec_websocket_key])).append("\r\n");
  append_fields(out, extra);
  out.append("\r\n");
  return out;
}

bool sent_with_101(bh::field name) {
  return name != bh::field::content_length && name != bh::field::content_type && name != bh::field::transfer_encoding &&
         name != bh::field::connection && name != bh::field::upgrade;
}

}  // namespace cortado::http
