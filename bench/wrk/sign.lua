-- POST signatures with unique emails, a valid CSRF session and a client IP from a trusted
-- proxy header (bench/signing.py). BENCH_SESSIONS holds "cookie|token" pairs, ";"-separated;
-- BENCH_RUN makes emails unique across runs against the same database.
dofile(os.getenv("BENCH_WRK_DIR") .. "/report.lua")

local sessions = {}
for pair in string.gmatch(os.getenv("BENCH_SESSIONS") or "|", "[^;]+") do
  local cookie, token = string.match(pair, "^(.-)|(.*)$")
  table.insert(sessions, { cookie = cookie, token = token })
end
local zips = { "10001", "94110", "60614", "02139" }
local run = os.getenv("BENCH_RUN") or "run"
local session
local counter = 0

function init(args)
  session = sessions[(id - 1) % #sessions + 1]
  math.randomseed(id * 7919 + os.time())
end

function request()
  counter = counter + 1
  local email = string.format("%s-%d-%d%%40bench.example", run, id, counter)
  local ip = string.format("10.%d.%d.%d", id, math.random(0, 255), math.random(1, 254))
  local body = "name=Bench+Signer&email=" .. email .. "&zip=" .. zips[counter % #zips + 1]
    .. "&show_publicly=y&csrf_token=" .. session.token
  local headers = {
    ["Content-Type"] = "application/x-www-form-urlencoded",
    ["X-Forwarded-For"] = ip,
  }
  if session.cookie ~= "" then headers["Cookie"] = session.cookie end
  return wrk.format("POST", nil, headers, body)
end
