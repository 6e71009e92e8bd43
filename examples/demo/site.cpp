#include "site.hpp"

#include "i18n.hpp"

#include <boost/json/array.hpp>
#include <boost/json/object.hpp>

namespace demo {

namespace json = boost::json;

std::optional<User> current_user(const cortado::Session& session) {
  const auto& user = session.get("user");
  // Whatever the store hands back is checked before use: another app sharing the store, or an
  // older version of this one, may have written something else there.
  if (!user.is_object()) return std::nullopt;
  const auto* id = user.get_object().if_contains("id");
  const auto* name = user.get_object().if_contains("name");
  if (!id || !id->is_int64() || !name || !name->is_string()) return std::nullopt;
  return User{id->get_int64(), std::string(name->get_string())};
}

void set_user(cortado::Session& session, const User& user) {
  session["user"] = json::object{{"id", user.id}, {"name", user.name}};
}

std::string theme_of(const cortado::Session& session) {
  const auto& theme = session.get("theme");
  return theme.is_string() && theme.get_string() == "dark" ? "dark" : "light";
}

std::string lang_of(const cortado::Session& session) {
  const auto& lang = session.get("lang");
  return std::string(known_language(lang.is_string() ? std::string_view(lang.get_string()) : ""));
}

std::string form_field(const cortado::Request& req, std::string_view name) {
  if (!req.body().is_object()) return {};
  const auto* value = req.body().get_object().if_contains(name);
  return value && value->is_string() ? std::string(value->get_string()) : std::string();
}

void flash(cortado::Session& session, std::string_view kind, std::string text) {
  auto& queue = session["flash"];
  if (!queue.is_array()) queue = json::array();
  queue.get_array().push_back(json::object{{"kind", kind}, {"text", text}});
}

}  // namespace demo
