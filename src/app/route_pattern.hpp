#pragma once
/// RoutePattern: an Express 5 path ("/users/:id", "/files{/:name}", "/*splat") and its matching.

#include "cortado/app/params.hpp"

#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace cortado {

/// How a pattern is matched (Express's router options).
struct MatchOptions {
  /// Routes match the whole path; use() matches a prefix that ends at a '/'.
  bool whole_path = true;
  bool case_sensitive = false;
  /// Without it a trailing '/' on the path is ignored.
  bool strict = false;
};

/// A compiled route path, with the syntax of path-to-regexp 8: `:name` (one segment), `*name`
/// (one or more segments), `{...}` (optional part), `\` escapes the next character.
class RoutePattern {
 public:
  /// Throws std::invalid_argument for a malformed pattern (unbalanced braces, a nameless
  /// parameter), as Express does when the route is declared.
  RoutePattern(std::string_view pattern, MatchOptions options);

  struct Match {
    /// How many characters of the path the pattern covered (the mount prefix for use()).
    std::size_t length = 0;
    Params params;
  };
  /// Matches `path`; parameter values are %-decoded (throws HttpError 400 if they cannot be).
  std::optional<Match> match(std::string_view path) const;
  const std::string& text() const { return text_; }

  struct Token;

 private:
  std::string text_;
  MatchOptions options_;
  bool matches_everything_ = false;
  /// A pattern of literal text alone ("/views", "/health"): matched by one comparison, without
  /// the backtracking matcher. Most routes are such.
  bool literal_ = false;
  /// The pattern's alternatives (optional groups in or out), tried in order.
  std::vector<std::vector<Token>> sequences_;
};

/// One piece of a compiled pattern.
struct RoutePattern::Token {
  enum class Kind { text, param, wildcard, group } kind;
  std::string value;  // literal text, or the parameter's name
  /// A group's tokens; for a parameter, the text it may not contain (one text token), if any.
  std::vector<Token> group;
};

}  // namespace cortado
