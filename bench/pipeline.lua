-- Pipelined requests for wrk (TechEmpower's plaintext style): every write carries DEPTH copies of
-- the request, and the server may answer them together. The headers given with -H (the session's
-- Cookie for W1/W2) are in every copy, since wrk.format() writes wrk.headers.
--
--   wrk -t1 -c64 -d10s --latency -s bench/pipeline.lua URL -- 16
--
-- wrk counts every response, so requests/s is per request, not per batch. Its latency figures
-- are not usable this way (the percentiles come out as 0), so bench/run reports no p99 for it.

init = function(args)
  local depth = tonumber(args[1]) or 16
  local batch = {}
  for i = 1, depth do
    batch[i] = wrk.format()
  end
  request_text = table.concat(batch)
end

request = function()
  return request_text
end
