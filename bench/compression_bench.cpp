// What one W0z response costs in parts (bench/run W0z measures the whole server): the 10 KiB JSON
// document written as JSON.stringify writes it, its weak ETag, and its gzip encoding by
// compression()'s encoder (libdeflate) at levels 1, 4, 5 (the default) and 6, beside zlib at 6 (what Node uses).
//   build/bench/micro_bench --benchmark_filter=W0z
#include <cortado/cortado.hpp>

#include "app/content_coding.hpp"
#include "app/freshness.hpp"

#include <benchmark/benchmark.h>
#include <zlib.h>

#include <string>

namespace {

using namespace cortado;

const json::value& document() {
  static const json::value doc = [] {
    json::array items;
    for (int i = 0; i < 150; ++i)
      items.push_back(json::object{{"id", i}, {"name", "item " + std::to_string(i)}, {"price", 1.25 * i},
                                   {"tags", json::array{"coffee", "cortado"}}});
    return json::value(json::object{{"items", std::move(items)}});
  }();
  return doc;
}

void W0zStringify(benchmark::State& state) {
  for (auto _ : state) benchmark::DoNotOptimize(stringify(document()));
}
BENCHMARK(W0zStringify);

void W0zWeakEtag(benchmark::State& state) {
  const std::string text = stringify(document());
  for (auto _ : state) benchmark::DoNotOptimize(weak_etag(text));
}
BENCHMARK(W0zWeakEtag);

void W0zGzipLibdeflate(benchmark::State& state) {
  const std::string text = stringify(document());
  std::size_t size = 0;
  for (auto _ : state) size = detail::encode_content("gzip", text, static_cast<int>(state.range(0)), 4).size();
  state.counters["bytes"] = static_cast<double>(size);
}
BENCHMARK(W0zGzipLibdeflate)->Arg(1)->Arg(4)->Arg(5)->Arg(6);

// zlib's deflate as Node's zlib.createGzip() drives it: a stream set up for each response.
void W0zGzipZlib(benchmark::State& state) {
  const std::string text = stringify(document());
  std::size_t size = 0;
  for (auto _ : state) {
    z_stream zs{};
    deflateInit2(&zs, 6, Z_DEFLATED, 15 + 16, 8, Z_DEFAULT_STRATEGY);
    std::string out(deflateBound(&zs, static_cast<uLong>(text.size())) + 18, '\0');
    zs.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(text.data()));
    zs.avail_in = static_cast<uInt>(text.size());
    zs.next_out = reinterpret_cast<Bytef*>(out.data());
    zs.avail_out = static_cast<uInt>(out.size());
    deflate(&zs, Z_FINISH);
    size = zs.total_out;
    deflateEnd(&zs);
    benchmark::DoNotOptimize(out);
  }
  state.counters["bytes"] = static_cast<double>(size);
}
BENCHMARK(W0zGzipZlib);

}  // namespace
