#include "app/multipart_parser.hpp"

#include "cortado/core/url.hpp"
#include "core/header_text.hpp"

#include <algorithm>
#include <optional>

namespace cortado::detail {
namespace {

// busboy's bound on one part's header section (Node's default header size).
constexpr std::size_t max_header_section = 16 * 1024;

std::string_view trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
  return s;
}

bool is_token_char(char c) {
  static constexpr std::string_view separators = "()<>@,;:\\\"/[]?={} \t";
  return static_cast<unsigned char>(c) > 32 && static_cast<unsigned char>(c) < 127 &&
         separators.find(c) == std::string_view::npos;
}

int hex_value(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

// RFC 8187 ext-value: charset'language'percent-encoded; empty when malformed or the charset
// is neither UTF-8 nor latin1 (busboy decodes more; these two are what browsers and curl send).
std::optional<std::string> decode_ext_value(std::string_view value) {
  auto first = value.find('\'');
  if (first == std::string_view::npos) return std::nullopt;
  auto second = value.find('\'', first + 1);
  if (second == std::string_view::npos) return std::nullopt;
  auto charset = text::to_lower(value.substr(0, first));
  std::string bytes;
  for (std::size_t i = second + 1; i < value.size(); ++i) {
    if (value[i] == '%' && i + 2 < value.size() && hex_value(value[i + 1]) >= 0 && hex_value(value[i + 2]) >= 0) {
      bytes += static_cast<char>(hex_value(value[i + 1]) * 16 + hex_value(value[i + 2]));
      i += 2;
    } else {
      bytes += value[i];
    }
  }
  if (charset == "utf-8" || charset == "utf8") return bytes;
  if (charset == "iso-8859-1" || charset == "latin1") return latin1_to_utf8(bytes);
  return std::nullopt;
}

}  // namespace

MultipartParser::MultipartParser(std::string_view boundary, std::size_t max_header_pairs)
    : delimiter_("\r\n--" + std::string(boundary)), max_header_pairs_(max_header_pairs) {
  // A body may start with its first delimiter, without the CRLF before it: as busboy, parse as
  // if a CRLF came first.
  carry_ = "\r\n";
}

void MultipartParser::feed(std::string_view bytes, PartSink& sink) {
  carry_.append(bytes.data(), bytes.size());
  std::size_t pos = 0;
  std::string_view text = carry_;
  while (pos < text.size() && step(text, pos, sink)) {
  }
  carry_.erase(0, pos);
}

bool MultipartParser::step(std::string_view text, std::size_t& pos, PartSink& sink) {
  switch (state_) {
    case State::preamble:
    case State::body: {
      auto at = text.find(delimiter_, pos);
      if (at == std::string_view::npos) {
        // Keep what could be the start of a delimiter cut by the end of this read.
        std::size_t keep = std::min(text.size() - pos, delimiter_.size() - 1);
        std::size_t usable = text.size() - keep;
        if (state_ == State::body && usable > pos) sink.part_data(text.substr(pos, usable - pos));
        pos = usable;
        return false;
      }
      if (state_ == State::body) {
        if (at > pos) sink.part_data(text.substr(pos, at - pos));
        sink.part_end();
      }
      pos = at + delimiter_.size();
      state_ = State::after_delimiter;
      return true;
    }
    case State::after_delimiter: {
      // "--" closes the body; else optional transport padding (RFC 2046 5.1.1), then CRLF.
      auto rest = text.substr(pos);
      if (rest.size() < 2) return false;
      if (rest.starts_with("--")) {
        state_ = State::epilogue;
        return true;
      }
      std::size_t i = 0;
      while (i < rest.size() && (rest[i] == ' ' || rest[i] == '\t')) ++i;
      if (rest.size() - i < 2) {
        if (i > 1024) throw MalformedMultipart("Malformed part header");
        return false;
      }
      if (rest.substr(i, 2) != "\r\n") throw MalformedMultipart("Malformed part header");
      pos += i + 2;
      state_ = State::headers;
      return true;
    }
    case State::headers: {
      auto rest = text.substr(pos);
      // A part with no header field at all is malformed for busboy, so here too.
      if (rest.starts_with("\r\n")) throw MalformedMultipart("Malformed part header");
      std::size_t end = rest.find("\r\n\r\n");
      if (end == std::string_view::npos) {
        if (rest.size() > max_header_section) throw MalformedMultipart("Malformed part header");
        return false;
      }
      if (end > max_header_section) throw MalformedMultipart("Malformed part header");
      auto headers = parse_headers(rest.substr(0, end));
      pos += end + 4;
      state_ = State::body;
      sink.part_begin(headers);
      return true;
    }
    case State::epilogue:
      pos = text.size();  // the epilogue is ignored (RFC 2046 5.1.1)
      return false;
  }
  return false;
}

PartHeaders MultipartParser::parse_headers(std::string_view section) const {
  PartHeaders headers;
  std::size_t pairs = 0;
  while (!section.empty()) {
    auto eol = section.find("\r\n");
    auto line = section.substr(0, eol);
    section = eol == std::string_view::npos ? std::string_view() : section.substr(eol + 2);
    auto colon = line.find(':');
    if (colon == 0 || colon == std::string_view::npos) throw MalformedMultipart("Malformed part header");
    auto name = line.substr(0, colon);
    if (!std::all_of(name.begin(), name.end(), is_token_char)) throw MalformedMultipart("Malformed part header");
    if (++pairs > max_header_pairs_) continue;
    headers.try_emplace(text::to_lower(name), std::string(trim(line.substr(colon + 1))));
  }
  return headers;
}

void MultipartParser::finish() const {
  if (state_ != State::epilogue) throw MalformedMultipart("Unexpected end of form");
}

std::string multipart_boundary(std::string_view content_type) {
  auto params = parse_disposition(content_type).params;
  auto found = params.find("boundary");
  return found == params.end() ? std::string() : found->second;
}

Disposition parse_disposition(std::string_view header) {
  Disposition out;
  std::size_t i = 0;
  auto skip_ows = [&] {
    while (i < header.size() && (header[i] == ' ' || header[i] == '\t')) ++i;
  };
  skip_ows();
  std::size_t start = i;
  while (i < header.size() && (is_token_char(header[i]) || header[i] == '/')) ++i;
  if (i == start) return {};
  std::string type = text::to_lower(header.substr(start, i - start));
  std::map<std::string, std::string, std::less<>> extended;
  for (;;) {
    skip_ows();
    if (i == header.size()) break;
    if (header[i] != ';') return {};
    ++i;
    skip_ows();
    if (i == header.size()) break;  // a trailing ';'
    start = i;
    while (i < header.size() && is_token_char(header[i])) ++i;
    if (i == start || i == header.size() || header[i] != '=') return {};
    auto name = text::to_lower(header.substr(start, i - start));
    ++i;
    std::string value;
    if (i < header.size() && header[i] == '"') {
      ++i;
      bool closed = false;
      while (i < header.size()) {
        char c = header[i++];
        if (c == '\\' && i < header.size()) {
          // As busboy: an escaped quote or backslash is that character; before any other
          // character the backslash stays (a Windows path sent unescaped keeps its separators).
          if (header[i] != '"' && header[i] != '\\') value += c;
          value += header[i++];
        } else if (c == '"') {
          closed = true;
          break;
        } else {
          value += c;
        }
      }
      if (!closed) return {};
    } else {
      start = i;
      while (i < header.size() && header[i] != ';' && header[i] != ' ' && header[i] != '\t') ++i;
      value = std::string(header.substr(start, i - start));
    }
    if (name.ends_with('*')) {
      if (auto decoded = decode_ext_value(value)) extended.try_emplace(name, std::move(*decoded));  // the first wins
    } else {
      out.params.try_emplace(std::move(name), latin1_to_utf8(value));
    }
  }
  for (auto& [name, value] : extended) out.params.insert_or_assign(name, std::move(value));
  out.type = std::move(type);
  return out;
}

}  // namespace cortado::detail
