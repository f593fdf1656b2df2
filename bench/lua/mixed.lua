-- wrk script of the mixed workload: every request with its own tenant's token, 90 % reads
-- (GET item, GET list with $filter) and 10 % writes (PATCH), spread over partners. MIX_FILE
-- names a file of "token partner-id" lines (one per tenant), written by bench/mix_seed.py.
-- done() prints one RESULT line (result.lua).
local base = "/v1.0/deviceManagement/remoteAssistancePartners"
local filter = "?$filter=startswith(displayName,'Partner%201')"
local here = debug.getinfo(1, "S").source:match("^@(.*/)")
dofile(here .. "lines.lua")

function request()
  local pick = pick_line()
  local headers = { ["Authorization"] = pick[1], ["Accept"] = "application/json" }
  local roll = math.random(100)
  if roll <= 10 then
    headers["Content-Type"] = "application/json"
    local body = string.format('{"displayName":"Partner %d"}', math.random(1000))
    return wrk.format("PATCH", base .. "/" .. pick[2], headers, body)
  elseif roll <= 55 then
    return wrk.format("GET", base .. "/" .. pick[2], headers)
  else
    return wrk.format("GET", base .. filter, headers)
  end
end

dofile(here .. "result.lua")
