-- Mixed session traffic for the soak test (soak.py), in ../shared/BENCHMARKS.md's terms:
--   60% W1  GET /get/views with a cookie from the pool (a read)
--   30% W2  GET /views with a cookie from the pool (read-modify-write)
--   10% W3  GET /views without a cookie (a new session each time)
-- wrk ... -s soak.lua URL -- COOKIE_FILE   (one "connect.sid=s%3A..." a line)
--
-- Besides wrk's own counts it counts W1 answers of `null`: every pooled session was made with
-- views = 1 and is kept alive by this traffic, so a null means the store lost a live session.

local w1, w2 = {}, {}
local w3
threads = {}
lost = 0  -- globals: done() reads them from each thread's state

function setup(thread)
  table.insert(threads, thread)
end

function init(args)
  -- Requests are formatted once here: formatting per request would make wrk the bottleneck.
  for cookie in io.lines(args[1]) do
    table.insert(w1, wrk.format("GET", "/get/views", { Cookie = cookie }))
    table.insert(w2, wrk.format("GET", "/views", { Cookie = cookie }))
  end
  if #w1 == 0 then error("no cookies in " .. args[1]) end
  w3 = wrk.format("GET", "/views")
end

function request()
  local pick = math.random(100)
  if pick <= 60 then return w1[math.random(#w1)] end
  if pick <= 90 then return w2[math.random(#w2)] end
  return w3
end

function response(status, headers, body)
  if status == 200 and body == "null" then lost = lost + 1 end
end

function done(summary, latency, requests)
  local total = 0
  for _, thread in ipairs(threads) do total = total + thread:get("lost") end
  io.write(string.format("lost sessions: %d\n", total))
end
