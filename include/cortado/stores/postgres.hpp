#pragma once
/// PostgreSQL store: sessions in connect-pg-simple's "session" table, shared with Node processes.

#include "cortado/session/store.hpp"

#include <chrono>
#include <memory>
#include <string>

namespace cortado::stores {

/// connect-pg-simple's options (tableName, schemaName, createTableIfMissing, ttl,
/// pruneSessionInterval, disableTouch) with its defaults, and how long to wait for the server;
/// named as the other stores name the same thing (table, prune_interval, command_timeout).
struct PostgresOptions {
  /// The table; always quoted in SQL, so its case and any character are kept as written.
  std::string table = "session";
  /// The table's schema; empty lets the connection's search_path find the table.
  std::string schema{};
  /// Creates the table with connect-pg-simple's table.sql when it is missing (at creation time).
  bool create_table_if_missing = false;
  /// Lifetime of a session whose cookie has no expires (a browser-session cookie); zero means
  /// the default, as connect-pg-simple's `ttl || ONE_DAY`.
  std::chrono::seconds ttl{86400};
  /// Mean time between deletions of expired rows (each wait is drawn between 50% and 150% of it,
  /// as connect-pg-simple does, so that processes sharing a table spread out); zero turns it off.
  std::chrono::milliseconds prune_interval = std::chrono::minutes(15);
  /// touch() does nothing: a session then lives until the expiry of its last save.
  bool disable_touch = false;
  /// How long making a connection may take before the call fails with the reason; zero: no limit.
  std::chrono::milliseconds connect_timeout{3000};
  /// How long a statement may wait for its answer before the connection is dropped and the call
  /// (with every statement sent after it on that connection) fails; zero: no limit.
  std::chrono::milliseconds command_timeout{5000};
  /// Sends each statement's SQL once per connection, as a named prepared statement, instead of
  /// with every call (as node-postgres does): the server then parses and plans it once, which
  /// halves its CPU per request. Turn off behind a pooler that does not keep prepared statements
  /// across transactions (PgBouncer in transaction mode before 1.21).
  bool prepare_statements = true;
};

/// Opens a store on the PostgreSQL that `conninfo_or_url` names, in any form libpq accepts
/// ("postgresql://user@host:5432/db", "host=... dbname=...", empty for the PG* variables).
/// Rows are what connect-pg-simple 10 writes: `sid`, `sess` (JSON.stringify's text, kept as
/// given by the json column) and `expire` (cookie.expires rounded up to the second, else now +
/// ttl), with its SQL, so Node and cortado processes can share one table. Every call runs on the
/// caller's io_context (run by one thread, as cortado's are) over one pipelined asynchronous
/// connection per io_context, made on first use and remade after an outage; while the server is
/// down calls throw std::runtime_error("postgres store: get: <reason>"). Connects once now
/// (blocking) and throws std::runtime_error when the server cannot be reached or the table is
/// missing.
std::shared_ptr<Store> postgres(std::string conninfo_or_url, PostgresOptions options = {});

}  // namespace cortado::stores
