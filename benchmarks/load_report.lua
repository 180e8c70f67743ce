-- wrk script for benchmarks/load.py.
--
-- Usage: wrk ... -s load_report.lua http://127.0.0.1:PORT -- /path/one /path/two ...
-- Each connection cycles through the given paths (the URL's own path when none is given),
-- responses outside 200-299 are counted per thread, and done() prints one machine-readable
-- line for load.py:
--   LOAD_RESULT {"requests":N,"duration_us":N,...,"p50_us":N,"p95_us":N,"p99_us":N,...}
-- wrk reports latencies in microseconds.

local threads = {}

function setup(thread)
   table.insert(threads, thread)
end

function init(args)
   non2xx = 0
   requests = {}
   for _, path in ipairs(args) do
      table.insert(requests, wrk.format("GET", path))
   end
   if #requests == 0 then
      table.insert(requests, wrk.format("GET"))
   end
   next_request = 1
end

function request()
   local req = requests[next_request]
   next_request = next_request % #requests + 1
   return req
end

function response(status, headers, body)
   if status < 200 or status > 299 then
      non2xx = non2xx + 1
   end
end

function done(summary, latency, requests)
   local total_non2xx = 0
   for _, thread in ipairs(threads) do
      total_non2xx = total_non2xx + thread:get("non2xx")
   end
   local e = summary.errors
   io.write(string.format(
      'LOAD_RESULT {"requests":%d,"duration_us":%d,"bytes":%d,"non2xx":%d,'
         .. '"connect_errors":%d,"read_errors":%d,"write_errors":%d,"timeouts":%d,'
         .. '"p50_us":%d,"p95_us":%d,"p99_us":%d,"max_us":%d}\n',
      summary.requests, summary.duration, summary.bytes, total_non2xx,
      e.connect, e.read, e.write, e.timeout,
      latency:percentile(50), latency:percentile(95), latency:percentile(99), latency.max
   ))
end
