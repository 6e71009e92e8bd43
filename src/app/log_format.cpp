#include "app/log_format.hpp"

#include "cortado/app/request.hpp"
#include "cortado/app/response.hpp"
#include "cortado/core/dates.hpp"
#include "cortado/core/json.hpp"
#include "core/digest.hpp"

#include <boost/beast/core/string.hpp>
#include <boost/json/object.hpp>

#include <array>
#include <cmath>
#include <cstdio>
#include <map>
#include <mutex>
#include <stdexcept>
#include <unistd.h>

namespace cortado {
namespace detail {
namespace {

// morgan's predefined formats (morgan 1.10), token for token.
constexpr std::string_view combined_format =
    ":remote-addr - :remote-user [:date[clf]] \":method :url HTTP/:http-version\" :status :res[content-length] "
    "\":referrer\" \":user-agent\"";
constexpr std::string_view common_format =
    ":remote-addr - :remote-user [:date[clf]] \":method :url HTTP/:http-version\" :status :res[content-length]";
constexpr std::string_view short_format =
    ":remote-addr :remote-user :method :url HTTP/:http-version :status :res[content-length] - :response-time ms";
constexpr std::string_view tiny_format = ":method :url :status :res[content-length] - :response-time ms";
// morgan's dev writes colours whatever the stream; here only when they will show (a terminal).
// (Its colour code is a piece of its own: written as a token, "m" would run on into its name.)
constexpr std::string_view dev_color_head = "\x1b[0m:method :url \x1b[";
constexpr std::string_view dev_color_tail = "m:status\x1b[0m :response-time ms - :res[content-length]\x1b[0m";
constexpr std::string_view dev_plain_format = ":method :url :status :response-time ms - :res[content-length]";

struct Registry {
  std::mutex mutex;
  std::map<std::string, TokenFunction, std::less<>> tokens;
  std::map<std::string, std::string, std::less<>> formats;
};

Registry& registry() {
  static Registry r;
  return r;
}

bool token_char(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_' || c == '-';
}

LogPiece builtin(std::string_view name, std::string_view arg) {
  using K = LogPiece::Kind;
  static const std::map<std::string_view, K> names{
      {"method", K::method},           {"url", K::url},
      {"status", K::status},           {"response-time", K::response_time},
      {"total-time", K::total_time},   {"date", K::date},
      {"remote-addr", K::remote_addr}, {"remote-user", K::remote_user},
      {"http-version", K::http_version}, {"referrer", K::referrer},
      {"user-agent", K::user_agent},   {"req", K::req_header},
      {"res", K::res_header},          {"pid", K::pid},
  };
  LogPiece piece;
  piece.text = arg;
  {
    // A token defined with logger_token() wins over a built-in one of the same name, as in morgan.
    std::lock_guard lock(registry().mutex);
    auto custom = registry().tokens.find(name);
    if (custom != registry().tokens.end()) {
      piece.kind = K::custom;
      piece.custom = custom->second;
      return piece;
    }
  }
  auto it = names.find(name);
  if (it == names.end()) throw std::invalid_argument("logger: unknown token :" + std::string(name));
  piece.kind = it->second;
  return piece;
}

// morgan's compile(): a token is ':' then two or more of [-\w], then an optional [argument].
std::vector<LogPiece> compile_tokens(std::string_view format) {
  std::vector<LogPiece> pieces;
  auto add_text = [&pieces](std::string_view text) {
    if (text.empty()) return;
    if (pieces.empty() || pieces.back().kind != LogPiece::Kind::text) pieces.push_back({});
    pieces.back().text += text;
  };
  std::size_t i = 0;
  while (i < format.size()) {
    std::size_t colon = format.find(':', i);
    if (colon == std::string_view::npos) {
      add_text(format.substr(i));
      break;
    }
    add_text(format.substr(i, colon - i));
    std::size_t end = colon + 1;
    while (end < format.size() && token_char(format[end])) ++end;
    if (end - colon - 1 < 2) {
      add_text(format.substr(colon, 1));
      i = colon + 1;
      continue;
    }
    std::string_view name = format.substr(colon + 1, end - colon - 1);
    std::string_view arg;
    if (end < format.size() && format[end] == '[') {
      std::size_t close = format.find(']', end + 1);
      if (close != std::string_view::npos && close > end + 1) {
        arg = format.substr(end + 1, close - end - 1);
        end = close + 1;
      }
    }
    pieces.push_back(builtin(name, arg));
    i = end;
  }
  return pieces;
}

const char* const months[] = {"Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};

// Number.prototype.toFixed for the small positive figures of elapsed times.
std::string fixed(double value, int digits) {
  char buf[64];
  std::snprintf(buf, sizeof buf, "%.*f", digits, value);
  return buf;
}

int digits_of(std::string_view arg) {
  if (arg.empty()) return 3;
  int d = 0;
  for (char c : arg) {
    if (c < '0' || c > '9') return 3;
    d = d * 10 + (c - '0');
    if (d > 20) return 20;  // toFixed's limit was 20 (now 100); more says nothing about a duration
  }
  return d;
}

// Response headers as res.getHeader() shows them: the HTTP layer's own (Date, Connection) are
// not among them in Node, so they are "-" here too.
std::string response_header(const http::RawResponse& res, std::string_view field) {
  if (boost::beast::iequals(field, "date") || boost::beast::iequals(field, "connection") ||
      boost::beast::iequals(field, "keep-alive"))
    return {};
  std::string out;
  for (auto it = res.find(field); it != res.end() && boost::beast::iequals(it->name_string(), field); ++it) {
    if (!out.empty()) out += ", ";
    out += it->value();
  }
  return out;
}

int status_color(unsigned status) {
  return status >= 500 ? 31 : status >= 400 ? 33 : status >= 300 ? 36 : status >= 200 ? 32 : 0;
}

std::string header_text_utf8(std::string_view bytes);

std::string json_line(const LogRecord& r, const http::RawResponse* res, std::chrono::system_clock::time_point now,
                      LogClock::time_point now_steady) {
  json::object o;
  o["time"] = iso_date(now);
  o["method"] = r.method;
  o["url"] = header_text_utf8(r.url);
  if (res) o["status"] = res->result_int();
  else o["status"] = nullptr;
  std::string length = res ? response_header(*res, "content-length") : std::string();
  if (!length.empty()) o["length"] = std::strtoll(length.c_str(), nullptr, 10);
  else o["length"] = nullptr;
  auto millis = [](double ms) { return std::round(ms * 1000) / 1000; };
  if (r.response_ms) o["response_time_ms"] = millis(*r.response_ms);
  else o["response_time_ms"] = nullptr;
  o["total_time_ms"] = millis(std::chrono::duration<double, std::milli>(now_steady - r.start).count());
  o["remote_addr"] = r.remote_addr;
  if (r.remote_user) o["remote_user"] = escape_log_field(*r.remote_user, TextKind::utf8);
  else o["remote_user"] = nullptr;
  o["http_version"] = r.http_version;
  if (!r.referrer.empty()) o["referrer"] = header_text_utf8(r.referrer);
  else o["referrer"] = nullptr;
  if (!r.user_agent.empty()) o["user_agent"] = header_text_utf8(r.user_agent);
  else o["user_agent"] = nullptr;
  return stringify(o) + "\n";
}

void append_utf8(std::string& out, char32_t cp) {
  if (cp < 0x80) {
    out += static_cast<char>(cp);
  } else if (cp < 0x800) {
    out += static_cast<char>(0xc0 | (cp >> 6));
    out += static_cast<char>(0x80 | (cp & 0x3f));
  } else if (cp < 0x10000) {
    out += static_cast<char>(0xe0 | (cp >> 12));
    out += static_cast<char>(0x80 | ((cp >> 6) & 0x3f));
    out += static_cast<char>(0x80 | (cp & 0x3f));
  } else {
    out += static_cast<char>(0xf0 | (cp >> 18));
    out += static_cast<char>(0x80 | ((cp >> 12) & 0x3f));
    out += static_cast<char>(0x80 | ((cp >> 6) & 0x3f));
    out += static_cast<char>(0x80 | (cp & 0x3f));
  }
}

// The next code point of UTF-8 text; an invalid byte reads as U+FFFD, as Buffer.toString() does.
char32_t next_utf8(std::string_view text, std::size_t& i) {
  auto byte = [&](std::size_t k) { return static_cast<unsigned char>(text[k]); };
  unsigned char b = byte(i);
  std::size_t len = b < 0x80 ? 1 : (b >> 5) == 6 ? 2 : (b >> 4) == 14 ? 3 : (b >> 3) == 30 ? 4 : 0;
  if (len == 1) return text[i++] & 0x7f;
  if (len == 0 || i + len > text.size()) {
    ++i;
    return 0xfffd;
  }
  char32_t cp = b & (0x7f >> len);
  for (std::size_t k = 1; k < len; ++k) {
    if ((byte(i + k) & 0xc0) != 0x80) {
      ++i;
      return 0xfffd;
    }
    cp = (cp << 6) | (byte(i + k) & 0x3f);
  }
  static constexpr char32_t least[] = {0, 0, 0x80, 0x800, 0x10000};
  if (cp < least[len] || cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff)) {
    ++i;
    return 0xfffd;
  }
  i += len;
  return cp;
}

// Header bytes (Latin-1 characters in Node) as UTF-8 text.
std::string header_text_utf8(std::string_view bytes) {
  std::string out;
  out.reserve(bytes.size());
  for (char c : bytes) append_utf8(out, static_cast<unsigned char>(c));
  return out;
}

}  // namespace

std::string escape_log_field(std::string_view value, TextKind kind) {
  std::string out;
  out.reserve(value.size());
  for (std::size_t i = 0; i < value.size();) {
    char32_t cp = kind == TextKind::latin1 ? static_cast<unsigned char>(value[i++]) : next_utf8(value, i);
    switch (cp) {
      case '\\': out += "\\\\"; continue;
      case '"': out += "\\\""; continue;
      case '\b': out += "\\b"; continue;
      case '\f': out += "\\f"; continue;
      case '\n': out += "\\n"; continue;
      case '\r': out += "\\r"; continue;
      case '\t': out += "\\t"; continue;
      default: break;
    }
    if (cp <= 0x1f || (cp >= 0x7f && cp <= 0x9f) || cp == 0x2028 || cp == 0x2029) {
      char buf[16];
      std::snprintf(buf, sizeof buf, "\\u%04x", static_cast<unsigned>(cp));
      out += buf;
    } else {
      append_utf8(out, cp);
    }
  }
  return out;
}

LogFormat compile_log_format(std::string_view format, bool colors) {
  LogFormat out;
  std::string_view text = format;
  std::string named;
  if (format == "json") {
    out.json = true;
    return out;
  }
  if (format == "combined") text = combined_format;
  else if (format == "common") text = common_format;
  else if (format == "short") text = short_format;
  else if (format == "tiny") text = tiny_format;
  else if (format == "dev" && colors) {
    out.pieces = compile_tokens(dev_color_head);
    out.pieces.push_back({.kind = LogPiece::Kind::status_color, .text = {}});
    auto tail = compile_tokens(dev_color_tail);
    out.pieces.insert(out.pieces.end(), tail.begin(), tail.end());
    return out;
  } else if (format == "dev") text = dev_plain_format;
  else {
    std::lock_guard lock(registry().mutex);
    auto it = registry().formats.find(format);
    if (it != registry().formats.end()) named = it->second;
  }
  if (!named.empty()) text = named;
  out.pieces = compile_tokens(text);
  return out;
}

std::optional<std::string> basic_auth_user(std::string_view header) {
  // basic-auth: /^ *(?:[Bb][Aa][Ss][Ii][Cc]) +([A-Za-z0-9._~+/-]+=*) *$/, then /^([^:]*):(.*)$/.
  std::size_t i = 0;
  while (i < header.size() && header[i] == ' ') ++i;
  if (header.size() - i < 6 || !boost::beast::iequals(header.substr(i, 5), "basic") || header[i + 5] != ' ')
    return std::nullopt;
  i += 5;
  while (i < header.size() && header[i] == ' ') ++i;
  std::size_t start = i;
  auto in_alphabet = [](char c) {
    return base64_digit(static_cast<unsigned char>(c)) >= 0 || c == '.' || c == '~';
  };
  while (i < header.size() && in_alphabet(header[i])) ++i;
  if (i == start) return std::nullopt;
  std::string_view encoded = header.substr(start, i - start);
  while (i < header.size() && header[i] == '=') ++i;
  while (i < header.size() && header[i] == ' ') ++i;
  if (i != header.size()) return std::nullopt;
  // Buffer.from(x, 'base64'): both alphabets, other characters skipped.
  std::string decoded;
  unsigned bits = 0;
  int count = 0;
  for (char c : encoded) {
    int v = base64_digit(static_cast<unsigned char>(c));
    if (v < 0) continue;
    bits = (bits << 6) | static_cast<unsigned>(v);
    count += 6;
    if (count >= 8) {
      count -= 8;
      decoded += static_cast<char>((bits >> count) & 0xff);
    }
  }
  auto colon = decoded.find(':');
  if (colon == std::string::npos) return std::nullopt;
  return decoded.substr(0, colon);
}

std::string clf_date(std::chrono::system_clock::time_point when) {
  auto day = std::chrono::floor<std::chrono::days>(when);
  std::chrono::year_month_day ymd(day);
  std::chrono::hh_mm_ss hms(std::chrono::floor<std::chrono::seconds>(when - day));
  char buf[40];
  std::snprintf(buf, sizeof buf, "%02u/%s/%d:%02d:%02d:%02d +0000", static_cast<unsigned>(ymd.day()),
                months[static_cast<unsigned>(ymd.month()) - 1], static_cast<int>(ymd.year()),
                static_cast<int>(hms.hours().count()), static_cast<int>(hms.minutes().count()),
                static_cast<int>(hms.seconds().count()));
  return buf;
}

void record_request(const LogFormat& format, const Request& req, const Response& res, LogRecord& r,
                    bool headers_done) {
  r.method = req.method();
  r.url = req.original_url();
  const auto& raw = req.raw();
  r.http_version = std::to_string(raw.version() / 10) + "." + std::to_string(raw.version() % 10);
  r.remote_addr = req.ip();
  r.remote_user = basic_auth_user(req.get("authorization"));
  r.referrer = req.get("referer");
  if (r.referrer.empty()) r.referrer = req.get("referrer");
  r.user_agent = req.get("user-agent");
  if (headers_done) r.response_ms = std::chrono::duration<double, std::milli>(LogClock::now() - r.start).count();
  r.values.assign(format.pieces.size(), std::string());
  for (std::size_t i = 0; i < format.pieces.size(); ++i) {
    const auto& piece = format.pieces[i];
    if (piece.kind == LogPiece::Kind::req_header) r.values[i] = req.get(piece.text);
    else if (piece.kind == LogPiece::Kind::custom) r.values[i] = piece.custom(req, res, piece.text);
  }
}

std::string render_line(const LogFormat& format, const LogRecord& r, const http::RawResponse* res,
                        std::chrono::system_clock::time_point now, LogClock::time_point now_steady) {
  if (format.json) return json_line(r, res, now, now_steady);
  using K = LogPiece::Kind;
  std::string line;
  // morgan 1.12 escapes every token's text for line-oriented logs; Node holds header bytes as
  // Latin-1 characters and writes the line in UTF-8.
  auto put = [&line](std::string_view value, TextKind kind = TextKind::latin1) {
    if (value.empty()) line += '-';  // morgan: `token(req, res) || "-"`
    else line += escape_log_field(value, kind);
  };
  for (std::size_t i = 0; i < format.pieces.size(); ++i) {
    const auto& piece = format.pieces[i];
    switch (piece.kind) {
      case K::text: line += piece.text; break;
      case K::method: put(r.method); break;
      case K::url: put(r.url); break;
      case K::status: put(res ? std::to_string(res->result_int()) : std::string()); break;
      case K::status_color: line += std::to_string(res ? status_color(res->result_int()) : 0); break;
      case K::response_time: put(r.response_ms ? fixed(*r.response_ms, digits_of(piece.text)) : std::string()); break;
      case K::total_time:
        put(fixed(std::chrono::duration<double, std::milli>(now_steady - r.start).count(), digits_of(piece.text)));
        break;
      case K::date:
        if (piece.text == "clf") put(clf_date(now));
        else if (piece.text == "iso") put(iso_date(now));
        else if (piece.text.empty() || piece.text == "web") put(http_date(now));
        else put({});
        break;
      case K::remote_addr: put(r.remote_addr); break;
      case K::pid: put(std::to_string(::getpid())); break;
      case K::remote_user: put(r.remote_user.value_or(std::string()), TextKind::utf8); break;
      case K::http_version: put(r.http_version); break;
      case K::referrer: put(r.referrer); break;
      case K::user_agent: put(r.user_agent); break;
      case K::res_header: put(res ? response_header(*res, piece.text) : std::string()); break;
      case K::req_header: put(i < r.values.size() ? r.values[i] : std::string()); break;
      case K::custom: put(i < r.values.size() ? r.values[i] : std::string(), TextKind::utf8); break;
    }
  }
  line += '\n';
  return line;
}

}  // namespace detail

void logger_token(std::string name,
                  std::function<std::string(const Request&, const Response&, std::string_view arg)> fn) {
  std::lock_guard lock(detail::registry().mutex);
  detail::registry().tokens[std::move(name)] = std::move(fn);
}

void logger_format(std::string name, std::string format) {
  std::lock_guard lock(detail::registry().mutex);
  detail::registry().formats[std::move(name)] = std::move(format);
}

}  // namespace cortado
