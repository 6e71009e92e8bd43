#pragma once
// The --store forms of session-lab: memory, sqlite:PATH, redis://..., postgres://...

#include <cortado/session/store.hpp>

#include <chrono>
#include <memory>
#include <optional>
#include <string>

/// Opens the store named by a --store value; throws with a one-line reason when it is
/// malformed or cannot be reached. `prune_interval`, when given, replaces the memory and SQLite
/// stores' default (the soak test needs expired sessions gone sooner than once a minute).
std::shared_ptr<cortado::Store> open_lab_store(const std::string& spec,
                                               std::optional<std::chrono::milliseconds> prune_interval = {});
