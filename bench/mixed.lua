-- wrk script for bench/run.py: a signed-in learner's mix of pages (BENCH_MIXED: paths, one a line).
function init(args)
  paths = {}
  for line in io.lines(os.getenv("BENCH_MIXED")) do paths[#paths + 1] = line end
  index = 0
end

function request()
  index = index % #paths + 1
  return wrk.format("GET", paths[index])
end
