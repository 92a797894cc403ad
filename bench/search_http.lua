-- wrk script: POST the search server function with real catalog titles, cut and misspelt the
-- way readers type them. Queries come from bench/queries.txt (one per line), written by
-- `cargo run --release -p engine --example search_bench -- --write-queries bench/queries.txt`.
local queries = {}
for line in io.lines("bench/queries.txt") do
  queries[#queries + 1] = line
end
local i = 0

local function urlencode(s)
  return (s:gsub("[^%w%-_%.~]", function(c) return string.format("%%%02X", string.byte(c)) end))
end

request = function()
  i = i % #queries + 1
  local body = "query=" .. urlencode(queries[i]) .. "&limit=8"
  return wrk.format("POST", "/api/search_books", {
    ["Content-Type"] = "application/x-www-form-urlencoded",
  }, body)
end
