// body_parser::urlencoded(): charset (UTF-8 or ISO-8859-1 escapes), gzip/deflate inflation, the
// limit, the 1000-parameter cap and the form rules (parse_form). See body_support.hpp for the
// input's layout.
#include "body_support.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  static auto app =
      fuzz::make_body_app([](cortado::body_parser::Options o) { return cortado::body_parser::urlencoded(o); });
  if (size == 0) return 0;
  auto req = fuzz::body_request(data[0], fuzz::as_text(data + 1, size - 1), "application/x-www-form-urlencoded");
  auto res = fuzz::run_body(*app, req);
  fuzz::check_answer(res);
  if (res.result_int() != 200) return 0;
  // A form is an object of strings and arrays of strings, without empty or "__proto__" keys.
  auto form = cortado::parse_json(res.body());
  if (!form.is_object()) fuzz::finding("a form that is not an object");
  for (const auto& [key, value] : form.get_object()) {
    if (key.empty() || key == "__proto__") fuzz::finding("a form key body-parser drops");
    if (!value.is_string() && !value.is_array()) fuzz::finding("a form value that is neither text nor a list");
  }
  return 0;
}
