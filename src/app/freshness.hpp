#pragma once
// ETags and conditional GET, as Express's `etag` and `fresh` packages decide them.

#include <ctime>
#include <optional>
#include <string>
#include <string_view>

namespace cortado {

class Request;
class Response;

/// W/"<length in hex>-<first 27 characters of base64 SHA-1>", the `etag` package's weak form.
std::string weak_etag(std::string_view body);
/// Appends weak_etag(body) to `out` (a response reuses one buffer instead of a string each).
void append_weak_etag(std::string& out, std::string_view body);
/// The `send` package's ETag for a file: W/"<size hex>-<mtime in ms, hex>".
std::string file_etag(std::uint64_t size, std::uint64_t mtime_ms);
/// An IMF-fixdate as seconds since the epoch; nullopt when it is not one.
std::optional<std::time_t> parse_http_date(std::string_view text);
/// The request's cache validators match the response: a GET/HEAD may be answered with 304.
bool is_fresh(const Request& req, const Response& res);

}  // namespace cortado
