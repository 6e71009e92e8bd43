#include "stores.hpp"

#include <cortado/session/memory_store.hpp>

#include <stdexcept>

std::shared_ptr<cortado::Store> open_lab_store(const std::string& spec) {
  if (spec == "memory") return std::make_shared<cortado::MemoryStore>();
  throw std::invalid_argument("unsupported store '" + spec + "' (expected memory, sqlite:PATH, redis://..., postgres://...)");
}
