-- wrk script for yelpsearch's GET /search: rotates through a list of queries.
--
--   QUERIES=bench-out/queries.tsv wrk -t2 -c16 -d30s --latency -s service/bench/search.lua http://127.0.0.1:8080
--
-- QUERIES: one query a line, tab-separated, the last two fields being the zipcode and
-- the need (so both "61820<TAB>pasta" and make_qrels.py's "qid<TAB>61820<TAB>pasta"
-- work). Without it, a few built-in queries are used. LIMIT (default 10) is sent as
-- limit=. Each thread walks the list from its own offset, so the same set of queries
-- is spread over all connections.

local queries = {}
local limit = os.getenv("LIMIT") or "10"

local function urlencode(s)
  return (s:gsub("[^%w%-_%.~]", function(c) return string.format("%%%02X", string.byte(c)) end))
end

local function load(path)
  local f = assert(io.open(path, "r"), "cannot read QUERIES=" .. path)
  local out = {}
  for line in f:lines() do
    local fields = {}
    for field in line:gmatch("[^\t]+") do fields[#fields + 1] = field end
    if #fields >= 2 then
      local zip, need = fields[#fields - 1], fields[#fields]
      out[#out + 1] = "/search?zip=" .. urlencode(zip) .. "&q=" .. urlencode(need) .. "&limit=" .. limit
    end
  end
  f:close()
  assert(#out > 0, "no queries in " .. path)
  return out
end

local path = os.getenv("QUERIES")
if path then
  queries = load(path)
else
  for _, q in ipairs({"61820 pizza", "61820 pasta", "61820 coffee", "61820 burger", "61820 sushi"}) do
    queries[#queries + 1] = "/search?q=" .. urlencode(q) .. "&limit=" .. limit
  end
end

local threads = {}
local counter = 0

function setup(thread)
  counter = counter + 1
  thread:set("id", counter)
  threads[#threads + 1] = thread
end

function init(args)
  -- Spread the threads over the list.
  i = math.floor((id - 1) * #queries / math.max(1, counter))
  non200 = 0
end

function request()
  i = (i % #queries) + 1
  return wrk.format("GET", queries[i])
end

function response(status, headers, body)
  if status ~= 200 then non200 = non200 + 1 end
end

function done(summary, latency, requests)
  local bad = 0
  for _, t in ipairs(threads) do bad = bad + (t:get("non200") or 0) end
  local secs = summary.duration / 1e6
  io.write(string.format(
    "RESULT queries=%d requests=%d rps=%.1f p50_ms=%.2f p90_ms=%.2f p99_ms=%.2f max_ms=%.2f non200=%d socket_errors=%d\n",
    #queries, summary.requests, summary.requests / secs,
    latency:percentile(50) / 1000, latency:percentile(90) / 1000, latency:percentile(99) / 1000,
    latency.max / 1000, bad,
    summary.errors.connect + summary.errors.read + summary.errors.write + summary.errors.timeout))
end
