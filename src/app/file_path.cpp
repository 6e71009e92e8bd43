#include "app/file_path.hpp"

#include "core/header_text.hpp"

#include <algorithm>
#include <filesystem>
#include <limits>
#include <system_error>

namespace cortado::detail {
namespace {

std::vector<std::string_view> split(std::string_view s, char sep) {
  std::vector<std::string_view> parts;
  for (;;) {
    auto at = s.find(sep);
    parts.push_back(s.substr(0, at));
    if (at == std::string_view::npos) return parts;
    s.remove_prefix(at + 1);
  }
}

// send's containsDotFile: "." alone is not one.
bool contains_dotfile(std::string_view normalized) {
  for (auto part : split(normalized, '/'))
    if (part.size() > 1 && part.front() == '.') return true;
  return false;
}

// range-parser's parsePos: digits only. Huge values saturate, which keeps their meaning
// (beyond any file) without overflowing.
bool parse_position(std::string_view s, std::int64_t& out) {
  if (s.empty()) return false;
  constexpr std::int64_t cap = std::numeric_limits<std::int64_t>::max() / 16;
  std::int64_t v = 0;
  for (char c : s) {
    if (c < '0' || c > '9') return false;
    v = std::min(cap, v * 10 + (c - '0'));
  }
  out = v;
  return true;
}

}  // namespace

std::string normalize_path(std::string_view path) {
  bool absolute = path.starts_with('/');
  bool trailing = path.ends_with('/');
  std::vector<std::string_view> kept;
  for (auto seg : split(path, '/')) {
    if (seg.empty() || seg == ".") continue;
    if (seg == "..") {
      if (!kept.empty() && kept.back() != "..") kept.pop_back();
      else if (!absolute) kept.push_back(seg);  // above the root of an absolute path is the root
      continue;
    }
    kept.push_back(seg);
  }
  std::string out = absolute ? "/" : "";
  for (std::size_t i = 0; i < kept.size(); ++i) {
    if (i) out += '/';
    out += kept[i];
  }
  if (kept.empty()) return absolute ? "/" : (trailing ? "./" : ".");
  if (trailing) out += '/';
  return out;
}

std::string resolve_root(std::string_view root) {
  std::string full(root);
  if (!full.starts_with('/')) full = std::filesystem::current_path().string() + "/" + full;
  full = normalize_path(full);
  if (full.size() > 1 && full.ends_with('/')) full.pop_back();
  return full;
}

bool has_up_segment(std::string_view path) {
  for (std::size_t at = path.find(".."); at != std::string_view::npos; at = path.find("..", at + 1)) {
    bool starts = at == 0 || path[at - 1] == '/' || path[at - 1] == '\\';
    bool ends = at + 2 == path.size() || path[at + 2] == '/' || path[at + 2] == '\\';
    if (starts && ends) return true;
  }
  return false;
}

FilePath resolve_file_path(std::string_view decoded, std::string_view root, bool dotfiles) {
  FilePath out;
  if (decoded.find('\0') != std::string_view::npos) {
    out.status = 400;
    return out;
  }
  std::string normalized;
  if (!root.empty()) {
    // Relative to the root first, so that ".." is seen before the root is prepended: a path
    // that climbs above the root is refused, one that merely wanders ("a/../b") is fine.
    if (!decoded.empty()) normalized = normalize_path("./" + std::string(decoded));
    if (has_up_segment(normalized)) {
      out.status = 403;
      return out;
    }
    out.path = normalize_path(normalized.empty() ? std::string(root) : std::string(root) + "/" + normalized);
  } else {
    // Without a root any ".." is refused: there is nothing it could safely be relative to.
    if (has_up_segment(decoded)) {
      out.status = 403;
      return out;
    }
    normalized = normalize_path(decoded);
    out.path = normalized;
    if (out.path.size() > 1 && out.path.ends_with('/')) out.path.pop_back();  // path.resolve drops it
  }
  if (!dotfiles && contains_dotfile(normalized)) out.status = 404;
  return out;
}

bool stays_within(const std::string& file, const std::string& root) {
  std::error_code ec;
  auto real_root = std::filesystem::canonical(root, ec);
  if (ec) return false;
  auto real_file = std::filesystem::canonical(file, ec);
  if (ec) return false;
  const std::string& r = real_root.native();
  const std::string& f = real_file.native();
  if (f == r) return true;
  // Whole components only: "/srv/www-private" is not inside "/srv/www".
  std::string prefix = r.ends_with('/') ? r : r + "/";
  return f.starts_with(prefix);
}

std::string collapse_leading_slashes(std::string_view path) {
  std::size_t i = 0;
  while (i < path.size() && path[i] == '/') ++i;
  if (i < 2) return std::string(path);
  std::string out = "/";
  out.append(path.substr(i));
  return out;
}

std::string html_document(std::string_view title, std::string_view body) {
  std::string doc = "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n<title>";
  doc.append(title).append("</title>\n</head>\n<body>\n<pre>").append(body).append("</pre>\n</body>\n</html>\n");
  return doc;
}

RangeRequest parse_range(std::uint64_t size, std::string_view header) {
  RangeRequest out;
  std::string_view spec = header;
  while (spec.starts_with(' ')) spec.remove_prefix(1);
  if (!spec.starts_with("bytes=")) return out;  // send only looks at /^ *bytes=/
  spec.remove_prefix(6);

  const auto length = static_cast<std::int64_t>(std::min<std::uint64_t>(size, std::numeric_limits<std::int64_t>::max() / 16));
  struct Indexed {
    std::int64_t start, end;
    std::size_t index;
  };
  std::vector<Indexed> found;
  bool well_formed = false;
  for (auto item : split(spec, ',')) {
    auto dash = item.find('-');
    if (dash == std::string_view::npos) continue;
    auto start_text = text::trim(item.substr(0, dash));
    auto end_text = text::trim(item.substr(dash + 1));
    std::int64_t start = 0, end = 0;
    bool has_start = parse_position(start_text, start);
    bool has_end = parse_position(end_text, end);
    if (start_text.empty() && has_end) {
      start = std::max<std::int64_t>(0, length - end);  // a suffix: the last `end` bytes
      end = length - 1;  // "-0" thus selects nothing: start is past the end
    } else if (has_start && end_text.empty()) {
      end = length - 1;
    } else if (!has_start || !has_end) {
      continue;  // malformed: skipped, and ignored altogether if nothing else is valid
    }
    well_formed = true;
    end = std::min(end, length - 1);
    if (start > end) continue;  // well-formed but outside the representation
    found.push_back({start, end, found.size()});
  }
  if (found.empty()) {
    out.kind = well_formed ? RangeRequest::Kind::unsatisfiable : RangeRequest::Kind::ignored;
    return out;
  }

  // Combine overlapping and adjacent ranges; each keeps the position of its earliest part.
  std::sort(found.begin(), found.end(), [](const Indexed& a, const Indexed& b) { return a.start < b.start; });
  std::vector<Indexed> merged{found.front()};
  for (std::size_t i = 1; i < found.size(); ++i) {
    auto& current = merged.back();
    if (found[i].start > current.end + 1) {
      merged.push_back(found[i]);
    } else if (found[i].end > current.end) {
      current.end = found[i].end;
      current.index = std::min(current.index, found[i].index);
    }
  }
  std::sort(merged.begin(), merged.end(), [](const Indexed& a, const Indexed& b) { return a.index < b.index; });
  out.kind = RangeRequest::Kind::ranges;
  for (const auto& r : merged)
    out.ranges.push_back({static_cast<std::uint64_t>(r.start), static_cast<std::uint64_t>(r.end)});
  return out;
}

}  // namespace cortado::detail
