-- wrk script for perf/persist.sh: sends each request target listed one per line in the file
-- $REPLAY_FILE once, as a POST with an empty body, over all of wrk's connections (one wrk
-- thread: run it with -t1); past the end it repeats the last target (answered `Ignored`, not
-- counted). Prints one line; `deleted_per_s` counts only the answers `Deleted`:
--   ONCE requests=N seconds=S deleted_per_s=R p50_ms=A p99_ms=B errors=E status=200:N,... outcome=Deleted:N,...

local thread_of_run = nil

function setup(thread)
   thread_of_run = thread
end

local targets = {}
for line in io.lines(os.getenv("REPLAY_FILE")) do
   targets[#targets + 1] = wrk.format("POST", line, {}, "")
end
local next_target = 1
local answered = 0
statuses = {}
outcomes = {}

function request()
   local r = targets[next_target]
   if r == nil then
      -- Every target is sent: repeat the last one until the answers are in (never counted).
      return targets[#targets]
   end
   next_target = next_target + 1
   return r
end

function response(status, headers, body)
   answered = answered + 1
   if answered <= #targets then
      local key = tostring(status)
      statuses[key] = (statuses[key] or 0) + 1
      local outcome = headers["x-emulator-outcome"]
      if outcome then
         outcomes[outcome] = (outcomes[outcome] or 0) + 1
      end
   end
end

local function joined(counts)
   local keys = {}
   for k in pairs(counts) do
      keys[#keys + 1] = k
   end
   table.sort(keys)
   local parts = {}
   for _, k in ipairs(keys) do
      parts[#parts + 1] = k .. ":" .. counts[k]
   end
   return table.concat(parts, ",")
end

function done(summary, latency, requests)
   local seconds = summary.duration / 1e6
   local errors = summary.errors.connect + summary.errors.read + summary.errors.write
      + summary.errors.timeout
   io.write(string.format(
      "ONCE requests=%d seconds=%.3f deleted_per_s=%.0f p50_ms=%.3f p99_ms=%.3f errors=%d status=%s outcome=%s\n",
      summary.requests, seconds, (thread_of_run:get("outcomes")["Deleted"] or 0) / seconds,
      latency:percentile(50) / 1000, latency:percentile(99) / 1000, errors,
      joined(thread_of_run:get("statuses")), joined(thread_of_run:get("outcomes"))))
end
