// Mustache as mustache.js 4.2 parses and renders it. The parser follows mustache.js's own steps
// (one text token per character, whitespace-only lines around standalone tags dropped, a
// partial's indentation applied to its source before it is parsed), because byte-identical
// output with mustache.js, not only the spec, is the goal: templates are shared with Node.
#include "cortado/app/mustache.hpp"

#include <boost/json/array.hpp>
#include <boost/json/object.hpp>
#include <boost/json/string.hpp>

#include <cmath>
#include <cstdint>
#include <algorithm>
#include <deque>
#include <optional>

namespace cortado::mustache {

struct Template::Token {
  enum class Kind { text, escaped, raw, section, inverted, partial } kind;
  std::string value{};
  std::vector<Token> children{};  // a section's tokens
  std::string indentation{};      // a partial's: what stood before it on its line
  int tag_index = 0;            // a partial's: its place among the tags of its line
  bool line_has_non_space = false;
};

namespace {

using Token = Template::Token;

/// Decodes the UTF-8 code point at `i` (a stray byte counts as itself); returns its length.
std::size_t decode(std::string_view s, std::size_t i, char32_t& cp) {
  auto b = static_cast<unsigned char>(s[i]);
  std::size_t n = b < 0x80 ? 1 : (b >> 5) == 0x6 ? 2 : (b >> 4) == 0xE ? 3 : (b >> 3) == 0x1E ? 4 : 1;
  if (i + n > s.size()) n = 1;
  if (n == 1) {
    cp = b;
    return 1;
  }
  cp = b & (0x3F >> (n - 1));
  for (std::size_t k = 1; k < n; ++k) {
    auto c = static_cast<unsigned char>(s[i + k]);
    if ((c & 0xC0) != 0x80) {
      cp = b;
      return 1;
    }
    cp = (cp << 6) | (c & 0x3F);
  }
  return n;
}

/// JavaScript's \s: what mustache.js's regular expressions treat as white space.
bool is_js_space(char32_t c) {
  return (c >= 0x09 && c <= 0x0D) || c == 0x20 || c == 0xA0 || c == 0x1680 || (c >= 0x2000 && c <= 0x200A) ||
         c == 0x2028 || c == 0x2029 || c == 0x202F || c == 0x205F || c == 0x3000 || c == 0xFEFF;
}

/// How many UTF-16 units a code point takes (JavaScript counts string positions in them).
std::size_t utf16_units(char32_t c) { return c > 0xFFFF ? 2 : 1; }

std::size_t utf16_offset(std::string_view s, std::size_t byte_pos) {
  std::size_t units = 0;
  for (std::size_t i = 0; i < byte_pos && i < s.size();) {
    char32_t c;
    i += decode(s, i, c);
    units += utf16_units(c);
  }
  return units;
}

/// Length of the JS white-space code point that ends just before `i`, or 0.
std::size_t space_before(std::string_view s, std::size_t i, std::size_t floor) {
  for (std::size_t n = 1; n <= 4 && n <= i - floor; ++n) {
    char32_t c;
    if (decode(s, i - n, c) == n) return is_js_space(c) ? n : 0;
  }
  return 0;
}

std::size_t skip_spaces(std::string_view s, std::size_t i) {
  while (i < s.size()) {
    char32_t c;
    std::size_t n = decode(s, i, c);
    if (!is_js_space(c)) break;
    i += n;
  }
  return i;
}

// The parse of one template, step for step as mustache.js's parseTemplate.
class Parser {
 public:
  explicit Parser(std::string_view src) : src_(src) {}

  std::vector<Token> parse() {
    if (src_.empty()) return {};
    compile_tags("{{ }}");
    while (pos_ < src_.size()) {
      // Text up to the next opening tag, one token per character.
      std::size_t open = src_.find(open_, pos_);
      std::size_t text_end = open == std::string_view::npos ? src_.size() : open;
      take_text(text_end);
      if (open == std::string_view::npos) break;
      pos_ = skip_spaces(src_, open + open_.size());
      has_tag_ = true;
      read_tag(open);
    }
    strip_space();
    if (!sections_.empty()) error_unclosed(raw_[sections_.back()].value, pos_);
    return nest();
  }

 private:
  struct Raw {
    char type;  // 't' text, 'n' name, '&', '#', '^', '/', '>', '=', '!'
    std::string value{};
    std::size_t start = 0;
    std::string indentation{};
    int tag_index = 0;
    bool line_has_non_space = false;
    bool dead = false;
  };

  [[noreturn]] void error_unclosed(const std::string& name, std::size_t at) const {
    throw TemplateError("Unclosed section \"" + name + "\" at " + std::to_string(utf16_offset(src_, at)));
  }

  void compile_tags(std::string_view spec) {
    // "a b" split on white space, at most two parts, as String.prototype.split(/\s+/, 2).
    std::vector<std::string> parts;
    std::size_t i = 0;
    while (parts.size() < 2) {
      std::size_t j = i;
      while (j < spec.size()) {
        char32_t c;
        std::size_t n = decode(spec, j, c);
        if (is_js_space(c)) break;
        j += n;
      }
      parts.emplace_back(spec.substr(i, j - i));
      if (j >= spec.size()) break;
      i = skip_spaces(spec, j);
    }
    if (parts.size() != 2) {
      std::string shown;
      for (std::size_t k = 0; k < parts.size(); ++k) shown += (k ? "," : "") + parts[k];
      throw TemplateError("Invalid tags: " + shown);
    }
    open_ = parts[0];
    close_ = parts[1];
    if (open_.empty() || close_.empty()) throw TemplateError("Invalid tags: " + open_ + "," + close_);
  }

  void take_text(std::size_t end) {
    while (pos_ < end) {
      char32_t c;
      std::size_t n = decode(src_, pos_, c);
      if (is_js_space(c)) {
        spaces_.push_back(raw_.size());
        indentation_.append(src_.substr(pos_, n));
      } else {
        non_space_ = true;
        line_has_non_space_ = true;
        indentation_.append(utf16_units(c), ' ');
      }
      raw_.push_back({'t', std::string(src_.substr(pos_, n))});
      pos_ += n;
      if (c == '\n') {
        strip_space();
        indentation_.clear();
        tag_index_ = 0;
        line_has_non_space_ = false;
      }
    }
  }

  /// Drops the white space of a line that held tags and nothing else (its newline too).
  void strip_space() {
    if (has_tag_ && !non_space_)
      for (std::size_t i : spaces_) raw_[i].dead = true;
    spaces_.clear();
    has_tag_ = false;
    non_space_ = false;
  }

  /// scanUntil(/\s*X/): the text before X with its trailing white space, and the position of that space.
  std::string scan_until(std::string_view x) {
    std::size_t at = src_.find(x, pos_);
    if (at == std::string_view::npos) {
      std::string rest(src_.substr(pos_));
      pos_ = src_.size();
      return rest;
    }
    while (std::size_t n = space_before(src_, at, pos_)) at -= n;
    std::string value(src_.substr(pos_, at - pos_));
    pos_ = at;
    return value;
  }

  /// scan(/\s*X/): consumes white space and X if they are next.
  bool scan(std::string_view x) {
    std::size_t at = skip_spaces(src_, pos_);
    if (src_.substr(at, x.size()) != x) return false;
    pos_ = at + x.size();
    return true;
  }

  void read_tag(std::size_t start) {
    char type = 'n';
    if (pos_ < src_.size() && std::string_view("#^/>{&=!").find(src_[pos_]) != std::string_view::npos)
      type = src_[pos_++];
    pos_ = skip_spaces(src_, pos_);
    std::string value;
    if (type == '=') {
      value = scan_until("=");
      scan("=");
      scan_until(close_);
    } else if (type == '{') {
      value = scan_until("}" + close_);
      scan("}");
      scan_until(close_);
      type = '&';
    } else {
      value = scan_until(close_);
    }
    if (!scan(close_)) throw TemplateError("Unclosed tag at " + std::to_string(utf16_offset(src_, pos_)));

    Raw token{type, value, start};
    if (type == '>') {
      token.indentation = indentation_;
      token.tag_index = tag_index_;
      token.line_has_non_space = line_has_non_space_;
    }
    ++tag_index_;
    raw_.push_back(std::move(token));

    if (type == '#' || type == '^') {
      sections_.push_back(raw_.size() - 1);
    } else if (type == '/') {
      if (sections_.empty())
        throw TemplateError("Unopened section \"" + value + "\" at " + std::to_string(utf16_offset(src_, start)));
      std::size_t open = sections_.back();
      sections_.pop_back();
      if (raw_[open].value != value) error_unclosed(raw_[open].value, start);
    } else if (type == 'n' || type == '&') {
      non_space_ = true;
    } else if (type == '=') {
      compile_tags(value);
    }
  }

  /// squashTokens + nestTokens: adjacent text joined, sections given their tokens.
  std::vector<Token> nest() {
    std::vector<Token> root;
    std::vector<std::vector<Token>*> collectors{&root};
    for (auto& r : raw_) {
      if (r.dead) continue;
      auto& into = *collectors.back();
      switch (r.type) {
        case 't':
          if (!into.empty() && into.back().kind == Token::Kind::text)
            into.back().value += r.value;
          else
            into.push_back({Token::Kind::text, std::move(r.value)});
          break;
        case 'n': into.push_back({Token::Kind::escaped, std::move(r.value)}); break;
        case '&': into.push_back({Token::Kind::raw, std::move(r.value)}); break;
        case '#':
        case '^':
          into.push_back({r.type == '#' ? Token::Kind::section : Token::Kind::inverted, std::move(r.value)});
          collectors.push_back(&into.back().children);
          break;
        case '/': collectors.pop_back(); break;
        case '>': {
          Token t{Token::Kind::partial, std::move(r.value)};
          t.indentation = std::move(r.indentation);
          t.tag_index = r.tag_index;
          t.line_has_non_space = r.line_has_non_space;
          into.push_back(std::move(t));
          break;
        }
        default: break;  // comments and delimiter changes render nothing
      }
    }
    return root;
  }

  std::string_view src_;
  std::size_t pos_ = 0;
  std::string open_, close_;
  std::vector<Raw> raw_;
  std::vector<std::size_t> sections_;
  std::vector<std::size_t> spaces_;
  bool has_tag_ = false;
  bool non_space_ = false;
  bool line_has_non_space_ = false;
  std::string indentation_;
  int tag_index_ = 0;
};

// ---------------------------------------------------------------------------------------------
// Rendering: JavaScript's view of JSON values (truthiness, String(), property lookup).

bool truthy(const json::value* v) {
  if (!v) return false;
  switch (v->kind()) {
    case json::kind::null: return false;
    case json::kind::bool_: return v->get_bool();
    case json::kind::int64: return v->get_int64() != 0;
    case json::kind::uint64: return v->get_uint64() != 0;
    case json::kind::double_: return v->get_double() != 0 && !std::isnan(v->get_double());
    case json::kind::string: return !v->get_string().empty();
    default: return true;  // objects and arrays, even empty ones
  }
}

bool is_number(const json::value& v) { return v.is_int64() || v.is_uint64() || v.is_double(); }

/// String(v) in JavaScript.
void append_js_string(std::string& out, const json::value& v) {
  switch (v.kind()) {
    case json::kind::string: out.append(v.get_string().data(), v.get_string().size()); break;
    case json::kind::bool_: out += v.get_bool() ? "true" : "false"; break;
    case json::kind::null: out += "null"; break;
    case json::kind::object: out += "[object Object]"; break;
    case json::kind::array: {
      // Array.prototype.join(","): null and undefined elements are empty.
      bool first = true;
      for (const auto& e : v.get_array()) {
        if (!first) out += ',';
        first = false;
        if (!e.is_null()) append_js_string(out, e);
      }
      break;
    }
    default: stringify_to(out, v); break;  // a number: JSON.stringify writes it as String() does
  }
}

/// A canonical array index ("0", "12", never "01"), as JavaScript's property keys have it.
std::optional<std::size_t> array_index(std::string_view key) {
  if (key.empty() || key.size() > 15 || (key.size() > 1 && key[0] == '0')) return std::nullopt;
  std::size_t n = 0;
  for (char c : key) {
    if (c < '0' || c > '9') return std::nullopt;
    n = n * 10 + static_cast<std::size_t>(c - '0');
  }
  return n;
}

std::size_t utf16_length(std::string_view s) { return utf16_offset(s, s.size()); }

class Renderer {
 public:
  Renderer(std::string& out, const Partials& partials) : out_(out), partials_(partials) {}

  void render(const std::vector<Token>& tokens) {
    for (const auto& t : tokens) {
      switch (t.kind) {
        case Token::Kind::text: out_ += t.value; break;
        case Token::Kind::escaped: {
          const json::value* v = lookup(t.value);
          if (!v || v->is_null()) break;
          if (v->is_string())
            append_escaped(out_, v->get_string());
          else if (is_number(*v))
            append_js_string(out_, *v);  // mustache.js writes numbers unescaped
          else {
            std::string s;
            append_js_string(s, *v);
            append_escaped(out_, s);
          }
          break;
        }
        case Token::Kind::raw: {
          const json::value* v = lookup(t.value);
          if (v && !v->is_null()) append_js_string(out_, *v);
          break;
        }
        case Token::Kind::section: section(t); break;
        case Token::Kind::inverted: {
          const json::value* v = lookup(t.value);
          if (!truthy(v) || (v->is_array() && v->get_array().empty())) render(t.children);
          break;
        }
        case Token::Kind::partial: partial(t); break;
      }
    }
  }

  void push(const json::value& v) { stack_.push_back(&v); }
  /// The bottom context as an object, without copying it into a json::value.
  void set_root(const json::object& o) { root_ = &o; }

 private:
  void section(const Token& t) {
    const json::value* v = lookup(t.value);
    if (!truthy(v)) return;
    if (v->is_array()) {
      for (const auto& item : v->get_array()) {
        stack_.push_back(&item);
        render(t.children);
        stack_.pop_back();
      }
    } else if (v->is_bool()) {
      render(t.children);  // true: the same context
    } else {
      stack_.push_back(v);
      render(t.children);
      stack_.pop_back();
    }
  }

  void partial(const Token& t) {
    if (!partials_) return;
    const Template* p = partials_(t.value);
    if (!p) return;
    // Deep enough for any real page; a partial that includes itself without end stops here
    // instead of exhausting the stack (mustache.js ends with a RangeError there).
    if (depth_ >= 200) throw TemplateError("partials nested more than 200 deep at \"" + t.value + "\"");
    ++depth_;
    if (t.tag_index == 0 && !t.indentation.empty()) {
      // mustache.js indents the partial's source and parses that.
      Template indented(indent(p->source(), t.indentation, t.line_has_non_space));
      render_template(indented);
    } else {
      render_template(*p);
    }
    --depth_;
  }

  // A partial renders in its caller's context (the same stack).
  void render_template(const Template& tpl) { render(tpl.tokens()); }

  static std::string indent(std::string_view source, std::string_view indentation, bool line_has_non_space) {
    std::string pad;
    for (char c : indentation)
      if (c == ' ' || c == '\t') pad += c;
    std::string out;
    std::size_t line = 0;
    for (std::size_t i = 0;; ++line) {
      std::size_t nl = source.find('\n', i);
      std::string_view piece = source.substr(i, nl == std::string_view::npos ? std::string_view::npos : nl - i);
      if (!piece.empty() && (line > 0 || !line_has_non_space)) out += pad;
      out += piece;
      if (nl == std::string_view::npos) break;
      out += '\n';
      i = nl + 1;
    }
    return out;
  }

  /// The value a name stands for (Context.prototype.lookup), null when undefined.
  const json::value* lookup(const std::string& name) {
    if (name == ".") return stack_.empty() ? &temps_.emplace_back(*root_) : stack_.back();
    std::size_t dot = name.find('.');
    bool dotted = dot != std::string::npos && dot > 0;
    for (auto ctx = stack_.rbegin(); ctx != stack_.rend(); ++ctx) {
      if (!dotted) {
        if (has_property(**ctx, name)) return property(**ctx, name);
        continue;
      }
      if (auto [hit, v] = walk(*ctx, name, 0); hit) return v;
    }
    if (!root_) return nullptr;
    // The root object the render started with, the bottom of the stack.
    auto first = root_->find(std::string_view(name).substr(0, dotted ? dot : std::string::npos));
    if (first == root_->end()) return nullptr;
    if (!dotted) return &first->value();
    auto [hit, v] = walk(&first->value(), name, dot + 1);
    return hit ? v : nullptr;
  }

  /// Follows the dotted `name` from its part at `from` down from `v`; hit when the last part exists.
  std::pair<bool, const json::value*> walk(const json::value* v, const std::string& name, std::size_t from) {
    bool hit = false;
    while (v && !v->is_null()) {
      std::size_t end = name.find('.', from);
      std::string_view key = std::string_view(name).substr(from, end == std::string::npos ? std::string::npos : end - from);
      if (end == std::string::npos) hit = has_property(*v, key) || primitive_has_own(*v, key);
      v = property(*v, key);
      if (end == std::string::npos) break;
      from = end + 1;
    }
    return {hit, v};
  }

  /// `key in value` for the values JSON has (objects; arrays' indices and length).
  static bool has_property(const json::value& v, std::string_view key) {
    if (v.is_object()) return v.get_object().contains(key);
    if (v.is_array()) {
      if (key == "length") return true;
      auto i = array_index(key);
      return i && *i < v.get_array().size();
    }
    return false;
  }

  /// A string's own properties: its length and its indices.
  static bool primitive_has_own(const json::value& v, std::string_view key) {
    if (!v.is_string()) return false;
    if (key == "length") return true;
    auto i = array_index(key);
    return i && *i < utf16_length(v.get_string());
  }

  const json::value* property(const json::value& v, std::string_view key) {
    if (v.is_object()) {
      auto it = v.get_object().find(key);
      return it == v.get_object().end() ? nullptr : &it->value();
    }
    if (v.is_array() || v.is_string()) {
      std::size_t size = v.is_array() ? v.get_array().size() : utf16_length(v.get_string());
      if (key == "length") return &temps_.emplace_back(static_cast<std::uint64_t>(size));
      auto i = array_index(key);
      if (!i || *i >= size) return nullptr;
      if (v.is_array()) return &v.get_array()[*i];
      return &temps_.emplace_back(utf16_unit_at(v.get_string(), *i));
    }
    return nullptr;
  }

  /// str[i] in JavaScript: one UTF-16 unit (half of a surrogate pair prints as U+FFFD, as Node writes it).
  static json::string utf16_unit_at(std::string_view s, std::size_t index) {
    std::size_t units = 0;
    for (std::size_t i = 0; i < s.size();) {
      char32_t c;
      std::size_t n = decode(s, i, c);
      if (units == index || (utf16_units(c) == 2 && units + 1 == index))
        return utf16_units(c) == 2 ? json::string("\xEF\xBF\xBD") : json::string(s.substr(i, n));
      units += utf16_units(c);
      i += n;
    }
    return {};
  }

  std::string& out_;
  const Partials& partials_;
  std::vector<const json::value*> stack_;
  const json::object* root_ = nullptr;
  std::deque<json::value> temps_;  // values made by a lookup (a length, a character), kept while rendering
  int depth_ = 0;
};

}  // namespace

Template::Template(std::string source) : source_(std::move(source)), tokens_(Parser(source_).parse()) {}
Template::~Template() = default;
Template::Template(Template&&) noexcept = default;
Template& Template::operator=(Template&&) noexcept = default;

void Template::render_to(std::string& out, const json::value& data, const Partials& partials) const {
  Renderer r(out, partials);
  r.push(data);
  r.render(tokens_);
}

void Template::render_to(std::string& out, const json::object& data, const Partials& partials) const {
  Renderer r(out, partials);
  r.set_root(data);
  r.render(tokens_);
}

std::string Template::render(const json::object& data, const Partials& partials) const {
  std::string out;
  out.reserve(source_.size() + source_.size() / 2);
  render_to(out, data, partials);
  return out;
}

std::string Template::render(const json::value& data, const Partials& partials) const {
  std::string out;
  out.reserve(source_.size() + source_.size() / 2);
  render_to(out, data, partials);
  return out;
}

namespace {
void collect_partials(const std::vector<Token>& tokens, std::vector<std::string>& names) {
  for (const auto& t : tokens) {
    if (t.kind == Token::Kind::partial && std::find(names.begin(), names.end(), t.value) == names.end())
      names.push_back(t.value);
    collect_partials(t.children, names);
  }
}
}  // namespace

std::vector<std::string> Template::partial_names() const {
  std::vector<std::string> names;
  collect_partials(tokens_, names);
  return names;
}


std::string render(std::string_view source, const json::value& data, const json::object& partials) {
  std::deque<Template> parsed;
  std::vector<std::pair<std::string, const Template*>> by_name;
  Partials find = [&](std::string_view name) -> const Template* {
    for (const auto& [n, t] : by_name)
      if (n == name) return t;
    auto it = partials.find(name);
    if (it == partials.end() || !it->value().is_string()) return nullptr;
    const Template* t = &parsed.emplace_back(std::string(it->value().get_string()));
    by_name.emplace_back(std::string(name), t);
    return t;
  };
  return Template(std::string(source)).render(data, find);
}

void append_escaped(std::string& out, std::string_view text) {
  std::size_t run = 0;
  for (std::size_t i = 0; i < text.size(); ++i) {
    const char* entity = nullptr;
    switch (text[i]) {
      case '&': entity = "&amp;"; break;
      case '<': entity = "&lt;"; break;
      case '>': entity = "&gt;"; break;
      case '"': entity = "&quot;"; break;
      case '\'': entity = "&#39;"; break;
      case '/': entity = "&#x2F;"; break;
      case '`': entity = "&#x60;"; break;
      case '=': entity = "&#x3D;"; break;
      default: continue;
    }
    out.append(text.substr(run, i - run));
    out += entity;
    run = i + 1;
  }
  out.append(text.substr(run));
}

std::string escape_html(std::string_view text) {
  std::string out;
  append_escaped(out, text);
  return out;
}

}  // namespace cortado::mustache
