#include "app/negotiator.hpp"

#include "core/header_text.hpp"
#include "core/mime.hpp"

#include <algorithm>
#include <cmath>
#include <cstdlib>
#include <limits>

namespace cortado::negotiation {

const std::string* HeaderItem::param(std::string_view name) const {
  for (const auto& [key, value] : params)
    if (key == name) return &value;
  return nullptr;
}

namespace {

constexpr double nan = std::numeric_limits<double>::quiet_NaN();

bool is_ows(char c) { return c == ' ' || c == '\t'; }

std::size_t skip_ows(std::string_view s, std::size_t i) {
  while (i < s.size() && is_ows(s[i])) ++i;
  return i;
}

std::size_t trailing_ows(std::string_view s, std::size_t start, std::size_t end) {
  while (end > start && is_ows(s[end - 1])) --end;
  return end;
}

// content-type's skipValue: up to the next ';' (or the item's end, ',' in a list).
std::size_t skip_value(std::string_view s, std::size_t i, bool comma) {
  while (i < s.size() && s[i] != ';' && !(comma && s[i] == ',')) ++i;
  return i;
}

void add_param(HeaderItem& item, std::string key, std::string value) {
  if (!item.param(key)) item.params.emplace_back(std::move(key), std::move(value));
}

// content-type 2.1's parse(header, {comma, start}): one item from `i`; returns where it stopped
// (at the ',' that ends it, or the end). The value keeps its case (negotiator re-reads it so).
HeaderItem parse_item(std::string_view s, std::size_t& i, bool comma) {
  HeaderItem item;
  i = skip_ows(s, i);
  auto value_start = i;
  i = skip_value(s, i, comma);
  item.value = std::string(s.substr(value_start, trailing_ows(s, value_start, i) - value_start));
  auto stops = [&](char c) { return comma && c == ','; };
  while (i < s.size()) {
    if (stops(s[i])) break;
    i = skip_ows(s, i + 1);  // over the ';'
    auto key_start = i;
    bool next_param = false;
    while (i < s.size() && !next_param) {
      char c = s[i];
      if (stops(c)) return item;
      if (c == ';') break;
      if (c != '=') {
        ++i;
        continue;
      }
      auto key = text::to_lower(s.substr(key_start, trailing_ows(s, key_start, i) - key_start));
      i = skip_ows(s, i + 1);
      if (i < s.size() && s[i] == '"') {
        ++i;
        std::string value;
        while (i < s.size()) {
          char q = s[i++];
          if (q == '"') {
            i = skip_value(s, i, comma);
            add_param(item, std::move(key), std::move(value));
            break;
          }
          if (q == '\\' && i < s.size()) q = s[i++];
          value += q;
        }
      } else {
        auto start = i;
        i = skip_value(s, i, comma);
        add_param(item, std::move(key), std::string(s.substr(start, trailing_ows(s, start, i) - start)));
      }
      next_param = true;
    }
  }
  return item;
}

HeaderItem parse_single(std::string_view s) {
  std::size_t i = 0;
  auto item = parse_item(s, i, false);
  item.value = text::to_lower(item.value);  // content-type lower-cases the type it returns
  return item;
}

// `q` as negotiator reads it: absent or empty means 1, otherwise parseFloat (NaN is possible and
// makes the item unacceptable).
double quality(const HeaderItem& item) {
  const std::string* q = item.param("q");
  return q && !q->empty() ? parse_float(*q) : 1.0;
}

// JavaScript's `a || b` over the differences negotiator chains: 0 and NaN fall through.
double js_or(double a, double b) { return a == 0 || std::isnan(a) ? b : a; }

/// An accepted item, or a ranked offer: negotiator's {i, o, q, s}.
struct Spec {
  int i = 0;        // the offer's position (or, for a header item, its position in the header)
  int o = -1;       // the position in the header of the item that matched the offer
  double q = 0;     // its quality
  double s = nan;   // how specifically it matched (NaN for a header item: JS undefined)
  std::string name;  // the header item's value, or the offer
};

double compare_specs(const Spec& a, const Spec& b) {
  return js_or(js_or(js_or(js_or(b.q - a.q, b.s - a.s), a.o - b.o), a.i - b.i), 0);
}

// negotiator's getXPriority: of the header items that match the offer, the most specific, then
// the highest q, then the earliest.
template <class Specify>
Spec priority_of(const std::string& offer, int index, std::size_t count, Specify specify) {
  Spec best;
  best.s = 0;
  best.name = offer;
  for (std::size_t k = 0; k < count; ++k) {
    auto spec = specify(k);
    if (!spec) continue;
    spec->i = index;
    spec->name = offer;
    if (js_or(js_or(best.s - spec->s, best.q - spec->q), best.o - spec->o) < 0) best = *spec;
  }
  return best;
}

template <class Compare>
std::vector<std::string> ranked(std::vector<Spec> specs, Compare compare) {
  std::erase_if(specs, [](const Spec& s) { return !(s.q > 0); });
  std::stable_sort(specs.begin(), specs.end(), [&](const Spec& a, const Spec& b) { return compare(a, b) < 0; });
  std::vector<std::string> out;
  out.reserve(specs.size());
  for (auto& s : specs) out.push_back(std::move(s.name));
  return out;
}

std::vector<std::string> listed(const std::vector<Spec>& accepted) {
  // Header items carry no s or o (NaN here, undefined in JS): q, then header order.
  return ranked(accepted, compare_specs);
}

template <class Specify>
std::vector<std::string> offered(const std::vector<std::string>& offers, std::size_t count, Specify specify) {
  std::vector<Spec> specs;
  for (std::size_t n = 0; n < offers.size(); ++n)
    specs.push_back(priority_of(offers[n], static_cast<int>(n), count, [&](std::size_t k) { return specify(offers[n], k); }));
  return ranked(std::move(specs), compare_specs);
}

bool iequal(std::string_view a, std::string_view b) { return text::to_lower(a) == text::to_lower(b); }

// --- media types ---------------------------------------------------------------------------

struct MediaRange {
  std::string type, subtype;
  std::vector<std::pair<std::string, std::string>> params;  // without q
  double q = 1;
  int i = 0;
};

std::optional<MediaRange> media_range(const HeaderItem& item, int i) {
  auto slash = item.value.find('/');
  if (slash == std::string::npos) return std::nullopt;
  MediaRange r{item.value.substr(0, slash), item.value.substr(slash + 1), {}, quality(item), i};
  for (const auto& p : item.params)
    if (p.first != "q") r.params.push_back(p);
  return r;
}

std::vector<MediaRange> accepted_media(std::string_view accept) {
  std::vector<MediaRange> out;
  int i = 0;
  for (const auto& item : parse_list(accept))
    if (auto r = media_range(item, i++)) out.push_back(std::move(*r));
  return out;
}

std::optional<Spec> specify_media(const std::string& offer, const MediaRange& spec) {
  auto p = media_range(parse_single(offer), 0);
  if (!p) return std::nullopt;
  int s = 0;
  if (iequal(spec.type, p->type)) s |= 4;
  else if (spec.type != "*") return std::nullopt;
  if (iequal(spec.subtype, p->subtype)) s |= 2;
  else if (spec.subtype != "*") return std::nullopt;
  if (!spec.params.empty()) {
    for (const auto& [key, value] : spec.params) {
      std::string mine;
      for (const auto& [k, v] : p->params)
        if (k == key) {
          mine = v;
          break;
        }
      if (value != "*" && !iequal(value, mine)) return std::nullopt;
    }
    s |= 1;
  }
  Spec out;
  out.o = spec.i;
  out.q = spec.q;
  out.s = s;
  return out;
}

// --- charsets and encodings: plain tokens ----------------------------------------------------

struct Token {
  std::string value;
  double q = 1;
  int i = 0;
};

std::vector<Token> accepted_tokens(std::string_view accept, int* count = nullptr) {
  std::vector<Token> out;
  int i = 0;
  for (const auto& item : parse_list(accept)) {
    if (!item.value.empty()) out.push_back({item.value, quality(item), i});
    ++i;
  }
  if (count) *count = i;
  return out;
}

std::optional<Spec> specify_token(const std::string& offer, const Token& spec) {
  int s = 0;
  if (iequal(spec.value, offer)) s |= 1;
  else if (spec.value != "*") return std::nullopt;
  Spec out;
  out.o = spec.i;
  out.q = spec.q;
  out.s = s;
  return out;
}

std::vector<Spec> as_specs(const std::vector<Token>& tokens) {
  std::vector<Spec> out;
  for (const auto& t : tokens) {
    Spec s;
    s.i = t.i;
    s.o = 0;  // undefined in JS, like s: only q and the header's order rank a listing
    s.q = t.q;
    s.name = t.value;
    out.push_back(std::move(s));
  }
  return out;
}

// Identity is acceptable unless the header rules it out: when neither it nor "*" is listed, it
// is added with the lowest q of the list (a q of 0 counting as 1, as `q || 1` does).
void add_identity(std::vector<Token>& accepted, int count) {
  bool has_identity = false;
  double min_quality = 1;
  for (const auto& t : accepted) {
    has_identity = has_identity || specify_token("identity", t);
    min_quality = std::min(min_quality, js_or(t.q, 1));
  }
  if (!has_identity) accepted.push_back({"identity", min_quality, count});
}

std::vector<std::string> rank_encodings(std::vector<Token> accepted, const std::vector<std::string>* offers,
                                        const std::vector<std::string>* preferred) {
  auto compare = [&](const Spec& a, const Spec& b) -> double {
    if (!preferred) return compare_specs(a, b);
    if (a.q != b.q) return b.q - a.q;
    auto position = [&](const std::string& name) {
      auto it = std::find(preferred->begin(), preferred->end(), name);
      return it == preferred->end() ? -1 : static_cast<int>(it - preferred->begin());
    };
    int pa = position(a.name), pb = position(b.name);
    if (pa == -1 && pb == -1) return js_or(js_or(b.s - a.s, a.o - b.o), a.i - b.i);
    if (pa != -1 && pb != -1) return pa - pb;
    return pa == -1 ? 1 : -1;
  };
  if (!offers) {
    return ranked(as_specs(accepted), compare);
  }
  std::vector<Spec> specs;
  for (std::size_t n = 0; n < offers->size(); ++n)
    specs.push_back(priority_of((*offers)[n], static_cast<int>(n), accepted.size(),
                                [&](std::size_t k) { return specify_token((*offers)[n], accepted[k]); }));
  return ranked(std::move(specs), compare);
}

// --- languages -------------------------------------------------------------------------------

struct LanguageRange {
  std::string prefix, full;
  double q = 1;
  int i = 0;
};

std::optional<LanguageRange> language_range(const HeaderItem& item, int i) {
  if (item.value.empty()) return std::nullopt;
  return LanguageRange{item.value.substr(0, item.value.find('-')), item.value, quality(item), i};
}

std::optional<Spec> specify_language(const std::string& offer, const LanguageRange& spec) {
  auto p = language_range(parse_single(offer), 0);
  if (!p) return std::nullopt;
  int s = 0;
  if (iequal(spec.full, p->full)) s |= 4;
  else if (iequal(spec.prefix, p->full)) s |= 2;
  else if (iequal(spec.full, p->prefix)) s |= 1;
  else if (spec.full != "*") return std::nullopt;
  Spec out;
  out.o = spec.i;
  out.q = spec.q;
  out.s = s;
  return out;
}

}  // namespace

std::vector<HeaderItem> parse_list(std::string_view header) {
  std::vector<HeaderItem> items;
  std::size_t i = 0;
  while (i < header.size()) {
    items.push_back(parse_item(header, i, true));
    ++i;  // over the ','
  }
  return items;
}

double parse_float(std::string_view text) {
  std::size_t i = 0;
  while (i < text.size() && std::string_view(" \t\n\r\v\f").find(text[i]) != std::string_view::npos) ++i;
  std::size_t start = i;
  if (i < text.size() && (text[i] == '+' || text[i] == '-')) ++i;
  if (text.substr(i).starts_with("Infinity")) {
    double inf = std::numeric_limits<double>::infinity();
    return text[start] == '-' ? -inf : inf;
  }
  // Only decimal digits, one point and an exponent: strtod alone would also read hex and "inf".
  std::size_t digits = 0;
  while (i < text.size() && std::isdigit(static_cast<unsigned char>(text[i]))) ++i, ++digits;
  if (i < text.size() && text[i] == '.') {
    ++i;
    while (i < text.size() && std::isdigit(static_cast<unsigned char>(text[i]))) ++i, ++digits;
  }
  if (digits == 0) return nan;
  if (i < text.size() && (text[i] == 'e' || text[i] == 'E')) {
    std::size_t e = i + 1;
    if (e < text.size() && (text[e] == '+' || text[e] == '-')) ++e;
    std::size_t exp_digits = e;
    while (e < text.size() && std::isdigit(static_cast<unsigned char>(text[e]))) ++e;
    if (e > exp_digits) i = e;
  }
  return std::strtod(std::string(text.substr(start, i - start)).c_str(), nullptr);
}

std::vector<std::string> media_types(std::optional<std::string_view> accept, const std::vector<std::string>* offers) {
  auto accepted = accepted_media(accept ? *accept : "*/*");
  if (!offers) {
    std::vector<Spec> specs;
    for (const auto& r : accepted) {
      Spec s;
      s.i = r.i;
      s.o = 0;
      s.q = r.q;
      s.name = r.type + "/" + r.subtype;
      specs.push_back(std::move(s));
    }
    return listed(specs);
  }
  return offered(*offers, accepted.size(), [&](const std::string& offer, std::size_t k) {
    return specify_media(offer, accepted[k]);
  });
}

std::vector<std::string> charsets(std::optional<std::string_view> accept, const std::vector<std::string>* offers) {
  auto accepted = accepted_tokens(accept ? *accept : "*");
  if (!offers) {
    return listed(as_specs(accepted));
  }
  return offered(*offers, accepted.size(), [&](const std::string& offer, std::size_t k) {
    return specify_token(offer, accepted[k]);
  });
}

std::vector<std::string> encodings(std::optional<std::string_view> accept, const std::vector<std::string>* offers,
                                   const std::vector<std::string>* preferred) {
  int count = 0;
  auto accepted = accepted_tokens(accept ? *accept : "", &count);
  add_identity(accepted, count);
  return rank_encodings(std::move(accepted), offers, preferred);
}

std::vector<std::string> encodings_0_6(std::string_view accept, const std::vector<std::string>& offers,
                                       const std::vector<std::string>& preferred) {
  // negotiator 0.6: split at every ',', each item /^\s*([^\s;]+)\s*(?:;(.*))?$/ after trimming,
  // and q from the first parameter spelled exactly "q".
  std::vector<Token> accepted;
  int count = 0;
  for (;;) {
    auto comma = accept.find(',');
    auto item = text::trim(accept.substr(0, comma), " \t\n\r\v\f");
    auto name_end = item.find_first_of(" \t\n\r\v\f;");
    auto name = item.substr(0, name_end);
    auto rest = name_end == std::string_view::npos ? std::string_view{} : text::trim(item.substr(name_end), " \t\n\r\v\f");
    bool ok = !name.empty() && (rest.empty() || rest.front() == ';');
    if (ok) {
      Token t{std::string(name), 1.0, count};
      if (!rest.empty()) {
        rest.remove_prefix(1);
        for (;;) {
          auto semi = rest.find(';');
          auto param = text::trim(rest.substr(0, semi), " \t\n\r\v\f");
          auto eq = param.find('=');
          if (param.substr(0, eq) == "q") {
            // split('=')[1]: the text between the first and a second '=', if any.
            t.q = eq == std::string_view::npos ? nan : parse_float(param.substr(eq + 1, param.find('=', eq + 1) - eq - 1));
            break;
          }
          if (semi == std::string_view::npos) break;
          rest.remove_prefix(semi + 1);
        }
      }
      accepted.push_back(std::move(t));
    }
    ++count;
    if (comma == std::string_view::npos) break;
    accept.remove_prefix(comma + 1);
  }
  add_identity(accepted, count);
  return rank_encodings(std::move(accepted), &offers, &preferred);
}

std::vector<std::string> languages(std::optional<std::string_view> accept, const std::vector<std::string>* offers) {
  std::vector<LanguageRange> accepted;
  int i = 0;
  for (const auto& item : parse_list(accept ? *accept : "*"))
    if (auto r = language_range(item, i++)) accepted.push_back(std::move(*r));
  if (!offers) {
    std::vector<Spec> specs;
    for (const auto& r : accepted) {
      Spec s;
      s.i = r.i;
      s.o = 0;
      s.q = r.q;
      s.name = r.full;
      specs.push_back(std::move(s));
    }
    return listed(specs);
  }
  return offered(*offers, accepted.size(), [&](const std::string& offer, std::size_t k) {
    return specify_language(offer, accepted[k]);
  });
}

std::optional<std::string> best_type(std::optional<std::string_view> accept, const std::vector<std::string>& types) {
  if (types.empty()) return std::nullopt;
  if (!accept || accept->empty()) return types.front();
  // Names without '/' are extensions (mime-types' lookup); unknown ones are left out.
  std::vector<std::string> mimes, valid;
  for (const auto& t : types) {
    mimes.push_back(t.find('/') == std::string::npos ? std::string(mime_type(t)) : t);
    if (!mimes.back().empty()) valid.push_back(mimes.back());
  }
  auto ranked_types = media_types(accept, &valid);
  if (ranked_types.empty()) return std::nullopt;
  auto it = std::find(mimes.begin(), mimes.end(), ranked_types.front());
  return types[static_cast<std::size_t>(it - mimes.begin())];
}

}  // namespace cortado::negotiation
