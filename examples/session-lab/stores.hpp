#pragma once
// The --store forms of session-lab: memory, sqlite:PATH, redis://..., postgres://...

#include <cortado/session/store.hpp>

#include <memory>
#include <string>

/// Opens the store named by a --store value; throws with a one-line reason when it is
/// malformed or cannot be reached.
std::shared_ptr<cortado::Store> open_lab_store(const std::string& spec);
