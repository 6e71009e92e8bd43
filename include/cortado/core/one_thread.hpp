#pragma once
/// mark_one_thread / run_by_one_thread: an io_context that one thread alone runs says so, and
/// what lives on it (a store's pipelined connection) then needs no strand of its own.

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/execution/context.hpp>
#include <boost/asio/execution_context.hpp>
#include <boost/asio/query.hpp>

namespace cortado {

/// The mark itself: an Asio service that holds nothing. Its presence is the whole message.
class OneThreadMark final : public boost::asio::execution_context::service {
 public:
  /// Asio's service identity.
  static inline boost::asio::execution_context::id id;
  /// Created by mark_one_thread().
  explicit OneThreadMark(boost::asio::execution_context& context) : service(context) {}

 private:
  void shutdown() override {}
};

/// Marks `context` as run by one thread only, for as long as it lives. The server's workers mark
/// theirs; an application that runs an io_context of its own on one thread may mark it too.
inline void mark_one_thread(boost::asio::execution_context& context) {
  boost::asio::use_service<OneThreadMark>(context);
}

/// Whether the io_context `executor` runs on was marked by mark_one_thread().
inline bool run_by_one_thread(const boost::asio::any_io_executor& executor) {
  return boost::asio::has_service<OneThreadMark>(boost::asio::query(executor, boost::asio::execution::context));
}

}  // namespace cortado
