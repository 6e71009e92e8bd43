#pragma once
/// What Session::get<T>() uses to say where a stored value does not fit T: the same walk that
/// Boost.JSON's value_to makes (described classes, maps, sequences, optionals), stopping at the
/// first member, key or item that does not convert.

#include "cortado/core/json.hpp"

#include <boost/describe/members.hpp>
#include <boost/json/value.hpp>
#include <boost/json/value_to.hpp>
#include <boost/mp11/algorithm.hpp>
#include <boost/system/system_error.hpp>

#include <new>
#include <optional>
#include <string>
#include <string_view>
#include <type_traits>
#include <utility>

namespace cortado::detail {

template <class T>
struct is_std_optional : std::false_type {};
template <class T>
struct is_std_optional<std::optional<T>> : std::true_type {};

/// Where a value does not fit (".lines[0].quantity", "" for the value itself), why, and the
/// value found there (null when a member is missing).
struct Misfit {
  std::string path;
  std::string reason;
  const json::value* found = nullptr;
};

/// Why value_to<T>(v) fails, or nullopt when it would succeed or the walk cannot tell (a type
/// with its own tag_invoke, a fixed-size array: then the conversion's own message is used).
template <class T>
std::optional<Misfit> misfit(const json::value& v) {
  using U = std::remove_cvref_t<T>;
  using Impl = json::detail::value_to_implementation<U>;
  if constexpr (is_std_optional<U>::value) {
    if (v.is_null()) return std::nullopt;
    return misfit<typename U::value_type>(v);
  } else if constexpr (std::is_same_v<Impl, json::detail::described_class_conversion_tag>) {
    const json::object* object = v.if_object();
    if (!object) return Misfit{"", "not an object", &v};
    using Members = boost::describe::describe_members<U, boost::describe::mod_public | boost::describe::mod_inherited>;
    std::optional<Misfit> found;
    boost::mp11::mp_for_each<Members>([&](auto member) {
      if (found) return;
      const json::value* item = object->if_contains(member.name);
      if (!item) {
        found = Misfit{std::string(".") + member.name, "missing", nullptr};
        return;
      }
      using M = std::remove_cvref_t<decltype(std::declval<U&>().*member.pointer)>;
      if (auto inner = misfit<M>(*item)) {
        inner->path.insert(0, std::string(".") + member.name);
        found = std::move(inner);
      }
    });
    if (found) return found;
    for (const auto& entry : *object) {  // Boost.JSON refuses keys the type does not have
      const std::string_view key = entry.key();
      bool known = false;
      boost::mp11::mp_for_each<Members>([&](auto member) { known = known || key == member.name; });
      if (!known) return Misfit{"." + std::string(key), "not a member of the type", &entry.value()};
    }
    return std::nullopt;
  } else if constexpr (std::is_same_v<Impl, json::detail::map_like_conversion_tag>) {
    const json::object* object = v.if_object();
    if (!object) return Misfit{"", "not an object", &v};
    for (const auto& [key, item] : *object)
      if (auto inner = misfit<typename U::mapped_type>(item)) {
        inner->path.insert(0, "." + std::string(key));
        return inner;
      }
    return std::nullopt;
  } else if constexpr (std::is_same_v<Impl, json::detail::sequence_conversion_tag>) {
    const json::array* array = v.if_array();
    if (!array) return Misfit{"", "not an array", &v};
    for (std::size_t i = 0; i < array->size(); ++i)
      if (auto inner = misfit<typename U::value_type>((*array)[i])) {
        inner->path.insert(0, "[" + std::to_string(i) + "]");
        return inner;
      }
    return std::nullopt;
  } else {
    try {
      (void)json::value_to<U>(v);
      return std::nullopt;
    } catch (const std::bad_alloc&) {
      throw;
    } catch (const boost::system::system_error& e) {
      return Misfit{"", e.code().message(), &v};
    } catch (const std::exception& e) {
      return Misfit{"", e.what(), &v};
    }
  }
}

}  // namespace cortado::detail
