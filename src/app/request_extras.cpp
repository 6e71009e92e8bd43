// Express's req.fresh, stale, xhr, ips, subdomains and range.
#include "cortado/app/request.hpp"

#include "app/freshness.hpp"
#include "cortado/app/response.hpp"

#include <boost/asio/ip/address.hpp>
#include <boost/beast/core/string.hpp>

#include <algorithm>
#include <stdexcept>

namespace cortado {

bool Request::fresh() const {
  if (!res_) throw std::logic_error("req.fresh() outside an App");
  return is_fresh(*this, *res_);
}

bool Request::xhr() const { return boost::beast::iequals(get("x-requested-with"), "xmlhttprequest"); }

std::vector<std::string> Request::ips() const {
  std::vector<std::string> out;
  if (!settings_.trust_proxy) return out;
  // The forwarded package: entries split on ',', spaces (only) trimmed, empty ones skipped.
  std::string_view header = get("x-forwarded-for");
  while (!header.empty()) {
    auto comma = header.find(',');
    std::string_view item = header.substr(0, comma);
    while (!item.empty() && item.front() == ' ') item.remove_prefix(1);
    while (!item.empty() && item.back() == ' ') item.remove_suffix(1);
    if (!item.empty()) out.emplace_back(item);
    if (comma == std::string_view::npos) break;
    header.remove_prefix(comma + 1);
  }
  return out;
}

std::vector<std::string> Request::subdomains() const {
  std::string host = hostname();
  if (host.empty()) return {};
  std::vector<std::string> labels;
  boost::system::error_code ec;
  boost::asio::ip::make_address(host, ec);
  if (!ec) {
    labels.push_back(host);  // net.isIP: an address is one label
  } else {
    std::string_view rest = host;
    for (;;) {
      auto dot = rest.find('.');
      labels.emplace_back(rest.substr(0, dot));
      if (dot == std::string_view::npos) break;
      rest.remove_prefix(dot + 1);
    }
    std::reverse(labels.begin(), labels.end());
  }
  // Array.prototype.slice(offset): a negative offset counts from the end.
  auto n = static_cast<long>(labels.size());
  long from = settings_.subdomain_offset < 0 ? std::max(0L, n + settings_.subdomain_offset)
                                             : std::min<long>(n, settings_.subdomain_offset);
  return {labels.begin() + from, labels.end()};
}

std::optional<ByteRanges> Request::range(std::uint64_t size, bool combine) const {
  auto header = get("range");
  if (header.empty()) return std::nullopt;
  return parse_range(size, header, combine);
}

}  // namespace cortado
