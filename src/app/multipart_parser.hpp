#pragma once
// MultipartParser: splits a multipart body (RFC 2046 5.1, RFC 7578) into parts as its bytes
// arrive, holding no more than one part's header section and a delimiter's length of data.

#include <map>
#include <stdexcept>
#include <string>
#include <string_view>

namespace cortado::detail {

/// A body that is not a well-formed multipart body; busboy's messages ("Unexpected end of form",
/// "Malformed part header").
class MalformedMultipart : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

/// A part's header fields by lower-case name, the first of each name only (as busboy).
using PartHeaders = std::map<std::string, std::string, std::less<>>;

/// What the parser reports, in order: begin, data (any number of times), end, per part.
class PartSink {
 public:
  virtual ~PartSink() = default;
  virtual void part_begin(PartHeaders& headers) = 0;
  virtual void part_data(std::string_view bytes) = 0;
  virtual void part_end() = 0;
};

class MultipartParser {
 public:
  /// `max_header_pairs`: header fields kept per part, the rest ignored (busboy's headerPairs).
  MultipartParser(std::string_view boundary, std::size_t max_header_pairs);
  /// Parses the next bytes of the body; throws MalformedMultipart, or what the sink throws.
  void feed(std::string_view bytes, PartSink& sink);
  /// The body has ended: throws MalformedMultipart unless the close delimiter came.
  void finish() const;

 private:
  enum class State { preamble, after_delimiter, headers, body, epilogue };
  // Parses what it can of carry_ from `pos`; false when it needs more bytes.
  bool step(std::string_view text, std::size_t& pos, PartSink& sink);
  PartHeaders parse_headers(std::string_view section) const;

  std::string delimiter_;  // CRLF "--" boundary: a part's data ends before it
  std::string carry_;      // bytes not yet parsed: a partial delimiter or header section
  std::size_t max_header_pairs_;
  State state_ = State::preamble;
};

/// The boundary parameter of a multipart Content-Type; empty when it has none.
std::string multipart_boundary(std::string_view content_type);

/// A Content-Disposition header split as busboy does: the type (lower-case) and its
/// parameters by lower-case name, quoted strings unescaped, `name*` values decoded (RFC 8187).
/// Plain values are read as latin1 (multer's defParamCharset). Type empty when malformed.
struct Disposition {
  std::string type;
  std::map<std::string, std::string, std::less<>> params;
};
Disposition parse_disposition(std::string_view header);

}  // namespace cortado::detail
