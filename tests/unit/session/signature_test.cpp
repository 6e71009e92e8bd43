#include "cortado/session/signature.hpp"
#include "session/signer.hpp"

#include <gtest/gtest.h>

#include <string>
#include <vector>

namespace cortado {
namespace {

// Expected values below were produced with Node v20 and cookie-signature 1.0.7 (as installed
// by `npm install express-session@1.19.0`): require('cookie-signature').sign(value, secret).
constexpr const char* node_sid = "xV9pBbEHHmXNo3zHH_wQ1k1jFkKzZhUk";

TEST(Signature, MatchesCookieSignatureKnownVector) {
  // The vector from cookie-signature's own README and tests.
  EXPECT_EQ(sign("hello", "tobiiscool"), "hello.DGDUkGlIkCzPz+C0B064FNgHdEjox7ch8tOBGslZ5QI");
}

TEST(Signature, MatchesNodeForOtherInputs) {
  EXPECT_EQ(sign("abcdefghijklmnopqrstuvwxyz012345", "keyboard cat"),
            "abcdefghijklmnopqrstuvwxyz012345.2T3g1YIBqofc0ViEUEt59cUq+a6Wlfi59xfb4RQsxSQ");
  EXPECT_EQ(sign("", ""), ".thNnmggU2ex3L5XXeMNfxf8Wl8STcVZTxscSFEKSxa0");
  EXPECT_EQ(sign("a.b", "secret"), "a.b.sbh7+OGGafGEtAYeHeo5APUejXcSJjSgpMkJURRbDuA");
  // UTF-8 value and secret: Node hashes the UTF-8 bytes of both strings.
  EXPECT_EQ(sign("h\xC3\xA9llo",
                 "s\xC3\xA9"
                 "cret"),
            "h\xC3\xA9llo.BUzCvwWlVt9eogu+Wsll5Dn+mflyOf7kCGwDmmNzV2M");
}

TEST(Signature, UnsignReturnsTheValue) {
  const std::vector<std::string> secrets{"tobiiscool"};
  EXPECT_EQ(unsign("hello.DGDUkGlIkCzPz+C0B064FNgHdEjox7ch8tOBGslZ5QI", secrets), "hello");
}

TEST(Signature, UnsignSplitsAtTheLastDot) {
  const std::vector<std::string> secrets{"secret"};
  EXPECT_EQ(unsign("a.b.sbh7+OGGafGEtAYeHeo5APUejXcSJjSgpMkJURRbDuA", secrets), "a.b");
}

TEST(Signature, UnsignRejectsTampering) {
  const std::vector<std::string> secrets{"tobiiscool"};
  const std::string good = "hello.DGDUkGlIkCzPz+C0B064FNgHdEjox7ch8tOBGslZ5QI";
  std::string changed_mac = good;
  changed_mac.back() = 'J';
  EXPECT_FALSE(unsign(changed_mac, secrets));
  std::string changed_value = good;
  changed_value[0] = 'j';
  EXPECT_FALSE(unsign(changed_value, secrets));
  EXPECT_FALSE(unsign(good.substr(0, good.size() - 1), secrets));  // truncated
  EXPECT_FALSE(unsign(good + "x", secrets));                       // trailing garbage
  EXPECT_FALSE(unsign(good + "=", secrets));                       // padding put back
  EXPECT_FALSE(unsign("hello", secrets));                          // no dot at all
  EXPECT_FALSE(unsign("", secrets));
  EXPECT_FALSE(unsign("hello.", secrets));
}

TEST(Signature, UnsignRejectsWrongSecretAndNoSecrets) {
  const std::vector<std::string> wrong{"tobiisnotcool"};
  EXPECT_FALSE(unsign("hello.DGDUkGlIkCzPz+C0B064FNgHdEjox7ch8tOBGslZ5QI", wrong));
  EXPECT_FALSE(unsign("hello.DGDUkGlIkCzPz+C0B064FNgHdEjox7ch8tOBGslZ5QI", std::vector<std::string>{}));
}

TEST(Signature, AnyListedSecretVerifies) {
  // Rotation: the new secret signs, the old one still verifies cookies issued before.
  const std::vector<std::string> secrets{"new secret", "old secret"};
  // Node: 's:' + sign(node_sid, 'old secret').
  const std::string issued_before = "s:xV9pBbEHHmXNo3zHH_wQ1k1jFkKzZhUk.FB+dIfZ5UTw0QUyfLUG9LTs+IrjNah7c48vFk8tDNho";
  EXPECT_EQ(unsign_cookie(issued_before, secrets), node_sid);
  EXPECT_EQ(unsign_cookie(sign_cookie(node_sid, secrets[0]), secrets), node_sid);
  const std::vector<std::string> only_new{"new secret"};
  EXPECT_FALSE(unsign_cookie(issued_before, only_new));
}

TEST(Signature, SignCookieAddsThePrefix) {
  EXPECT_EQ(sign_cookie(node_sid, "old secret"),
            "s:xV9pBbEHHmXNo3zHH_wQ1k1jFkKzZhUk.FB+dIfZ5UTw0QUyfLUG9LTs+IrjNah7c48vFk8tDNho");
}

TEST(Signature, UnsignCookieRequiresThePrefix) {
  const std::vector<std::string> secrets{"old secret"};
  const std::string body = "xV9pBbEHHmXNo3zHH_wQ1k1jFkKzZhUk.FB+dIfZ5UTw0QUyfLUG9LTs+IrjNah7c48vFk8tDNho";
  EXPECT_FALSE(unsign_cookie(body, secrets));
  EXPECT_FALSE(unsign_cookie("S:" + body, secrets));
  EXPECT_FALSE(unsign_cookie("s", secrets));
  EXPECT_FALSE(unsign_cookie("", secrets));
  EXPECT_EQ(unsign_cookie("s:" + body, secrets), node_sid);
}

TEST(Signature, EmptyIdRoundTripsForTheCallerToReject) {
  // cookie-signature returns "" here; express-session then treats the falsy id as no cookie.
  const std::vector<std::string> secrets{""};
  EXPECT_EQ(unsign_cookie("s:.thNnmggU2ex3L5XXeMNfxf8Wl8STcVZTxscSFEKSxa0", secrets), "");
}

}  // namespace
}  // namespace cortado

// The session middleware's Signer remembers the values it verified (per thread); what it
// remembers must never let through a value it would refuse, nor carry over to other secrets.
TEST(Signer, AValueVerifiedBeforeIsStillCheckedExactly) {
  const std::vector<std::string> secrets{"keyboard cat", "old cat"};
  const cortado::detail::Signer signer(secrets);
  const std::string good = signer.sign_cookie("abc");
  for (int round = 0; round < 3; ++round) {
    auto verified = signer.verify_cookie(good);
    ASSERT_TRUE(verified);
    EXPECT_EQ(verified->id, "abc");
    EXPECT_TRUE(verified->by_signing_secret);
    // Each byte changed, with the good value remembered: refused every time.
    for (std::size_t i = 0; i < good.size(); ++i) {
      std::string forged = good;
      forged[i] = forged[i] == 'A' ? 'B' : 'A';
      EXPECT_FALSE(signer.verify_cookie(forged)) << forged;
    }
    EXPECT_FALSE(signer.verify_cookie(good + "A"));
    EXPECT_FALSE(signer.verify_cookie(good.substr(0, good.size() - 1)));
  }
}

TEST(Signer, TellsWhetherTheSigningSecretMadeTheSignature) {
  const std::vector<std::string> old_only{"old cat"};
  const std::string by_old = cortado::detail::Signer(old_only).sign_cookie("abc");
  const std::vector<std::string> rotated{"keyboard cat", "old cat"};
  const cortado::detail::Signer signer(rotated);
  for (int round = 0; round < 2; ++round) {
    auto verified = signer.verify_cookie(by_old);
    ASSERT_TRUE(verified);
    EXPECT_EQ(verified->id, "abc");
    EXPECT_FALSE(verified->by_signing_secret);  // a Set-Cookie must sign it again, with the new secret
  }
}

TEST(Signer, WhatOneSignerVerifiedIsNothingToAnother) {
  const std::vector<std::string> first{"keyboard cat"};
  const std::vector<std::string> second{"another cat"};
  const cortado::detail::Signer a(first);
  const cortado::detail::Signer b(second);
  const std::string value = a.sign_cookie("abc");
  ASSERT_TRUE(a.verify_cookie(value));
  EXPECT_FALSE(b.verify_cookie(value));
  EXPECT_FALSE(b.unsign_cookie(value));
  EXPECT_TRUE(a.unsign_cookie(value));
}
