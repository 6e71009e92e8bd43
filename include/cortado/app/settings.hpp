#pragma once
/// Settings: the app-wide switches that Express keeps in app.set().

#include <string>
#include <vector>

namespace cortado {

/// What app.set() holds in Express, as plain fields.
struct Settings {
  /// "development" or "production"; from CORTADO_ENV, else NODE_ENV, else "development".
  /// In production, error pages show only the status text, never an exception's message.
  std::string env;
  /// Trust X-Forwarded-For / -Proto / -Host from the peer (Express's `trust proxy` = true).
  bool trust_proxy = false;
  /// Weak ETag on res.send()/res.json() bodies and 304 for a fresh GET, as Express does.
  bool etag = true;
  /// Route matching: "/Foo" matches "/foo" unless set (for the routes declared after it).
  bool case_sensitive_routing = false;
  /// Route matching: "/foo/" matches "/foo" unless set (for the routes declared after it).
  bool strict_routing = false;

  // Views (res.render) and the other req/res settings Express keeps in app.set().
  /// Where views are looked up, in order (`views`); default: the folder "views" of the working
  /// directory, made absolute when the settings are made, as Express does.
  std::vector<std::string> views{};
  /// The extension of view names given without one ("mustache" → ".mustache").
  std::string view_engine{};
  /// Keep the file found for each view name, and parsed templates (default: on in production).
  bool view_cache = false;
  /// mustache-express's `layout`: the view the rendered page is put into as {{{yield}}}.
  std::string layout{};
  /// The query parameter res.jsonp() reads the callback name from.
  std::string jsonp_callback_name = "callback";
  /// How many dot-separated parts at the end of the hostname are not subdomains.
  int subdomain_offset = 2;
};

/// The default settings, reading the environment as described on Settings::env.
Settings default_settings();

}  // namespace cortado
