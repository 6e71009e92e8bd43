// What one W1m request's session costs in parts (bench/run W1m measures the whole server): the
// Cookie header parsed, the signed id checked, the stored session read from a MemoryStore and
// the session built from it, and the JSON written back for a touch.
//   build/bench/micro_bench --benchmark_filter=W1m
#include <cortado/cortado.hpp>
#include <cortado/session/session_id.hpp>

#include "app/freshness.hpp"
#include "session/signer.hpp"

#include <benchmark/benchmark.h>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/io_context.hpp>

#include <string>

namespace {

using namespace cortado;

const std::string sid = "uCzSYmXq3dBcGm1t7nAbJcJgOsxDxkzY";

json::object stored_session() {
  json::object cookie{{"originalMaxAge", nullptr}, {"expires", nullptr}, {"httpOnly", true}, {"path", "/"}};
  return json::object{{"cookie", std::move(cookie)}, {"views", 12}};
}


void W1mParseCookies(benchmark::State& state) {
  const std::string header = "connect.sid=s%3AuCzSYmXq3dBcGm1t7nAbJcJgOsxDxkzY.8H5Tb2y9Q5mPTX3cO0Jx9i2mYbsK0aF1u0cNlKkX6qY";
  for (auto _ : state) benchmark::DoNotOptimize(parse_cookies(header));
}
BENCHMARK(W1mParseCookies);

void W1mUnsignCookie(benchmark::State& state) {
  const std::vector<std::string> secrets{"keyboard cat"};
  detail::Signer signer(secrets);
  const std::string value = signer.sign_cookie(sid);
  for (auto _ : state) benchmark::DoNotOptimize(signer.unsign_cookie(value));
}
BENCHMARK(W1mUnsignCookie);

// A MemoryStore holding the session, and the event loop its Tasks run on.
struct FilledStore {
  FilledStore() {
    boost::asio::co_spawn(io, store.set(sid, stored_session()), boost::asio::detached);
    io.run();
  }
  MemoryStore store{MemoryStoreOptions{.prune_interval = std::chrono::milliseconds(0)}};
  boost::asio::io_context io;
};

void W1mMemoryStoreGet(benchmark::State& state) {
  FilledStore filled;
  auto& [store, io] = filled;
  for (auto _ : state) {
    io.restart();
    boost::asio::co_spawn(io, store.get(sid), [](std::exception_ptr, std::optional<json::object> s) {
      benchmark::DoNotOptimize(s);
    });
    io.run();
  }
}
BENCHMARK(W1mMemoryStoreGet);

void W1mMemoryStoreTouch(benchmark::State& state) {
  FilledStore filled;
  auto& [store, io] = filled;
  for (auto _ : state) {
    io.restart();
    boost::asio::co_spawn(io, store.touch(sid, stored_session()), boost::asio::detached);
    io.run();
  }
}
BENCHMARK(W1mMemoryStoreTouch);

// The floor under the two above: one co_spawn of a Task that does nothing.
void W1mEmptyTask(benchmark::State& state) {
  boost::asio::io_context io;
  for (auto _ : state) {
    io.restart();
    boost::asio::co_spawn(io, []() -> Task<> { co_return; }(), boost::asio::detached);
    io.run();
  }
}
BENCHMARK(W1mEmptyTask);

void W1mStoredSessionCopy(benchmark::State& state) {
  const json::object s = stored_session();
  for (auto _ : state) benchmark::DoNotOptimize(json::object(s));
}
BENCHMARK(W1mStoredSessionCopy);

void W1mStringifySession(benchmark::State& state) {
  const json::value s(stored_session());
  for (auto _ : state) benchmark::DoNotOptimize(stringify(s));
}
BENCHMARK(W1mStringifySession);

void W1mParseSession(benchmark::State& state) {
  const std::string text = stringify(json::value(stored_session()));
  for (auto _ : state) benchmark::DoNotOptimize(parse_stored_session(text));
}
BENCHMARK(W1mParseSession);

void W1mWeakEtag(benchmark::State& state) {
  for (auto _ : state) benchmark::DoNotOptimize(weak_etag("12"));
}
BENCHMARK(W1mWeakEtag);

// W2m's body changes with every request (the counter), so its tag is always computed: a SHA-1.
void W2mWeakEtag(benchmark::State& state) {
  std::uint64_t views = 0;
  for (auto _ : state) benchmark::DoNotOptimize(weak_etag(std::to_string(++views)));
}
BENCHMARK(W2mWeakEtag);

// A new session's own work (W3m): its id, the id signed, and the Set-Cookie written.
void W3mGenerateId(benchmark::State& state) {
  for (auto _ : state) benchmark::DoNotOptimize(generate_session_id());
}
BENCHMARK(W3mGenerateId);

void W3mSignCookie(benchmark::State& state) {
  const std::vector<std::string> secrets{"keyboard cat"};
  detail::Signer signer(secrets);
  for (auto _ : state) benchmark::DoNotOptimize(signer.sign_cookie(sid));
}
BENCHMARK(W3mSignCookie);

void W3mSetCookieText(benchmark::State& state) {
  const std::vector<std::string> secrets{"keyboard cat"};
  const std::string value = detail::Signer(secrets).sign_cookie(sid);
  SessionCookie cookie;
  cookie.set_max_age(86'400'000);
  for (auto _ : state) benchmark::DoNotOptimize(cookie.serialize("connect.sid", value));
}
BENCHMARK(W3mSetCookieText);

}  // namespace
