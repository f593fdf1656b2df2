-- wrk script for every endpoint: METHOD, BODY and TOKEN come from the environment. done()
-- prints one RESULT line (result.lua).
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

dofile(debug.getinfo(1, "S").source:match("^@(.*/)") .. "result.lua")
