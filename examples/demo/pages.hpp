#pragma once
// Pages: the layout every page shares (nav, flash messages, theme, language) and the small
// helpers the route files build their HTML with. Everything dynamic goes through h().

#include "site.hpp"

#include <cortado/app/request.hpp>
#include <cortado/app/response.hpp>

#include <boost/json/array.hpp>

#include <initializer_list>
#include <optional>
#include <string>
#include <string_view>
#include <utility>

namespace demo {

/// HTML-escapes text (& < > " ').
std::string h(std::string_view text);

/// What the layout needs to know about this visitor, read from the session once per page.
struct Page {
  std::string lang = "en";
  std::string theme = "light";
  std::string csrf;
  std::optional<User> user;
  long cart_count = 0;
  long views = 0;
  boost::json::array flashes;  // [{kind, text}], taken out of the session
  std::string store;           // which store holds the session
  std::string path;            // the current path, to mark the nav link

  /// t(lang, key), HTML-escaped.
  std::string tr(std::string_view key) const;
  /// t(lang, key, arg), HTML-escaped.
  std::string tr(std::string_view key, std::string_view arg) const;
};

/// Reads the session for the layout: counts a GET as a page view (unless told not to: error
/// pages), makes the CSRF token if missing, and takes the flash messages (they are shown once).
Page page_for(cortado::Request& req, bool count_view = true);

/// Sends the full page: layout around `body` (already HTML), with headers that keep it out of
/// caches (it shows session data) and a CSP that allows no script at all.
void render(cortado::Response& res, const Page& page, std::string_view title, std::string_view body,
            unsigned status = 200);

/// The hidden `_csrf` field every form carries.
std::string csrf_field(const Page& page);

/// A one-button POST form (the only way to change state without JavaScript); `fields` are
/// extra hidden name/value pairs.
std::string post_button(const Page& page, std::string_view action, std::string_view label,
                        std::initializer_list<std::pair<std::string_view, std::string_view>> fields = {},
                        std::string_view button_class = "");

/// The stylesheet (served at /style.css).
std::string_view stylesheet();

/// "2025-01-31 17:04:05 UTC" for milliseconds since the epoch.
std::string format_time(std::int64_t ms);

}  // namespace demo
