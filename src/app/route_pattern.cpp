#include "cortado/app/route_pattern.hpp"

#include "cortado/app/http_error.hpp"
#include "cortado/app/url.hpp"

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
      if (i < p.size() && p[i] == '"') {  // quoted name, :"user id"
        auto close = p.find('"', i + 1);
        if (close == std::string_view::npos) throw std::invalid_argument("Unterminated quote in route " + std::string(p));
        name = p.substr(i + 1, close - i - 1);
        i = close + 1;
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

bool same_text(std::string_view a, std::string_view b, bool case_sensitive) {
  if (a.size() != b.size()) return false;
  for (std::size_t i = 0; i < a.size(); ++i) {
    if (case_sensitive ? a[i] != b[i]
                       : std::tolower(static_cast<unsigned char>(a[i])) != std::tolower(static_cast<unsigned char>(b[i])))
      return false;
  }
  return true;
}

struct Matcher {
  std::string_view path;
  const MatchOptions& options;
  std::vector<std::pair<std::string, std::string_view>> captured;

  // The pattern is done at `pos`: does the rest of the path allow it to end here?
  bool at_end(std::size_t pos) const {
    std::string_view rest = path.substr(pos);
    if (options.whole_path) return rest.empty() || (!options.strict && rest == "/");
    return rest.empty() || rest.front() == '/' || (pos > 0 && path[pos - 1] == '/');
  }

  // Tries tokens [index..] (then `after`, the tokens following an enclosing group) from `pos`.
  std::optional<std::size_t> run(const std::vector<Token>& tokens, std::size_t index, std::size_t pos,
                                 const std::vector<const std::vector<Token>*>& after_stack,
                                 const std::vector<std::size_t>& after_index) {
    if (index == tokens.size()) {
      if (after_stack.empty()) return at_end(pos) ? std::optional(pos) : std::nullopt;
      auto stack = after_stack;
      auto indices = after_index;
      const auto* outer = stack.back();
      auto outer_index = indices.back();
      stack.pop_back();
      indices.pop_back();
      return run(*outer, outer_index, pos, stack, indices);
    }
    const Token& t = tokens[index];
    switch (t.kind) {
      case Token::Kind::text:
        if (!same_text(path.substr(pos, t.value.size()), t.value, options.case_sensitive)) return std::nullopt;
        return run(tokens, index + 1, pos + t.value.size(), after_stack, after_index);
      case Token::Kind::param:
        // Shortest first, as path-to-regexp's lazy segment match: "/:a-:b" splits at the first '-'.
        for (std::size_t end = pos + 1; end <= path.size() && path[end - 1] != '/'; ++end) {
          captured.emplace_back(t.value, path.substr(pos, end - pos));
          if (auto r = run(tokens, index + 1, end, after_stack, after_index)) return r;
          captured.pop_back();
        }
        return std::nullopt;
      case Token::Kind::wildcard:
        for (std::size_t end = path.size(); end > pos; --end) {
          captured.emplace_back(t.value, path.substr(pos, end - pos));
          if (auto r = run(tokens, index + 1, end, after_stack, after_index)) return r;
          captured.pop_back();
        }
        return std::nullopt;
      case Token::Kind::group: {
        auto stack = after_stack;
        auto indices = after_index;
        stack.push_back(&tokens);
        indices.push_back(index + 1);
        auto saved = captured.size();
        if (auto r = run(t.group, 0, pos, stack, indices)) return r;
        captured.resize(saved);
        return run(tokens, index + 1, pos, after_stack, after_index);
      }
    }
    return std::nullopt;
  }
};

}  // namespace

RoutePattern::RoutePattern(std::string_view pattern, MatchOptions options) : text_(pattern), options_(options) {
  // Express: use("/") and use() match every path.
  matches_everything_ = !options.whole_path && (pattern.empty() || pattern == "/");
  std::size_t i = 0;
  tokens_ = parse_tokens(pattern, i, false);
  // A mount path's trailing '/' is not part of what it strips ("/api/" mounts like "/api").
  if (!options.whole_path && !tokens_.empty() && tokens_.back().kind == Token::Kind::text &&
      tokens_.back().value.size() > 1 && tokens_.back().value.ends_with('/'))
    tokens_.back().value.pop_back();
}

std::optional<RoutePattern::Match> RoutePattern::match(std::string_view path) const {
  if (matches_everything_) return Match{};
  Matcher m{path, options_, {}};
  auto end = m.run(tokens_, 0, 0, {}, {});
  if (!end) return std::nullopt;
  Match result;
  result.length = *end;
  for (const auto& [name, raw] : m.captured) {
    auto decoded = decode_uri_component(raw);
    if (!decoded) throw HttpError(400, "Failed to decode param '" + std::string(raw) + "'");
    result.params.set(name, std::move(*decoded));
  }
  return result;
}

}  // namespace cortado
