#pragma once
// The request heads most clients send, read without Beast's parser: a known method, a target
// and version, and header fields of plain ASCII, with no body and no upgrade. Beast's parser reads
// a head one byte at a time through several layers; this reads eight bytes at a time and fills
// the same message. Whatever it is not sure of, it leaves to Beast, so that what the server
// accepts, refuses and hands to the app stays Beast's decision (fuzz/plain_head_fuzz.cpp holds
// the two to that).

#include "cortado/http/exchange.hpp"

#include <cstddef>
#include <string_view>

namespace cortado::http {

/// Reads the head at the start of `buffered` into `req` (a request not yet written to) when it is
/// a plain one that Beast's parser would read to the same message: the bytes it took. 0 when it
/// is not (any byte or field it does not take as is, a body, more than `header_limit` bytes, not
/// all of it buffered): Beast parses it then, and `req` is to be overwritten by Beast's.
std::size_t parse_plain_head(std::string_view buffered, std::size_t header_limit, RawRequest& req);

}  // namespace cortado::http
