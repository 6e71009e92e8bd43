#pragma once
// The header rules the worker applies to every response before writing it; apart from the worker
// so that the request fuzzer (fuzz/request_fuzz.cpp) finishes its responses with the server's code.

#include "cortado/http/exchange.hpp"

namespace cortado::http {

/// Sets Connection and Content-Length on `res` as `req` and the status require (a HEAD or a file
/// body keeps its stated length; 1xx, 204 and 304 have none and send no file). Date is not a field:
/// the head's writer adds it, unless the handler set one. `closing`: the
/// server is shutting down. True when the connection stays open after this response.
bool finish_response(const RawRequest& req, RawResponse& res, Exchange& exchange, bool closing);

}  // namespace cortado::http
