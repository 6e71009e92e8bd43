#pragma once
// The server's side of the WebSocket opening handshake (RFC 6455 4.2) for sockets served by
// PlainWebSocket: the checks of the upgrade request and the response text, 101 or a refusal.
// The checks are those Beast's websocket::stream::accept makes, in the same order, so that a
// request gets the same answer on either path.

#include "cortado/http/exchange.hpp"

#include <boost/beast/http/fields.hpp>

#include <string>
#include <string_view>

namespace cortado::http {

/// The whole response to an upgrade request: a 101 with Sec-WebSocket-Accept and the `extra`
/// fields (Set-Cookie) when the request is a valid WebSocket opening handshake, else 400 (426
/// with Sec-WebSocket-Version: 13 for another version) with the reason as its body. `accepted`
/// says which.
std::string handshake_response(const RawRequest& req, const Fields& extra, bool& accepted);

/// Whether an extra field given for the 101 goes into it: not the handshake's own fields, nor any
/// that would describe a body. Both paths (Beast's stream and PlainWebSocket) filter with it.
bool sent_with_101(boost::beast::http::field name);

/// Sec-WebSocket-Accept for a Sec-WebSocket-Key: base64(SHA-1(key + the RFC's GUID)).
std::string websocket_accept_key(std::string_view key);

}  // namespace cortado::http
