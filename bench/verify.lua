-- wrk script for bench/certificates.py: /verify/<code> for random codes (BENCH_CODES: one a line).
function init(args)
  codes = {}
  for line in io.lines(os.getenv("BENCH_CODES")) do codes[#codes + 1] = line end
  math.randomseed(os.time() + tonumber(tostring({}):sub(8), 16) % 1000)
end

function request()
  return wrk.format("GET", "/verify/" .. codes[math.random(#codes)])
end
