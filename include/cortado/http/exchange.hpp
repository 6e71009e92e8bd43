#pragma once
/// The HTTP layer's request/response pair and the handler it calls for each request.

#include "cortado/task.hpp"

#include <boost/asio/ip/tcp.hpp>
#include <boost/beast/http/message.hpp>
#include <boost/beast/http/string_body.hpp>

#include <functional>

namespace cortado::http {

namespace beast_http = boost::beast::http;

/// A parsed HTTP/1.x request with its whole body.
using RawRequest = beast_http::request<beast_http::string_body>;
/// The response the handler fills; the connection adds Date, Content-Length and Connection.
using RawResponse = beast_http::response<beast_http::string_body>;

/// What the server knows of the connection a request came on.
struct Peer {
  boost::asio::ip::tcp::endpoint remote;
};

/// Called once per request, on the connection's own thread; it fills `res`.
using Handler = std::function<Task<>(RawRequest& req, RawResponse& res, const Peer& peer)>;

}  // namespace cortado::http
