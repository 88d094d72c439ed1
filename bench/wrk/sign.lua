-- POST signatures as a browser sends the form: unique emails, `Sec-Fetch-Site: same-origin`
-- and `Origin`, no cookie, and a client IP from a trusted proxy header (bench/signing.py).
-- BENCH_RUN makes emails unique across runs against the same database.
dofile(os.getenv("BENCH_WRK_DIR") .. "/report.lua")

local zips = { "10001", "94110", "60614", "02139" }
local run = os.getenv("BENCH_RUN") or "run"
local origin = wrk.scheme .. "://" .. wrk.host .. ":" .. wrk.port
local counter = 0

function init(args)
  math.randomseed(id * 7919 + os.time())
end

function request()
  counter = counter + 1
  local email = string.format("%s-%d-%d%%40bench.example", run, id, counter)
  local ip = string.format("10.%d.%d.%d", id, math.random(0, 255), math.random(1, 254))
  local body = "name=Bench+Signer&email=" .. email .. "&zip=" .. zips[counter % #zips + 1]
    .. "&show_publicly=y"
  local headers = {
    ["Content-Type"] = "application/x-www-form-urlencoded",
    ["Sec-Fetch-Site"] = "same-origin",
    ["Origin"] = origin,
    ["X-Forwarded-For"] = ip,
  }
  return wrk.format("POST", nil, headers, body)
end
