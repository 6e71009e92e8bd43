// What the memory store's own table saves: RSS per session of the plain alternative, a
// std::unordered_map from id to JSON text plus a std::list for least-recently-used order, filled
// with a million sessions of the size W3m makes (bench/run mem measures the store itself).
//     bench_map_memory [SESSIONS]
#include <cstdio>
#include <cstdlib>
#include <list>
#include <string>
#include <unordered_map>

namespace {

long rss_kib() {
  long kib = 0;
  if (FILE* f = std::fopen("/proc/self/status", "r")) {
    char line[256];
    while (std::fgets(line, sizeof line, f))
      if (std::sscanf(line, "VmRSS: %ld", &kib) == 1) break;
    std::fclose(f);
  }
  return kib;
}

struct Entry {
  std::string text;
  std::list<std::string>::iterator lru;  // where its id sits in the LRU order
  long long expires_ms;
};

}  // namespace

int main(int argc, char** argv) {
  const long count = argc > 1 ? std::atol(argv[1]) : 1'000'000;
  // W3m's stored session: a default cookie and one counter.
  const std::string text = R"({"cookie":{"originalMaxAge":null,"expires":null,"httpOnly":true,"path":"/"},"views":1})";
  const long before = rss_kib();
  std::unordered_map<std::string, Entry> table;
  std::list<std::string> lru;
  for (long i = 0; i < count; ++i) {
    char id[40];
    std::snprintf(id, sizeof id, "%032ld", i);  // a session id's 32 characters
    lru.emplace_front(id);
    table.emplace(id, Entry{text, lru.begin(), 0});
  }
  const long after = rss_kib();
  std::printf("std::unordered_map + std::list: %ld sessions, %.0f bytes of RSS per session\n", count,
              (after - before) * 1024.0 / static_cast<double>(count));
}
