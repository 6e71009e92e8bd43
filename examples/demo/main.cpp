// The demo site: what sessions are for, in a browser. Sign up and log in (argon2id, session
// regenerated on login, CSRF tokens, throttling), a cart and preferences kept in the session,
// "Your sessions" with log-out-everywhere, and an inspector that shows the session's cookie and
// stored JSON.
//
//   demo [--store memory|sqlite:PATH|redis://...|postgres://...] [--port N] [--users PATH] [--views DIR]
//        [--tls-cert PATH --tls-key PATH]   (HTTPS; scripts/make-cert.sh makes a local pair)
//
// The pages are Mustache views (views/*.mustache, res.render). The demo finds them beside its
// program: demo-views/ in the build tree (a link to examples/demo/views, so an edited template
// shows on the next request in development), ../share/cortado/demo/views once installed
// (cmake --install BUILD --component demo), or wherever --views says.
//
// Sessions live in the store (default sqlite:./demo-sessions.db, so the cart survives a
// restart), each bound to its user (the store's owner index lists a user's sessions); accounts
// live in the demo's own SQLite file (default ./demo-users.db), whatever the store.
#include "../session-lab/stores.hpp"  // the same --store forms as session-lab
#include "live.hpp"
#include "pages.hpp"
#include "passwords.hpp"
#include "site.hpp"
#include "users_db.hpp"

#include <cortado/cortado.hpp>

#include <charconv>
#include <filesystem>
#include <iostream>

using namespace cortado;

namespace {

struct Flags {
  std::string store = "sqlite:./demo-sessions.db";
  std::string users = "./demo-users.db";
  std::uint16_t port = 3000;
  http::TlsOptions tls;  // both files given: HTTPS
  std::string views;  // found beside the program unless given
};

// The views beside the program, in the build tree or installed (see the top of this file).
std::string find_views(const std::string& given) {
  namespace fs = std::filesystem;
  if (!given.empty()) {
    if (!fs::is_directory(given)) throw std::invalid_argument("--views: no such folder: " + given);
    return fs::absolute(given).lexically_normal().string();
  }
  std::error_code ec;
  fs::path program = fs::canonical("/proc/self/exe", ec);
  for (const fs::path& candidate : {program.parent_path() / "demo-views",
                                    program.parent_path() / ".." / "share" / "cortado" / "demo" / "views"})
    if (fs::is_regular_file(candidate / "layout.mustache", ec)) return candidate.lexically_normal().string();
  throw std::invalid_argument("cannot find the demo's views beside " + program.string() + " (give --views DIR)");
}

Flags parse_flags(int argc, char** argv) {
  Flags flags;
  for (int i = 1; i < argc; ++i) {
    std::string_view arg = argv[i];
    std::string value;
    auto take = [&](std::string_view name) {
      if (arg == name) {
        if (i + 1 >= argc) throw std::invalid_argument(std::string(name) + " needs a value");
        value = argv[++i];
        return true;
      }
      if (arg.starts_with(name) && arg.size() > name.size() && arg[name.size()] == '=') {
        value = arg.substr(name.size() + 1);
        return true;
      }
      return false;
    };
    if (take("--store")) {
      flags.store = value;
    } else if (take("--users")) {
      flags.users = value;
    } else if (take("--views")) {
      flags.views = value;
    } else if (take("--port")) {
      unsigned port = 0;
      auto [end, error] = std::from_chars(value.data(), value.data() + value.size(), port);
      if (error != std::errc() || end != value.data() + value.size() || port > 65535)
        throw std::invalid_argument("--port must be a number from 0 to 65535");
      flags.port = static_cast<std::uint16_t>(port);
    } else if (take("--tls-cert")) {
      flags.tls.cert_chain_file = value;
    } else if (take("--tls-key")) {
      flags.tls.key_file = value;
    } else if (arg == "--help" || arg == "-h") {
      std::cout << "usage: demo [--store memory|sqlite:PATH|redis://...|postgres://...] [--port N] [--users PATH]"
                   " [--views DIR] [--tls-cert PATH --tls-key PATH]\n";
      std::exit(0);
    } else {
      throw std::invalid_argument("unknown argument '" + std::string(arg) + "' (try --help)");
    }
  }
  if (flags.tls.cert_chain_file.empty() != flags.tls.key_file.empty())
    throw std::invalid_argument("--tls-cert and --tls-key go together");
  return flags;
}

}  // namespace

int main(int argc, char** argv) {
  // A week: the cookie's lifetime.
  constexpr auto session_lifetime = std::chrono::milliseconds(std::chrono::hours(24 * 7));
  Flags flags;
  std::unique_ptr<demo::UsersDb> users;
  demo::Site site;
  try {
    flags = parse_flags(argc, argv);
    flags.views = find_views(flags.views);
    demo::init_passwords();
    users = std::make_unique<demo::UsersDb>(flags.users);
    site.users = users.get();
    site.store = open_lab_store(flags.store);
    site.cookie_name = "connect.sid";  // express-session's default: Node apps sharing the store read it too
    // Kept in the users file so that cookies stay valid across restarts. To rotate, put the new
    // secret first and keep the old one after it: the first signs, all of them verify.
    site.secrets = {users->session_secret()};
  } catch (const std::exception& e) {
    std::cerr << "demo: " << e.what() << std::endl;
    return 2;
  }

  App app;
  app.set("views", flags.views);
  app.set("view engine", "mustache");  // the built-in engine, as mustache-express
  app.set("layout", "layout");         // every page is rendered into views/layout.mustache as {{{yield}}}
  // A request log (morgan's dev: coloured on a terminal) and Prometheus metrics at /metrics.
  app.use(logger("dev"));
  app.use(metrics());
  app.get("/metrics", metrics_endpoint());
  // The stylesheet and the favicon come before the session middleware: no session for them.
  app.get("/style.css", [](Request&, Response& res) {
    res.set("Cache-Control", "public, max-age=3600");
    res.type("css").send(demo::stylesheet());
  });
  // The live pages' script (live.hpp), before the session middleware too.
  app.get("/live.js", [](Request&, Response& res) {
    res.set("Cache-Control", "public, max-age=3600");
    res.type("js").send(demo::live_script());
  });
  app.get("/favicon.ico", [](Request&, Response& res) { res.status(204).end(); });
  app.use(body_parser::urlencoded());
  app.use(session({.secret = site.secrets,
                   .name = site.cookie_name,
                   .resave = false,              // only write sessions that changed (or touch them)
                   .save_uninitialized = false,  // no store row for a visitor until something is kept
                   .store = site.store,
                   .cookie = {.max_age = session_lifetime, .same_site = std::string("lax")},
                   // cookie.secure "auto": Secure over HTTPS, so the browser never sends it in the clear.
                   .secure_auto = true}));
  demo::add_live_routes(app);  // before the routes whose changes it pushes to the other pages
  demo::add_account_routes(app, site);  // first: keeps logins valid and checks CSRF tokens
  demo::add_shop_routes(app, site);
  demo::add_sessions_routes(app, site);
  demo::add_inspector_routes(app, site);
  demo::add_site_routes(app, site);  // last: preferences, then 404 and the error page

  std::cerr << "demo: sessions in " << site.store->describe() << ", accounts in " << flags.users << std::endl;
  try {
    if (!flags.tls.cert_chain_file.empty())  // a bad certificate or key: one line, exit code 1
      app.listen_tls(flags.port, flags.tls, "127.0.0.1",
                     [](std::uint16_t port) { std::cout << "https://127.0.0.1:" << port << std::endl; });
    else
      app.listen(flags.port, "127.0.0.1",
                 [](std::uint16_t port) { std::cout << "http://127.0.0.1:" << port << std::endl; });
  } catch (const std::exception& e) {
    std::cerr << "demo: " << e.what() << std::endl;
    return 2;
  }
  return 0;
}
