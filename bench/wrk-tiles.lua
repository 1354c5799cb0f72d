-- wrk script for bench/tiles.ts: walks a tile list so that consecutive requests ask for different tiles.
--
--   wrk -t2 -c64 -d20s -s bench/wrk-tiles.lua http://127.0.0.1:PORT -- LIST PREFIX SUFFIX THREADS
--
-- LIST holds z/x/y lines; request i of a thread is GET PREFIX .. line .. SUFFIX with Accept-Encoding: gzip (keep-alive
-- is wrk's default). Thread k of THREADS starts k/THREADS of the way through the list, so the threads do not ask for the same
-- tiles in step. done() prints one line "WRK_JSON {...}" with the counts and latency percentiles (microseconds).

local thread_count = 0

function setup(thread)
  thread:set("thread_index", thread_count)
  thread_count = thread_count + 1
end

local requests_ = {}
local n = 0
local i = 0

function init(args)
  local list, prefix, suffix = args[1], args[2] or "/", args[3] or ""
  assert(list, "usage: -- LIST PREFIX SUFFIX THREADS")
  local headers = { ["Accept-Encoding"] = "gzip" }
  for line in io.lines(list) do
    line = line:match("^%s*(.-)%s*$")
    if line ~= "" then
      n = n + 1
      requests_[n] = wrk.format("GET", prefix .. line .. suffix, headers)
    end
  end
  assert(n > 0, "empty tile list " .. list)
  local index = tonumber(thread_index) or 0
  local threads = tonumber(args[4]) or 1
  i = math.floor(n * index / threads) % n
end

function request()
  i = i + 1
  if i > n then i = 1 end
  return requests_[i]
end

function done(summary, latency, requests)
  local e = summary.errors
  io.write(string.format(
    'WRK_JSON {"requests":%d,"duration_us":%d,"bytes":%d,' ..
    '"errors":{"connect":%d,"read":%d,"write":%d,"status":%d,"timeout":%d},' ..
    '"latency_us":{"p50":%d,"p90":%d,"p99":%d,"max":%d,"mean":%.1f}}\n',
    summary.requests, summary.duration, summary.bytes,
    e.connect, e.read, e.write, e.status, e.timeout,
    latency:percentile(50), latency:percentile(90), latency:percentile(99), latency.max, latency.mean))
end
