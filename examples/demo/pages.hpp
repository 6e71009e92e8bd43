#pragma once
// Pages: what the layout every page shares (views/layout.mustache: nav, flash messages, theme,
// language) reads of the session, and render(), which puts a view of views/ inside it. The
// templates escape everything they show ({{name}}); nothing here writes HTML.

#include "site.hpp"

#include <cortado/app/request.hpp>
#include <cortado/app/response.hpp>

#include <boost/json/array.hpp>
#include <boost/json/object.hpp>

#include <optional>
#include <string>
#include <string_view>

namespace demo {

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

};

/// Reads the session for the layout: counts a GET as a page view (unless told not to: error
/// pages), makes the CSRF token if missing, and takes the flash messages (they are shown once).
Page page_for(cortado::Request& req, bool count_view = true);

/// Sends view `view` (views/<view>.mustache) inside the layout, with the layout's data from
/// `page` ({{t.*}} the texts in the visitor's language, {{csrf}} for the forms'
/// partials/csrf) under `locals`, and headers that keep it out of caches (it shows session data)
/// and a CSP that allows no script at all.
void render(cortado::Response& res, const Page& page, std::string_view view, std::string_view title,
            boost::json::object locals = {}, unsigned status = 200);

/// The stylesheet (served at /style.css).
std::string_view stylesheet();

/// "2025-01-31 17:04:05 UTC" for milliseconds since the epoch.
std::string format_time(std::int64_t ms);

}  // namespace demo
