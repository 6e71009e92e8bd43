#pragma once
// The demo's words in each language it offers. The chosen language is a session preference,
// so every page is rendered in it, logged in or not.

#include <boost/json/object.hpp>

#include <span>
#include <string>
#include <string_view>

namespace demo {

/// A language the preferences page offers.
struct Language {
  std::string_view code;  // what <html lang> and the session hold
  std::string_view name;  // in its own language, for the picker
};

/// Every language on offer; the first is the default.
std::span<const Language> languages();

/// `code` when it is on offer, else the default language's code.
std::string_view known_language(std::string_view code);

/// The text of `key` in `lang`; the key itself when it has no translation (easy to spot).
std::string_view t(std::string_view lang, std::string_view key);

/// Every text of `lang` as the views read it: "nav.home" is {{t.nav.home}} (made once per language).
const boost::json::object& translations(std::string_view lang);

/// `t(lang, key)` with its "{}" replaced by `arg`; `arg` is text, escape it for HTML afterwards.
std::string t(std::string_view lang, std::string_view key, std::string_view arg);

}  // namespace demo
