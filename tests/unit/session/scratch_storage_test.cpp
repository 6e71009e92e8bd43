// The request's bump allocator: values of every size built on it read back intact, past its
// inline bytes, past a block, and larger than a block (AddressSanitizer sees any overrun).
#include "session/scratch_storage.hpp"

#include <boost/json.hpp>

#include <gtest/gtest.h>

#include <cstdint>
#include <string>

namespace cortado::detail {
namespace {

TEST(ScratchStorage, HoldsValuesPastItsInlineBytesAndItsBlocks) {
  const boost::json::storage_ptr storage = scratch_storage();
  boost::json::object session(storage);
  for (int i = 0; i < 200; ++i) {
    session["key" + std::to_string(i)] = std::string(static_cast<std::size_t>(i) * 7, static_cast<char>('a' + i % 26));
  }
  session["big"] = std::string(5000, 'z');  // larger than a block of its own
  boost::json::array list(storage);
  for (int i = 0; i < 300; ++i) list.emplace_back(i * 1.5);
  session["list"] = std::move(list);
  for (int i = 0; i < 200; ++i) {
    const auto& text = session.at("key" + std::to_string(i)).as_string();
    ASSERT_EQ(text.size(), static_cast<std::size_t>(i) * 7);
    if (!text.empty()) {
      EXPECT_EQ(text.front(), 'a' + i % 26);
    }
  }
  EXPECT_EQ(session.at("big").as_string().size(), 5000u);
  const auto& back = session.at("list").as_array();
  ASSERT_EQ(back.size(), 300u);
  for (int i = 0; i < 300; ++i) EXPECT_EQ(back[static_cast<std::size_t>(i)].as_double(), i * 1.5);
  // Every part of the tree is aligned as its type asks.
  EXPECT_EQ(reinterpret_cast<std::uintptr_t>(&back[0]) % alignof(boost::json::value), 0u);
  EXPECT_EQ(session.storage().get(), storage.get());
}

}  // namespace
}  // namespace cortado::detail
