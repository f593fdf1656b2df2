-- The "token partner-id" lines of MIX_FILE (bench/mix_seed.py), read by init() into `lines` as
-- {"Bearer <token>", partner-id}, and the random pick each request makes of them. Loaded with
-- dofile() beside the script that uses it, before that script's request().
lines = {}

function init(args)
  for line in io.lines(os.getenv("MIX_FILE")) do
    local token, id = line:match("^(%S+) (%S+)$")
    lines[#lines + 1] = { "Bearer " .. token, id }
  end
  math.randomseed(os.time() + (tonumber(tostring({}):match("0x(%x+)"), 16) or 0))
end

function pick_line()
  return lines[math.random(#lines)]
end
