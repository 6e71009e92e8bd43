#pragma once
/// Settings: the app-wide switches that Express keeps in app.set().

#include <string>

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
};

/// The default settings, reading the environment as described on Settings::env.
Settings default_settings();

}  // namespace cortado
