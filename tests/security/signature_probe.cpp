// signature_probe POSITION CALLS: unsigns, CALLS times, a signed cookie value whose MAC differs
// from the right one at character POSITION only. constant_time.sh runs it under callgrind for
// two positions: a comparison that stops at the first difference executes a different number
// of instructions for each, a constant-time one the same number.
#include "cortado/session/signature.hpp"

#include <iostream>
#include <string>
#include <vector>

int main(int argc, char** argv) {
  if (argc != 3) {
    std::cerr << "usage: signature_probe POSITION CALLS\n";
    return 2;
  }
  const std::vector<std::string> secrets{"keyboard cat"};
  std::string value = cortado::sign("abcdefghijklmnopqrstuvwxyz012345", secrets[0]);
  const auto mac = value.rfind('.') + 1;
  const auto position = mac + std::stoul(argv[1]);
  if (position >= value.size()) {
    std::cerr << "signature_probe: POSITION is past the MAC\n";
    return 2;
  }
  value[position] = value[position] == 'A' ? 'B' : 'A';
  int accepted = 0;
  for (unsigned long i = 0, calls = std::stoul(argv[2]); i < calls; ++i)
    accepted += cortado::unsign(value, secrets).has_value();
  std::cout << "accepted " << accepted << "\n";
  return accepted == 0 ? 0 : 1;
}
