-- wrk script for every endpoint: METHOD, BODY and TOKEN come from the environment. done()
-- prints one RESULT line; non2xx counts answers of status 400 and above (wrk's status
-- errors; no endpoint here answers 1xx or 3xx), sock_err the connection errors.
wrk.method = os.getenv("METHOD") or "GET"
wrk.headers["Accept"] = "application/json"
local body = os.getenv("BODY") or ""
wrk.body = body
if body ~= "" then
  wrk.headers["Content-Type"] = "application/json"
else
  wrk.headers["Content-Length"] = "0"
end
local token = os.getenv("TOKEN") or ""
if token ~= "" then
  wrk.headers["Authorization"] = "Bearer " .. token
end

function done(summary, latency, requests)
  local secs = summary.duration / 1e6
  local e = summary.errors
  io.write(string.format(
    "RESULT rps=%.1f p50_ms=%.3f p99_ms=%.3f max_ms=%.3f requests=%d non2xx=%d sock_err=%d\n",
    summary.requests / secs, latency:percentile(50) / 1000, latency:percentile(99) / 1000,
    latency.max / 1000, summary.requests, e.status, e.connect + e.read + e.write + e.timeout))
end
