// The one-thread mark: present only on the io_context that was marked, and seen through any
// executor of it (a strand's too).
#include "cortado/core/one_thread.hpp"

#include <boost/asio/io_context.hpp>
#include <boost/asio/strand.hpp>

#include <gtest/gtest.h>

namespace cortado {
namespace {

TEST(OneThread, OnlyTheMarkedContextIsRunByOneThread) {
  boost::asio::io_context marked{1};
  boost::asio::io_context other{1};
  mark_one_thread(marked);
  mark_one_thread(marked);  // twice is once
  EXPECT_TRUE(run_by_one_thread(marked.get_executor()));
  EXPECT_TRUE(run_by_one_thread(boost::asio::make_strand(marked.get_executor())));
  EXPECT_FALSE(run_by_one_thread(other.get_executor()));
}

}  // namespace
}  // namespace cortado
