-- wrk script for perf/load.sh: replays the request targets listed one per line in the file
-- $REPLAY_FILE as POST requests with an empty body, each target once (thread t of T sends lines
-- t, t+T, t+2T, ...; past the end it starts again), with the header $REPLAY_AUTHORIZATION when
-- set. It counts the answers by HTTP status and by the emulator's `x-emulator-outcome` header, and
-- prints one line that load.sh reads:
--   REPLAY requests=N seconds=S rps=R p50_ms=A p99_ms=B errors=E status=200:N,... outcome=Deleted:N,...

local threads = {}

function setup(thread)
   thread:set("index", #threads)
   table.insert(threads, thread)
end

function init(args)
   local count = tonumber(os.getenv("REPLAY_THREADS") or "1")
   requests_out = {}
   local n = 0
   for line in io.lines(os.getenv("REPLAY_FILE")) do
      if n % count == index then
         requests_out[#requests_out + 1] = line
      end
      n = n + 1
   end
   if #requests_out == 0 then
      error("REPLAY_FILE holds no target for thread " .. index)
   end
   local headers = {}
   local authorization = os.getenv("REPLAY_AUTHORIZATION")
   if authorization and authorization ~= "" then
      headers["Authorization"] = authorization
   end
   -- Pre-format every request, so that sending one costs the tool the same for every target.
   for i, target in ipairs(requests_out) do
      requests_out[i] = wrk.format("POST", target, headers, "")
   end
   next_request = 1
   statuses = {}
   outcomes = {}
end

function request()
   local r = requests_out[next_request]
   next_request = next_request + 1
   if next_request > #requests_out then
      next_request = 1
   end
   return r
end

function response(status, headers, body)
   local key = tostring(status)
   statuses[key] = (statuses[key] or 0) + 1
   local outcome = headers["x-emulator-outcome"]
   if outcome then
      outcomes[outcome] = (outcomes[outcome] or 0) + 1
   end
end

local function merged(name)
   local total = {}
   for _, thread in ipairs(threads) do
      for k, v in pairs(thread:get(name)) do
         total[k] = (total[k] or 0) + v
      end
   end
   local keys = {}
   for k in pairs(total) do
      keys[#keys + 1] = k
   end
   table.sort(keys)
   local parts = {}
   for _, k in ipairs(keys) do
      parts[#parts + 1] = k .. ":" .. total[k]
   end
   return table.concat(parts, ",")
end

function done(summary, latency, requests)
   local seconds = summary.duration / 1e6
   local errors = summary.errors.connect + summary.errors.read + summary.errors.write
      + summary.errors.timeout
   io.write(string.format(
      "REPLAY requests=%d seconds=%.2f rps=%.0f p50_ms=%.3f p99_ms=%.3f errors=%d status=%s outcome=%s\n",
      summary.requests, seconds, summary.requests / seconds,
      latency:percentile(50) / 1000, latency:percentile(99) / 1000, errors,
      merged("statuses"), merged("outcomes")))
end
