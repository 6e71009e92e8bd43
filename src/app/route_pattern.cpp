#include "app/route_pattern.hpp"

#include "cortado/app/http_error.hpp"
#include "cortado/core/url.hpp"

#include <boost/container/small_vector.hpp>

#include <cctype>
#include <stdexcept>

namespace cortado {
namespace {

using Token = RoutePattern::Token;

bool name_start(char c) { return std::isalpha(static_cast<unsigned char>(c)) || c == '_' || c == '$'; }
bool name_char(char c) { return name_start(c) || std::isdigit(static_cast<unsigned char>(c)); }

// Reads tokens until the end or the '}' that closes the current group.
std::vector<Token> parse_tokens(std::string_view p, std::size_t& i, bool in_group) {
  std::vector<Token> tokens;
  auto add_text = [&](char c) {
    if (tokens.empty() || tokens.back().kind != Token::Kind::text) tokens.push_back({Token::Kind::text, {}, {}});
    tokens.back().value += c;
  };
  while (i < p.size()) {
    char c = p[i++];
    if (c == '\\') {
      if (i == p.size()) throw std::invalid_argument("Unexpected end after '\\' in route " + std::string(p));
      add_text(p[i++]);
    } else if (c == ':' || c == '*') {
      std::string name;
      if (i < p.size() && p[i] == '"') {  // quoted name, :"user id"; '\' takes the next character
        bool closed = false;
        for (++i; i < p.size(); ++i) {
          if (p[i] == '\\' && i + 1 < p.size()) {
            name += p[++i];
          } else if (p[i] == '"') {
            closed = true;
            ++i;
            break;
          } else {
            name += p[i];
          }
        }
        if (!closed) throw std::invalid_argument("Unterminated quote in route " + std::string(p));
      } else {
        while (i < p.size() && (name.empty() ? name_start(p[i]) : name_char(p[i]))) name += p[i++];
      }
      if (name.empty())
        throw std::invalid_argument("Missing parameter name at index " + std::to_string(i) + " in route " + std::string(p));
      tokens.push_back({c == ':' ? Token::Kind::param : Token::Kind::wildcard, name, {}});
    } else if (c == '{') {
      Token group{Token::Kind::group, {}, parse_tokens(p, i, true)};
      tokens.push_back(std::move(group));
    } else if (c == '}') {
      if (!in_group) throw std::invalid_argument("Unexpected '}' in route " + std::string(p));
      return tokens;
    } else if (c == '(' || c == ')' || c == '[' || c == ']' || c == '?' || c == '+' || c == '!') {
      // path-to-regexp 8 reserves these (Express 4's syntax); refusing them avoids silent surprises.
      throw std::invalid_argument("Unexpected '" + std::string(1, c) + "' in route " + std::string(p) +
                                  " (Express 5 syntax: use {optional} and *splat)");
    } else {
      add_text(c);
    }
  }
  if (in_group) throw std::invalid_argument("Unbalanced '{' in route " + std::string(p));
  return tokens;
}

// ASCII letters only, as std::tolower in the "C" locale, without a library call per byte: every
// route's literal text is compared this way on every request that walks past it.
char ascii_lower(char c) { return c >= 'A' && c <= 'Z' ? static_cast<char>(c + ('a' - 'A')) : c; }

bool same_text(std::string_view a, std::string_view b, bool case_sensitive) {
  if (a.size() != b.size()) return false;
  if (case_sensitive) return a == b;
  for (std::size_t i = 0; i < a.size(); ++i) {
    if (a[i] != b[i] && ascii_lower(a[i]) != ascii_lower(b[i])) return false;
  }
  return true;
}

// path-to-regexp's flatten(): every way of including or leaving out the optional groups, the
// group included first. The alternatives are tried in this order and the first match wins.
void flatten(const std::vector<Token>& tokens, std::size_t index, std::vector<Token> prefix,
             std::vector<std::vector<Token>>& out) {
  if (out.size() > 256) throw std::invalid_argument("Too many optional groups in route");
  if (index == tokens.size()) {
    out.push_back(std::move(prefix));
    return;
  }
  const Token& t = tokens[index];
  if (t.kind == Token::Kind::group) {
    std::vector<std::vector<Token>> inner;
    flatten(t.group, 0, prefix, inner);
    for (auto& with_group : inner) flatten(tokens, index + 1, std::move(with_group), out);
    flatten(tokens, index + 1, std::move(prefix), out);
    return;
  }
  if (t.kind == Token::Kind::text && !prefix.empty() && prefix.back().kind == Token::Kind::text)
    prefix.back().value += t.value;
  else
    prefix.push_back(t);
  flatten(tokens, index + 1, std::move(prefix), out);
}

// How a parameter may extend in one flattened sequence: besides '/', a parameter that follows
// another one within a segment may not contain the text between them (path-to-regexp's
// negate()), which is what makes "/:from-:to" split "a-b-c" into "a-b" and "c".
void mark_exclusions(std::vector<Token>& sequence, std::string_view pattern) {
  std::string backtrack;
  bool safe = true;
  for (auto& t : sequence) {
    if (t.kind == Token::Kind::text) {
      backtrack += t.value;
      safe = safe || t.value.find('/') != std::string::npos;
      continue;
    }
    if (!safe && backtrack.empty())
      throw std::invalid_argument("Missing text before \"" + t.value + "\" in route " + std::string(pattern));
    if (t.kind == Token::Kind::param && !safe) t.group.push_back({Token::Kind::text, backtrack, {}});
    backtrack.clear();
    safe = false;
  }
}

// The pattern is done at `pos` of `path`: does the rest of the path allow it to end here?
bool ends_at(std::string_view path, std::size_t pos, const MatchOptions& options) {
  std::string_view rest = path.substr(pos);
  if (options.whole_path) return rest.empty() || (!options.strict && rest == "/");
  return rest.empty() || rest.front() == '/' || (pos > 0 && path[pos - 1] == '/');
}

// Matches one flattened sequence with backtracking, as the regular expression would.
struct Matcher {
  std::string_view path;
  const MatchOptions& options;
  // Names and values as views (of the pattern's tokens and of the path): backtracking tries each
  // end of a parameter, and copying the name every time was most of its cost.
  // Inline for the usual few parameters: a vector allocated on every request a route matched.
  boost::container::small_vector<std::pair<std::string_view, std::string_view>, 4> captured;
  // (token, position) pairs known not to match. Whether the rest of a sequence matches from a
  // position does not depend on what was captured before it, so each pair is tried once; without
  // this, several wildcards backtrack in time that grows as a power of the path's length (found
  // by fuzz/route_pattern_fuzz.cpp: "/*a-*b-*c-*d-z" took 30 s on 300 dashes). Only a parameter
  // after another one can be reached twice at one position, so the table is allocated at the
  // first failure of such a parameter, which a one-parameter route never sees.
  std::vector<bool> failed{};

  std::size_t slot(std::size_t index, std::size_t pos) const { return index * (path.size() + 1) + pos; }
  bool known_failure(std::size_t index, std::size_t pos) const { return !failed.empty() && failed[slot(index, pos)]; }
  void remember_failure(std::size_t tokens, std::size_t index, std::size_t pos) {
    if (failed.empty()) failed.resize(tokens * (path.size() + 1));
    failed[slot(index, pos)] = true;
  }

  // How far a parameter may extend from `pos`: not over '/', nor into the excluded text.
  std::size_t param_limit(std::size_t pos, std::string_view excluded) const {
    std::size_t end = pos;
    while (end < path.size() && path[end] != '/') {
      if (excluded.size() == 1 && path[end] == excluded[0]) break;
      if (excluded.size() > 1 && path.substr(end).starts_with(excluded)) break;
      ++end;
    }
    return end;
  }

  std::optional<std::size_t> run(const std::vector<Token>& tokens, std::size_t index, std::size_t pos) {
    if (index == tokens.size()) return ends_at(path, pos, options) ? std::optional(pos) : std::nullopt;
    const Token& t = tokens[index];
    if (t.kind == Token::Kind::text) {
      if (!same_text(path.substr(pos, t.value.size()), t.value, options.case_sensitive)) return std::nullopt;
      return run(tokens, index + 1, pos + t.value.size());
    }
    // Greedy, as the regexp's `+`: the longest value first, then shorter ones.
    if (known_failure(index, pos)) return std::nullopt;
    std::string_view excluded = t.group.empty() ? std::string_view{} : std::string_view(t.group.front().value);
    std::size_t limit = t.kind == Token::Kind::wildcard ? path.size() : param_limit(pos, excluded);
    for (std::size_t end = limit; end > pos; --end) {
      captured.emplace_back(t.value, path.substr(pos, end - pos));
      if (auto r = run(tokens, index + 1, end)) return r;
      captured.pop_back();
    }
    if (!captured.empty()) remember_failure(tokens.size(), index, pos);
    return std::nullopt;
  }
};

}  // namespace

RoutePattern::RoutePattern(std::string_view pattern, MatchOptions options) : text_(pattern), options_(options) {
  // Express: use("/") and use() match every path.
  matches_everything_ = !options.whole_path && (pattern.empty() || pattern == "/");
  // The router's loosen(): without strict routing, trailing slashes of the pattern do not count.
  std::string_view loose = pattern;
  if (!options.strict)
    while (loose.size() > 1 && loose.back() == '/' && !(loose.size() >= 2 && loose[loose.size() - 2] == '\\'))
      loose.remove_suffix(1);
  std::size_t i = 0;
  auto tokens = parse_tokens(loose, i, false);
  flatten(tokens, 0, {}, sequences_);
  for (auto& sequence : sequences_) mark_exclusions(sequence, pattern);
  // flatten() joins adjacent text, so a literal pattern's one sequence is one text token (or none).
  literal_ = sequences_.size() == 1 && sequences_.front().size() <= 1 &&
             (sequences_.front().empty() || sequences_.front().front().kind == Token::Kind::text);
}

std::optional<RoutePattern::Match> RoutePattern::match(std::string_view path) const {
  if (matches_everything_) return Match{};
  if (literal_) {
    // What Matcher::run does for a sequence of one text token (flatten() joins adjacent ones), or none.
    const std::string_view text = sequences_.front().empty() ? std::string_view() : sequences_.front().front().value;
    if (!same_text(path.substr(0, text.size()), text, options_.case_sensitive) || !ends_at(path, text.size(), options_))
      return std::nullopt;
    return Match{.length = text.size(), .params = {}};
  }
  for (const auto& sequence : sequences_) {
    Matcher m{path, options_, {}};
    auto end = m.run(sequence, 0, 0);
    if (!end) continue;
    Match result;
    result.length = *end;
    for (const auto& [name, raw] : m.captured) {
      auto decoded = decode_uri_component(raw);
      if (!decoded) throw HttpError(400, "Failed to decode param '" + std::string(raw) + "'");
      result.params.set(std::string(name), std::move(*decoded));
    }
    return result;
  }
  return std::nullopt;
}

}  // namespace cortado
