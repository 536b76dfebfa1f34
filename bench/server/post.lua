-- bench/server: POST the body in $WRK_BODY_FILE with Content-Type JSON;
-- with $WRK_DELAY_MS, each connection waits that long between requests
-- (pacing to an approximate fixed rate: connections / delay).
local f = assert(io.open(os.getenv("WRK_BODY_FILE"), "rb"))
wrk.method = "POST"
wrk.body = f:read("*a")
f:close()
wrk.headers["Content-Type"] = "application/json"
local d = tonumber(os.getenv("WRK_DELAY_MS") or "")
if d and d > 0 then
  function delay() return d end
end
