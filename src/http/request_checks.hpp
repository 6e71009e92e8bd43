#pragma once
// The checks the worker makes on a request head beyond what Beast's parser does; apart from the
// worker so that the request fuzzer (fuzz/request_fuzz.cpp) runs exactly the server's code.

#include "cortado/http/exchange.hpp"

#include <boost/beast/http/fields.hpp>

#include <string_view>

namespace cortado::http {

/// The head at the start of `buffered`: up to and including the first '\n' of the blank line
/// that ends it, or all of `buffered` when that line has not arrived yet.
std::string_view head_so_far(std::string_view buffered);

/// True when the head has arrived whole (its blank line is in `buffered`).
bool head_complete(std::string_view buffered);

/// True when `head` folds a header line (obs-fold, RFC 9112 5.2), which the server refuses (400).
bool has_obs_fold(std::string_view head);

/// What one pass over the lines of `buffered` finds: whether the head's blank line has arrived,
/// and whether a line before it folds (what head_complete and has_obs_fold(head_so_far) tell, in
/// one walk instead of three: the worker asks on every request).
struct HeadScan {
  bool complete = false;
  bool folded = false;
};
HeadScan scan_head(std::string_view buffered);

/// What RFC 9112 requires of a parsed request head that Beast lets through: 0 when acceptable,
/// else the status to refuse it with (400 or 501).
unsigned check_head(const RawRequest& req);

/// True when the request line at the start of `head` names a well-formed HTTP version other
/// than 1.x (answered 505 instead of 400).
bool other_major_version(std::string_view head);

/// The status for a chunked body whose unparsed text outgrew the connection's read buffer:
/// 431 when it is the trailer section after the last chunk (a head too large, as Node answers),
/// 413 when it is a chunk-size line whose extensions never end.
unsigned status_for_overlong_chunk_text(std::string_view unparsed);

/// Moves the fields that a chunked body's trailer section added to `req` into `trailers` and
/// leaves `req` with `head`, the fields the checks approved. Beast's parser inserts trailer
/// fields into the head's list, where they could add a Host or an X-Forwarded-Proto after
/// check_head ran.
void separate_trailers(Fields& req, Fields head, Fields& trailers);

/// The size of `fields` as a header or trailer section on the wire ("Name: value\r\n" each).
std::size_t section_size(const Fields& fields);

/// True when the request's framing allows no further request on its connection: an HTTP/1.0
/// message with Transfer-Encoding is answered and the connection closed (RFC 9112 6.1).
bool framing_forces_close(const RawRequest& req);

}  // namespace cortado::http
