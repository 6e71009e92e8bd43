#pragma once
// ConnectionRegistry: the connections of one io_context, one per store, as an Asio service.

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/execution_context.hpp>
#include <boost/asio/query.hpp>

#include <cstdint>
#include <memory>
#include <mutex>
#include <unordered_map>
#include <utility>

namespace cortado::stores {

/// The `Connection`s of one io_context, keyed by store: an Asio service, so that they are closed
/// and freed with the io_context (whose sockets they hold), never after it. A Connection is made
/// from the executor and the store's arguments, and has shutdown().
template <class Connection>
class ConnectionRegistry final : public boost::asio::execution_context::service {
 public:
  /// Asio's service identity, one per kind of connection.
  static inline boost::asio::execution_context::id id;

  /// Created by boost::asio::use_service on first use in an io_context.
  explicit ConnectionRegistry(boost::asio::execution_context& context) : service(context) {}

  /// The registry of the io_context that `executor` runs on.
  static ConnectionRegistry& of(const boost::asio::any_io_executor& executor) {
    return boost::asio::use_service<ConnectionRegistry>(boost::asio::query(executor, boost::asio::execution::context));
  }

  /// The connection of the store `store_id` on this io_context, made on the caller's executor
  /// from `args` when missing. `owner` expires with the store; connections of stores that are
  /// gone are let go here.
  template <class... Args>
  std::shared_ptr<Connection> connection(std::uint64_t store_id, const std::weak_ptr<const void>& owner,
                                         const boost::asio::any_io_executor& executor, const Args&... args) {
    const std::lock_guard lock(mutex_);  // a second thread may run the same io_context
    if (const auto found = connections_.find(store_id); found != connections_.end()) return found->second.connection;
    // A new store is rare, so that is when the connections of stores already gone are let go.
    // Only the reference: a gone store's connection is idle, so the last reference goes (and
    // the socket closes) here or, when a completion still holds one, on the connection's executor;
    // this thread need not be the one that runs it.
    std::erase_if(connections_, [](const auto& entry) { return entry.second.owner.expired(); });
    auto made = std::make_shared<Connection>(executor, args...);
    connections_.emplace(store_id, Entry{owner, made});
    return made;
  }

 private:
  struct Entry {
    std::weak_ptr<const void> owner;
    std::shared_ptr<Connection> connection;
  };

  void shutdown() override {
    std::unordered_map<std::uint64_t, Entry> all;
    {
      const std::lock_guard lock(mutex_);
      all.swap(connections_);
    }
    for (auto& [store_id, entry] : all) entry.connection->shutdown();
  }

  std::mutex mutex_;
  std::unordered_map<std::uint64_t, Entry> connections_;
};

}  // namespace cortado::stores
