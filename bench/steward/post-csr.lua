-- wrk script: POST one DER CSR (file $CSR) to the Steward, count answers by status, print p50/p99 in ms.
local f = assert(io.open(os.getenv("CSR"), "rb"))
local body = f:read("*a")
f:close()

wrk.method = "POST"
wrk.path = os.getenv("STEWARD_PATH") or "/"
wrk.body = body
wrk.headers["Content-Type"] = "application/pkcs10"

done = function(summary, latency, requests)
  local seconds = summary.duration / 1e6
  local bad = summary.errors.status + summary.errors.connect + summary.errors.read + summary.errors.write + summary.errors.timeout
  io.write(string.format("RESULT requests %d ok %d failed %d seconds %.1f per_second %.0f p50_ms %.2f p90_ms %.2f p99_ms %.2f\n",
    summary.requests, summary.requests - bad, bad, seconds, (summary.requests - bad) / seconds,
    latency:percentile(50) / 1000, latency:percentile(90) / 1000, latency:percentile(99) / 1000))
end
