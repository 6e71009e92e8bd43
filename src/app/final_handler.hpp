#pragma once
// What answers when the app's stack is done without a response: 404, OPTIONS, or the error page.

namespace cortado::detail {

struct Chain;

/// Express's finalhandler (and the router's automatic OPTIONS answer).
void finish_unhandled(Chain& chain);

}  // namespace cortado::detail
