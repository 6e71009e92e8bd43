#pragma once
/// cortado: Express and express-session for C++20. Include this one header for the usual set
/// (target cortado::cortado). The stores that need a database client have their own header and
/// target: cortado/stores/sqlite.hpp (cortado::sqlite), redis.hpp (cortado::redis) and
/// postgres.hpp (cortado::postgres).

#include "cortado/core/cookies.hpp"
#include "cortado/core/json.hpp"
#include "cortado/core/off_thread.hpp"
#include "cortado/core/task.hpp"

#include "cortado/app/app.hpp"
#include "cortado/app/body_parser.hpp"
#include "cortado/app/http_error.hpp"
#include "cortado/app/request.hpp"
#include "cortado/app/response.hpp"
#include "cortado/app/router.hpp"
#include "cortado/app/static_files.hpp"
#include "cortado/app/redirect_to_https.hpp"
#include "cortado/app/content_disposition.hpp"
#include "cortado/app/mustache.hpp"
#include "cortado/app/views.hpp"
#include "cortado/app/compression.hpp"
#include "cortado/app/cors.hpp"
#include "cortado/app/security_headers.hpp"
// Request logs (morgan) and metrics (Prometheus).
#include "cortado/app/logger.hpp"
#include "cortado/app/metrics.hpp"
#include "cortado/app/multipart.hpp"
#include "cortado/core/metrics.hpp"
// WebSockets (app.ws), sharing the session.
#include "cortado/app/websocket.hpp"

#include "cortado/session/cookie_session.hpp"
// Broadcasting to WebSockets: rooms, a session's sockets, a user's.
#include "cortado/session/broadcast.hpp"
#include "cortado/session/memory_store.hpp"
#include "cortado/session/middleware.hpp"
#include "cortado/session/owners.hpp"
#include "cortado/session/session.hpp"
#include "cortado/session/store.hpp"
