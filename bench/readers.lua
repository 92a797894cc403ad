-- wrk script for bench/readers.sh. MODE picks the request:
--   login  POST /api/login as the bench account
--   rate   POST /api/rate_book, a different book each time, round-robin over the sessions
--   home   GET / as a signed-in reader with ratings
-- Sessions (one cookie per line) come from bench/.sessions, ISBNs from bench/.isbns.
local mode = os.getenv("MODE") or "rate"
local sessions, isbns = {}, {}
for line in io.lines("bench/.sessions") do sessions[#sessions + 1] = line end
for line in io.lines("bench/.isbns") do isbns[#isbns + 1] = line end
local i = 0
local form = { ["Content-Type"] = "application/x-www-form-urlencoded" }

request = function()
  i = i + 1
  if mode == "login" then
    return wrk.format("POST", "/api/login", form, "username=" .. os.getenv("USER_NAME") .. "&password=bench+passphrase+here")
  elseif mode == "home" then
    local h = { ["Cookie"] = "shelfwise_session=" .. sessions[1] }
    -- ENCODING="zstd, gzip, br" asks for a compressed page, as a browser does.
    if os.getenv("ENCODING") then h["Accept-Encoding"] = os.getenv("ENCODING") end
    return wrk.format("GET", "/", h)
  end
  local headers = {
    ["Content-Type"] = "application/x-www-form-urlencoded",
    ["Cookie"] = "shelfwise_session=" .. sessions[(i % #sessions) + 1],
  }
  local body = "isbn=" .. isbns[(i % #isbns) + 1] .. "&stars=" .. tostring(i % 5 + 1)
  return wrk.format("POST", "/api/rate_book", headers, body)
end

done = function(summary, latency, requests)
  io.write(string.format("%s: %d requests, %d errors (status %d, timeout %d), %.0f req/s, p50 %.2f ms, p99 %.2f ms\n",
    mode, summary.requests, summary.errors.status + summary.errors.timeout + summary.errors.connect + summary.errors.read + summary.errors.write,
    summary.errors.status, summary.errors.timeout, summary.requests / (summary.duration / 1e6),
    latency:percentile(50) / 1000, latency:percentile(99) / 1000))
end
