#pragma once
// The checks the worker makes on a request head beyond what Beast's parser does; apart from the
// worker so that the request fuzzer (fuzz/request_fuzz.cpp) runs exactly the server's code.

#include "cortado/http/exchange.hpp"

#include <string_view>

namespace cortado::http {

/// The head at the start of `buffered`: up to and including the first '\n' of the blank line
/// that ends it, or all of `buffered` when that line has not arrived yet.
std::string_view head_so_far(std::string_view buffered);

/// True when the head has arrived whole (its blank line is in `buffered`).
bool head_complete(std::string_view buffered);

/// True when `head` folds a header line (obs-fold, RFC 9112 5.2), which the server refuses (400).
bool has_obs_fold(std::string_view head);

/// What RFC 9112 requires of a parsed request head that Beast lets through: 0 when acceptable,
/// else the status to refuse it with (400 or 501).
unsigned check_head(const RawRequest& req);

/// True when the request line at the start of `head` names a well-formed HTTP version other
/// than 1.x (answered 505 instead of 400).
bool other_major_version(std::string_view head);

}  // namespace cortado::http
