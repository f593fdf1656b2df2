-- The one RESULT line every wrk script of the benchmark prints from done(): non2xx counts
-- answers of status 400 and above (wrk's status errors; no endpoint here answers 1xx or 3xx),
-- sock_err the connection errors. Loaded with dofile() beside the script that uses it.
function done(summary, latency, requests)
  local secs = summary.duration / 1e6
  local e = summary.errors
  io.write(string.format(
    "RESULT rps=%.1f p50_ms=%.3f p99_ms=%.3f max_ms=%.3f requests=%d non2xx=%d sock_err=%d\n",
    summary.requests / secs, latency:percentile(50) / 1000, latency:percentile(99) / 1000,
    latency.max / 1000, summary.requests, e.status, e.connect + e.read + e.write + e.timeout))
end
