-- wrk script: POST DER CSRs to the Steward: the one file $CSR, or in turn every file listed (one path per line) in
-- $CSR_LIST. Prints a RESULT line: answered requests, failures (non-2xx, socket errors, timeouts), p50/p90/p99 in ms.
local bodies = {}
if (os.getenv("CSR_LIST") or "") ~= "" then
  for path in io.lines(os.getenv("CSR_LIST")) do bodies[#bodies + 1] = path end
else
  bodies[1] = os.getenv("CSR")
end
for k, path in ipairs(bodies) do
  local f = assert(io.open(path, "rb"))
  bodies[k] = f:read("*a")
  f:close()
end
local i = 0
local headers = { ["Content-Type"] = "application/pkcs10" }
local requests = {}

-- formatted once, so that wrk (which shares the 2 cores with the Steward) spends as little as it can per request
init = function(args)
  for k, body in ipairs(bodies) do requests[k] = wrk.format("POST", "/", headers, body) end
end

request = function()
  i = i % #requests + 1
  return requests[i]
end

done = function(summary, latency, requests)
  local seconds = summary.duration / 1e6
  local bad = summary.errors.status + summary.errors.connect + summary.errors.read + summary.errors.write + summary.errors.timeout
  io.write(string.format("RESULT requests %d ok %d failed %d seconds %.1f per_second %.0f p50_ms %.2f p90_ms %.2f p99_ms %.2f\n",
    summary.requests, summary.requests - bad, bad, seconds, (summary.requests - bad) / seconds,
    latency:percentile(50) / 1000, latency:percentile(90) / 1000, latency:percentile(99) / 1000))
end
