// Request's session members (declared in the app layer, which does not know Session): each reads
// the slot the session middleware fills.
#include "cortado/app/request.hpp"
#include "session/session_slot.hpp"

#include <stdexcept>

namespace cortado {
namespace {

const detail::SessionSlot& empty_slot() {
  static const detail::SessionSlot empty;
  return empty;
}

const detail::SessionSlot& slot_of(const Request& req) {
  const auto* slot = req.find_slot<detail::SessionSlot>();
  return slot ? *slot : empty_slot();
}

}  // namespace

Session& Request::session() {
  auto* slot = find_slot<detail::SessionSlot>();
  if (slot && !slot->session && slot->load) {
    auto load = std::move(slot->load);
    slot->load = nullptr;
    slot->session = load();
  }
  if (!slot || !slot->session) throw std::logic_error("req.session() used without the session middleware");
  return *slot->session;
}

bool Request::has_session() const {
  const auto& slot = slot_of(*this);
  return slot.session != nullptr || slot.load != nullptr;
}

void Request::unset_session() {
  auto* slot = find_slot<detail::SessionSlot>();
  if (!slot) return;
  slot->load = nullptr;
  if (slot->session) slot->retired.push_back(std::move(slot->session));
}

const std::string& Request::session_id() const {
  auto* slot = find_slot<detail::SessionSlot>();
  if (!slot) return empty_slot().id;
  if (slot->make_id) {
    auto make_id = std::move(slot->make_id);
    slot->make_id = nullptr;
    make_id();
  }
  return slot->id;
}

const std::shared_ptr<Store>& Request::session_store() const { return slot_of(*this).store; }

}  // namespace cortado
