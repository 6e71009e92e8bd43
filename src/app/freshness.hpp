#pragma once
// ETags and conditional GET, as Express's `etag` and `fresh` packages decide them.

#include <string>
#include <string_view>

namespace cortado {

class Request;
class Response;

/// W/"<length in hex>-<first 27 characters of base64 SHA-1>", the `etag` package's weak form.
std::string weak_etag(std::string_view body);
/// The `send` package's ETag for a file: W/"<size hex>-<mtime in ms, hex>".
std::string file_etag(std::uint64_t size, std::uint64_t mtime_ms);
/// The request's cache validators match the response: a GET/HEAD may be answered with 304.
bool is_fresh(const Request& req, const Response& res);

}  // namespace cortado
