// Express's view system (application.js's render, view.js's lookup) and mustache-express.
#include "cortado/app/views.hpp"

#include "app/view_state.hpp"
#include "cortado/app/app.hpp"
#include "cortado/app/mustache.hpp"
#include "cortado/app/request.hpp"
#include "cortado/app/response.hpp"

#include <boost/json/array.hpp>

#include <filesystem>
#include <fstream>
#include <map>
#include <memory>
#include <mutex>
#include <sstream>

namespace cortado {

namespace fs = std::filesystem;

namespace {

bool is_file(const fs::path& p) {
  std::error_code ec;
  return fs::is_regular_file(p, ec);
}

/// path.resolve(root, name): absolute and normalised; an absolute name stands alone.
fs::path resolve(std::string_view root, std::string_view name) {
  std::error_code ec;
  fs::path base = fs::absolute(fs::path(root), ec);
  return (base / fs::path(name)).lexically_normal();
}

/// path.extname: the last ".x" of the last segment, "" for ".hidden" or none.
std::string extname(std::string_view name) {
  auto slash = name.find_last_of('/');
  std::string_view base = slash == std::string_view::npos ? name : name.substr(slash + 1);
  auto dot = base.find_last_of('.');
  if (dot == std::string_view::npos || dot == 0) return {};
  return std::string(base.substr(dot));
}

std::string dotted(std::string_view ext) {
  std::string out;
  if (!ext.starts_with('.')) out += '.';
  out.append(ext);
  return out;
}

json::value settings_json(const Settings& s) {
  json::object o;
  o["env"] = s.env;
  o["etag"] = s.etag ? json::value("weak") : json::value(false);
  o["trust proxy"] = s.trust_proxy;
  o["subdomain offset"] = s.subdomain_offset;
  o["jsonp callback name"] = s.jsonp_callback_name;
  if (s.views.size() == 1)
    o["views"] = s.views.front();
  else
    o["views"] = json::value_from(s.views);
  if (!s.view_engine.empty()) o["view engine"] = s.view_engine;
  if (s.view_cache) o["view cache"] = true;
  if (!s.layout.empty()) o["layout"] = s.layout;
  return o;
}

// --- the built-in Mustache engine -------------------------------------------------------------

using TemplatePtr = std::shared_ptr<const mustache::Template>;

class MustacheFiles {
 public:
  TemplatePtr load(const std::string& file, bool cache) {
    if (cache) {
      std::lock_guard lock(mutex_);
      if (auto it = parsed_.find(file); it != parsed_.end()) return it->second;
    }
    std::ifstream in(file, std::ios::binary);
    std::stringstream text;
    if (in) text << in.rdbuf();
    if (!in || !is_file(file))
      throw ViewError("An error occurred while reading " + file + ":\nError: ENOENT: no such file or directory, open '" +
                      file + "'");
    TemplatePtr tpl;
    try {
      tpl = std::make_shared<const mustache::Template>(std::move(text).str());
    } catch (const mustache::TemplateError& e) {
      throw ViewError("An error occurred while rendering " + file + ":\nError: " + e.what());
    }
    if (cache) {
      std::lock_guard lock(mutex_);
      parsed_.emplace(file, tpl);
    }
    return tpl;
  }

 private:
  std::mutex mutex_;
  std::map<std::string, TemplatePtr, std::less<>> parsed_;
};

struct Loaded {
  TemplatePtr main;
  std::map<std::string, TemplatePtr, std::less<>> partials;
};

/// The template and every partial it refers to, however deep (mustache-express's
/// loadTemplateAndPartials): `dirs` are searched in order, the first holds the missing ones.
Loaded load_all(MustacheFiles& files, const std::string& file, const std::vector<std::string>& dirs,
                const std::string& ext, bool cache) {
  Loaded loaded{files.load(file, cache), {}};
  std::vector<std::string> pending = loaded.main->partial_names();
  while (!pending.empty()) {
    std::string name = std::move(pending.back());
    pending.pop_back();
    if (loaded.partials.contains(name)) continue;
    fs::path path = resolve(dirs.empty() ? "." : dirs.front(), name + ext);
    for (const auto& dir : dirs)
      if (auto candidate = resolve(dir, name + ext); is_file(candidate)) {
        path = candidate;
        break;
      }
    auto tpl = files.load(path.string(), cache);
    for (auto& more : tpl->partial_names()) pending.push_back(std::move(more));
    loaded.partials.emplace(std::move(name), std::move(tpl));
  }
  return loaded;
}

std::string render_loaded(const Loaded& loaded, const json::object& data) {
  mustache::Partials find = [&](std::string_view name) -> const mustache::Template* {
    auto it = loaded.partials.find(name);
    return it == loaded.partials.end() ? nullptr : it->second.get();
  };
  return loaded.main->render(data, find);
}

std::vector<std::string> views_of(const json::object& options) {
  std::vector<std::string> dirs;
  const auto* settings = options.if_contains("settings");
  const auto* views = settings && settings->is_object() ? settings->get_object().if_contains("views") : nullptr;
  if (views && views->is_string()) dirs.emplace_back(views->get_string());
  if (views && views->is_array())
    for (const auto& v : views->get_array())
      if (v.is_string()) dirs.emplace_back(v.get_string());
  return dirs;
}

std::string setting_text(const json::object& options, std::string_view key) {
  const auto* settings = options.if_contains("settings");
  const auto* v = settings && settings->is_object() ? settings->get_object().if_contains(key) : nullptr;
  return v && v->is_string() ? std::string(v->get_string()) : std::string();
}

}  // namespace

ViewEngine mustache_engine() {
  auto files = std::make_shared<MustacheFiles>();
  return [files](const std::string& path, const json::object& options) {
    auto dirs = views_of(options);
    // mustache-express takes "." + the view engine setting; the view's own extension is the
    // same in the usual case and also right for a view named with its extension.
    std::string ext = fs::path(path).extension().string();
    const auto* cache_option = options.if_contains("cache");
    bool cache = cache_option && cache_option->is_bool() && cache_option->get_bool();
    std::string page = render_loaded(load_all(*files, path, dirs, ext, cache), options);
    std::string layout = setting_text(options, "layout");
    if (layout.empty()) return page;
    // extend({yield: page}, options): the page is {{{yield}}}, unless the options have a yield.
    json::object with_yield;
    with_yield["yield"] = std::move(page);
    for (const auto& [k, v] : options) with_yield[k] = v;
    auto layout_file = resolve(dirs.empty() ? "." : dirs.front(), layout + ext).string();
    return render_loaded(load_all(*files, layout_file, dirs, ext, cache), with_yield);
  };
}

std::string lookup_view(std::string_view name, const std::vector<std::string>& roots, std::string_view ext) {
  std::string file_name(name);
  if (extname(name).empty()) file_name += ext;
  for (const auto& root : roots) {
    fs::path loc = resolve(root, file_name);
    if (is_file(loc)) return loc.string();
    // <path>/index.<ext>
    std::string stem = loc.filename().string();
    if (stem.size() > ext.size() && stem.ends_with(ext)) stem.resize(stem.size() - ext.size());
    fs::path index = loc.parent_path() / stem / ("index" + std::string(ext));
    if (is_file(index)) return index.string();
  }
  return {};
}

// --- App and Response ---------------------------------------------------------------------------

App& App::engine(std::string_view ext, ViewEngine fn) {
  views_->engines[dotted(ext)] = std::move(fn);
  return *this;
}

json::object& App::locals() { return views_->locals; }

std::string App::render(std::string_view name, const json::object& locals) const {
  return render(name, locals, nullptr);
}

std::string App::render(std::string_view name, const json::object& locals, const json::object* res_locals) const {
  const Settings& s = *settings_;
  // { ...app.locals, ...res.locals, ...locals }, with app.locals.settings first as in Express.
  json::object options;
  options["settings"] = settings_json(s);
  for (const auto& [k, v] : views_->locals) options[k] = v;
  if (res_locals) {
    for (const auto& [k, v] : *res_locals) options[k] = v;
    options["_locals"] = *res_locals;
  }
  for (const auto& [k, v] : locals) options[k] = v;
  if (!options.contains("cache") || options.at("cache").is_null()) options["cache"] = s.view_cache;
  const bool cache = options.at("cache").is_bool() ? options.at("cache").get_bool() : true;

  // new View(): the extension and its engine first, then the file.
  std::string ext = extname(name);
  if (ext.empty()) {
    if (s.view_engine.empty()) throw ViewError("No default engine was specified and no extension was provided.");
    ext = dotted(s.view_engine);
  }
  const ViewEngine* engine = nullptr;
  if (auto it = views_->engines.find(ext); it != views_->engines.end()) engine = &it->second;
  static const ViewEngine built_in = mustache_engine();
  if (!engine && ext == ".mustache") engine = &built_in;
  if (!engine)
    throw ViewError("No view engine for \"" + ext + "\": register one with app.engine(\"" + ext.substr(1) + "\", fn)");

  std::string path;
  if (cache) {
    std::lock_guard lock(views_->mutex);
    if (auto it = views_->found.find(std::string(name)); it != views_->found.end()) path = it->second;
  }
  if (path.empty()) {
    path = lookup_view(name, s.views, ext);
    if (path.empty()) {
      std::string dirs;
      if (s.views.size() > 1) {
        dirs = "directories \"";
        for (std::size_t i = 0; i + 1 < s.views.size(); ++i) dirs += (i ? "\", \"" : "") + s.views[i];
        dirs += "\" or \"" + s.views.back() + "\"";
      } else {
        dirs = "directory \"" + (s.views.empty() ? std::string() : s.views.front()) + "\"";
      }
      throw ViewError("Failed to lookup view \"" + std::string(name) + "\" in views " + dirs);
    }
    if (cache) {
      std::lock_guard lock(views_->mutex);
      views_->found.emplace(std::string(name), path);
    }
  }
  return (*engine)(path, options);
}

App& Request::app() const {
  if (!app_) throw std::logic_error("req.app() outside an App");
  return *app_;
}

void Response::render(std::string_view view, const json::object& locals) {
  send(req_.app().render(view, locals, &locals_));
}

void Response::render(std::string_view view, const json::object& locals,
                      const std::function<void(std::exception_ptr, std::string)>& done) {
  std::string text;
  try {
    text = req_.app().render(view, locals, &locals_);
  } catch (...) {
    return done(std::current_exception(), {});
  }
  done(nullptr, std::move(text));
}

}  // namespace cortado
