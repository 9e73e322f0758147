-- wrk script for bench/run.py: each request submits a different learner's open quiz attempt.
-- BENCH_QUIZ_FILE holds one "path<TAB>cookie<TAB>body" line per attempt; threads take turns.
local threads = {}
local count = 0

function setup(thread)
  count = count + 1
  thread:set("tid", count)
  table.insert(threads, thread)
end

function init(args)
  lines = {}
  for line in io.lines(os.getenv("BENCH_QUIZ_FILE")) do
    local path, cookie, body = line:match("([^\t]+)\t([^\t]+)\t([^\t]+)")
    lines[#lines + 1] = {path, cookie, body}
  end
  nthreads = tonumber(os.getenv("BENCH_THREADS"))
  index = tid
  reused = 0
end

function request()
  local i = index
  index = index + nthreads
  if i > #lines then
    reused = reused + 1
    i = ((i - 1) % #lines) + 1
  end
  local item = lines[i]
  return wrk.format("POST", item[1], {
    ["Cookie"] = item[2], ["Content-Type"] = "application/x-www-form-urlencoded",
    ["Accept-Encoding"] = "br, gzip", ["Sec-Fetch-Site"] = "same-origin",
    ["Accept-Language"] = "en", ["User-Agent"] = os.getenv("BENCH_USER_AGENT")}, item[3])
end

function done(summary, latency, requests)
  local total = 0
  for _, thread in ipairs(threads) do total = total + thread:get("reused") end
  io.write(string.format("REUSED %d\n", total))
end
