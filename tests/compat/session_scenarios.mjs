// The scenarios that session_compare.mjs runs against both session-labs. Each one is
//   { name, flags, steps, signal? }  a server pair started with `flags` (plus --port 0), then the
//                                    steps, then SIGTERM (or `signal`)
//   { name, flags, startup: true }   a start that must fail: exit 2, one line on stderr
// A step is a request:
//   method, path                     what to send
//   body                             a JSON value, sent as application/json
//   raw, contentType                 a body sent byte for byte (Content-Type application/json
//                                    unless contentType says otherwise; null sends none)
//   headers                          extra request headers
//   client                           which cookie jar ('a' unless told): one per client per server
//   cookie                           a Cookie header (string, or array for several header lines)
//                                    or a function of {name, id, value, otherId, otherValue,
//                                    secrets, sign, signature} that forges one; the jar is then
//                                    not sent and keeps its cookie (unless takeCookies)
//   noJar                            send no cookie and keep none
//   sendAll                          send the jar's cookies whatever their Path
//   errorText: 'any'                 the answer {"error": "..."}'s text is not compared (the
//                                    contract fixes no message for that failure)
//   expect                           properties express-session has there, checked on both
//                                    sides (so a wrong scenario shows up as a node failure)
// or { restart: flags } (both servers stopped with SIGTERM and started again; jars kept), or
// { sleep: ms }.


// The scenarios themselves live in session_scenarios_options.mjs (flags), session_scenarios_routes.mjs
// (routes), session_scenarios_cookies.mjs (forged cookies, secrets, startup) and
// session_scenarios_cookie_store.mjs (--store cookie against cookie-session); the step builders
// and expectations in session_steps.mjs.

import { cookieStore } from './session_scenarios_cookie_store.mjs';
import { forgedCookies, secrets, startup } from './session_scenarios_cookies.mjs';
import { attributes, basics, maxAgeFlags, secure, unset } from './session_scenarios_options.mjs';
import { data, operations } from './session_scenarios_routes.mjs';

export const scenarios = [...basics, ...secure, ...attributes, ...maxAgeFlags, ...unset, ...data, ...operations, ...forgedCookies, ...secrets, ...startup, ...cookieStore];
