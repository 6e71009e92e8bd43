#pragma once
// scan_field: a header field found by its code in a walk of the fields in arrival order.

#include "cortado/http/fields.hpp"

#include <boost/beast/http/field.hpp>

#include <string_view>

namespace cortado::http {

/// What a walk found: the first value of the field, whether there was one, whether another came.
struct FieldScan {
  std::string_view value;
  bool found = false;
  bool repeated = false;
};

/// The field `name` (a known field, not field::unknown) in `fields`. Beast's find() and
/// operator[] look a name up in their tree by case-insensitive string comparisons, even given the
/// field's code; comparing codes along the list is cheaper for the dozen fields a request or a
/// response holds (a third of a hello response's lookups' cost).
inline FieldScan scan_field(const Fields& fields, boost::beast::http::field name) {
  FieldScan scan;
  for (const auto& entry : fields) {
    if (entry.name() != name) continue;
    if (scan.found) {
      scan.repeated = true;
      break;
    }
    scan.value = entry.value();
    scan.found = true;
  }
  return scan;
}

}  // namespace cortado::http
