#pragma once
/// cortado: Express and express-session for C++20. Include this one header for the usual set.

#include "cortado/app/app.hpp"
#include "cortado/app/body_parser.hpp"
#include "cortado/app/cookies.hpp"
#include "cortado/app/http_error.hpp"
#include "cortado/app/json.hpp"
#include "cortado/app/request.hpp"
#include "cortado/app/response.hpp"
#include "cortado/app/router.hpp"
#include "cortado/app/static_files.hpp"
#include "cortado/task.hpp"
#include "cortado/session/memory_store.hpp"
#include "cortado/session/middleware.hpp"
#include "cortado/session/session.hpp"
#include "cortado/session/store.hpp"
