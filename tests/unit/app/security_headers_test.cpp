// security_headers()'s checks, made when the middleware is made: the values helmet 8 refuses
// with an error are refused here with std::invalid_argument.

#include "cortado/app/security_headers.hpp"

#include <gtest/gtest.h>

#include <stdexcept>

namespace cortado {
namespace {

using Values = std::vector<std::string>;

SecurityHeadersOptions with_directives(ContentSecurityPolicyOptions csp) {
  SecurityHeadersOptions o;
  o.content_security_policy = std::move(csp);
  return o;
}

TEST(SecurityHeaders, AcceptsHelmetsDefaultsAndEveryHeaderOff) {
  EXPECT_NO_THROW(security_headers());
  SecurityHeadersOptions none;
  none.content_security_policy.reset();
  none.cross_origin_opener_policy.reset();
  none.cross_origin_resource_policy.reset();
  none.origin_agent_cluster = false;
  none.referrer_policy.reset();
  none.strict_transport_security.reset();
  none.x_content_type_options = false;
  none.x_dns_prefetch_control_allow.reset();
  none.x_download_options = false;
  none.x_frame_options.reset();
  none.x_permitted_cross_domain_policies.reset();
  none.x_xss_protection = false;
  EXPECT_NO_THROW(security_headers(none));
}

TEST(SecurityHeaders, RefusesWhatHelmetRefuses) {
  // Unquoted keywords, separators inside a value, bad or repeated names, no default-src.
  EXPECT_THROW(security_headers(with_directives({.directives = {{"script-src", Values{"self"}}}})), std::invalid_argument);
  EXPECT_THROW(security_headers(with_directives({.directives = {{"script-src", Values{"nonce-abc"}}}})), std::invalid_argument);
  EXPECT_THROW(security_headers(with_directives({.directives = {{"img-src", Values{"a; b"}}}})), std::invalid_argument);
  EXPECT_THROW(security_headers(with_directives({.directives = {{"img src", Values{}}}})), std::invalid_argument);
  EXPECT_THROW(security_headers(with_directives({.directives = {{"imgSrc", Values{}}, {"img-src", Values{}}}})),
               std::invalid_argument);
  EXPECT_THROW(security_headers(with_directives({.directives = {{"img-src", Values{}}}, .use_defaults = false})),
               std::invalid_argument);
  // Removing default-src on purpose is allowed (helmet's dangerouslyDisableDefaultSrc).
  EXPECT_NO_THROW(security_headers(with_directives({.directives = {{"default-src", std::nullopt}}})));
  // A dynamic source needs its directive in the policy.
  ContentSecurityPolicyOptions nonce{.dynamic_sources = {{"connect-src", [](const Request&, Response&) { return "x"; }}}};
  EXPECT_THROW(security_headers(with_directives(nonce)), std::invalid_argument);
  nonce.dynamic_sources.front().first = "scriptSrc";
  EXPECT_NO_THROW(security_headers(with_directives(nonce)));
  SecurityHeadersOptions o;
  o.referrer_policy = Values{"origin", "origin"};
  EXPECT_THROW(security_headers(o), std::invalid_argument);
  o.referrer_policy = Values{};
  EXPECT_THROW(security_headers(o), std::invalid_argument);
  o = {};
  o.cross_origin_opener_policy = "same-site";
  EXPECT_THROW(security_headers(o), std::invalid_argument);
  o = {};
  o.x_frame_options = "same-origin";  // helmet's alias for SAMEORIGIN
  EXPECT_NO_THROW(security_headers(o));
}

}  // namespace
}  // namespace cortado
