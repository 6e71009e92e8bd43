// serve_static's precompressed siblings: "app.js.br" and "app.js.gz" beside "app.js", chosen
// by Accept-Encoding with the rules compression() uses, so that a build step's compressed
// files go out without compressing on every request.

#include "app/access.hpp"
#include "app/file_path.hpp"
#include "app/negotiator.hpp"
#include "cortado/app/request.hpp"
#include "cortado/app/response.hpp"

#include <array>

namespace cortado::detail {

bool send_precompressed(Response& res, const FileInfo& file, const SendFileOptions& options, bool etag) {
  struct Sibling {
    std::string coding;
    FileInfo file;
  };
  static constexpr std::array<std::pair<const char*, const char*>, 2> kinds = {{{"br", ".br"}, {"gzip", ".gz"}}};
  std::vector<Sibling> siblings;
  std::vector<std::string> offers;
  for (const auto& [coding, suffix] : kinds) {
    // locate_file checks the sibling as it checked the file: a regular file inside the root.
    auto found = locate_file(file.path + suffix, false, "", options.root);
    if (found.status || found.directory) continue;
    siblings.push_back({coding, found.file});
    offers.emplace_back(coding);
  }
  if (siblings.empty()) return false;
  // What is sent now depends on Accept-Encoding, whichever is chosen.
  res.vary("Accept-Encoding");
  offers.emplace_back("identity");
  static const std::vector<std::string> preferred = {"br", "gzip"};
  const Request& req = res.request();
  std::optional<std::string_view> accept;
  if (req.has_header("accept-encoding")) accept = req.get("accept-encoding");
  auto ranked = negotiation::encodings(accept, &offers, &preferred);
  if (ranked.empty() || ranked.front() == "identity") return false;
  for (const auto& sibling : siblings) {
    if (sibling.coding != ranked.front()) continue;
    auto& raw = AppAccess::raw(res);
    if (res.get("content-type").empty()) raw.set(boost::beast::http::field::content_type, content_type_of_file(file.path));
    res.set("Content-Encoding", sibling.coding);
    send_found_file(res, sibling.file, options, etag);
    return true;
  }
  return false;
}

}  // namespace cortado::detail
