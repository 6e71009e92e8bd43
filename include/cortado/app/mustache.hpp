#pragma once
/// Mustache templates, rendered byte for byte as mustache.js 4.2 renders them.

#include "cortado/core/json.hpp"

#include <boost/json/object.hpp>
#include <boost/json/value.hpp>

#include <functional>
#include <memory>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

namespace cortado::mustache {

/// A template that cannot be parsed; the message is mustache.js's ("Unclosed tag at 12",
/// `Unclosed section "x" at 40`, `Unopened section "x" at 3`), positions in UTF-16 units as there.
class TemplateError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

class Template;

/// Finds a partial by name ({{> name}}); null when there is none (it renders as nothing).
using Partials = std::function<const Template*(std::string_view name)>;

/// A parsed template: parse once, render many times (also from several threads at once).
class Template {
 public:
  /// Parses `source` with the delimiters {{ }}; throws TemplateError.
  explicit Template(std::string source);
  ~Template();
  Template(Template&&) noexcept;
  Template& operator=(Template&&) noexcept;

  /// Renders with `data` as the context (a JSON object, usually), HTML-escaping {{name}} as
  /// mustache.js does. Throws TemplateError for a partial that cannot be parsed or partials
  /// nested too deep (a partial that includes itself without end).
  std::string render(const json::value& data, const Partials& partials = {}) const;
  void render_to(std::string& out, const json::value& data, const Partials& partials = {}) const;
  /// The same with an object as the context, used where it is (not copied into a json::value).
  std::string render(const json::object& data, const Partials& partials = {}) const;
  void render_to(std::string& out, const json::object& data, const Partials& partials = {}) const;

  /// The names of every partial the template refers to, in any section (mustache-express loads
  /// them all before rendering), each once, in order of appearance.
  std::vector<std::string> partial_names() const;
  const std::string& source() const { return source_; }

  struct Token;
  /// The parsed tree (what render() walks).
  const std::vector<Token>& tokens() const { return tokens_; }

 private:
  std::string source_;
  std::vector<Token> tokens_;
};

/// Renders `source` once (parse + render): Mustache.render(template, view, partials).
std::string render(std::string_view source, const json::value& data, const json::object& partials = {});

/// mustache.js's escapeHtml: & < > " ' / ` = become entities.
std::string escape_html(std::string_view text);
/// Appends escape_html(text) to `out`.
void append_escaped(std::string& out, std::string_view text);

}  // namespace cortado::mustache
