-- wrk script of the write rows: every request a PATCH of a random line's partner with that
-- line's token. MIX_FILE names a file of "token partner-id" lines (bench/mix_seed.py): the
-- partners of one tenant (writes that share a tenant, never a partner for long), or one partner
-- in each of many tenants. done() prints one RESULT line (result.lua).
local base = "/v1.0/deviceManagement/remoteAssistancePartners"
local here = debug.getinfo(1, "S").source:match("^@(.*/)")
dofile(here .. "lines.lua")

function request()
  local pick = pick_line()
  local headers = {
    ["Authorization"] = pick[1],
    ["Accept"] = "application/json",
    ["Content-Type"] = "application/json",
  }
  local body = string.format('{"displayName":"Partner %d"}', math.random(1000))
  return wrk.format("PATCH", base .. "/" .. pick[2], headers, body)
end

dofile(here .. "result.lua")
