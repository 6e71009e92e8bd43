// body_parser::json(): charset check, gzip/deflate inflation, the limit, the byte-order mark,
// JSON.parse's rules (parse_json) and strict mode. See body_support.hpp for the input's layout.
#include "body_support.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  static auto app = fuzz::make_body_app([](cortado::body_parser::Options o) { return cortado::body_parser::json(o); });
  if (size == 0) return 0;
  auto req = fuzz::body_request(data[0], fuzz::as_text(data + 1, size - 1), "application/json");
  auto res = fuzz::run_body(*app, req);
  fuzz::check_answer(res);
  // strict mode: only an object or an array gets through.
  bool container = res.body().starts_with('{') || res.body().starts_with('[');
  if (res.result_int() == 200 && req.target() != "/loose" && !container)
    fuzz::finding("strict json() accepted a body that is neither an object nor an array");
  return 0;
}
