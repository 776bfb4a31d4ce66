-- wrk script for yelpsearch: GET /search over a spread of zips and terms.
--   wrk -t4 -c64 -d5m --latency -s service/deploy/loadtest/search.lua http://<nlb-dns-name>
-- QUERIES=path/to/queries.csv (header zip,q) replaces the built-in list.

local queries = {
  {"19103", "cheesesteak"}, {"19107", "dim sum"}, {"33602", "cuban sandwich"},
  {"46204", "breakfast"}, {"37203", "hot chicken"}, {"85701", "tacos"},
  {"70130", "po boy"}, {"89501", "sushi"}, {"63101", "toasted ravioli"},
  {"93101", "wine bar"}, {"83702", "coffee"}, {"61820", "pasta"},
}

local function load_csv(path)
  local f = io.open(path, "r")
  if not f then return nil end
  local rows, first = {}, true
  for line in f:lines() do
    if first then first = false else
      local z, q = line:match("^%s*([^,]+),%s*(.-)%s*$")
      if z and q and q ~= "" then rows[#rows + 1] = {z, q} end
    end
  end
  f:close()
  if #rows > 0 then return rows end
  return nil
end

local function urlencode(s)
  return (s:gsub("[^%w%-_%.~]", function(c) return string.format("%%%02X", string.byte(c)) end))
end

local path = os.getenv("QUERIES")
if path then queries = load_csv(path) or error("cannot read queries from " .. path) end

local threads = {}
function setup(thread)
  thread:set("id", #threads + 1)
  threads[#threads + 1] = thread
end

function init(args)
  math.randomseed(os.time() + id * 7919)
  non200 = 0
end

function request()
  local q = queries[math.random(#queries)]
  return wrk.format("GET", "/search?zip=" .. q[1] .. "&q=" .. urlencode(q[2]) .. "&limit=10")
end

function response(status, headers, body)
  if status ~= 200 then non200 = non200 + 1 end
end

function done(summary, latency, requests)
  local bad = 0
  for _, t in ipairs(threads) do bad = bad + (t:get("non200") or 0) end
  io.write(string.format("requests: %d, non-200: %d, errors(connect/read/write/timeout): %d/%d/%d/%d\n",
    summary.requests, bad, summary.errors.connect, summary.errors.read, summary.errors.write, summary.errors.timeout))
  for _, p in ipairs({50, 90, 99, 99.9}) do
    io.write(string.format("p%-5s %8.2f ms\n", p, latency:percentile(p) / 1000))
  end
end
