-- wrk script of the scaling demo and benchmarks: counts every response by
-- its X-Instance header and whether its status is 2xx, then prints one
-- "labkit-wrk NAME VALUE" line per number, which scaling/src/demo/wrk.cc
-- parses. Latencies are in microseconds, as wrk records them. wrk keeps
-- connections alive and reads every response.
--
-- Each wrk thread runs its own copy of this script, so the counts live in
-- each thread's globals and done() adds them up through thread:get.

local threads = {}

-- With LABKIT_WRK_KEYS=N in the environment, each request is for
-- "/?key=K" with K drawn uniformly from 1 to N, so a balancer that hashes
-- the URI sees many keys. wrk decides whether to call request() before it
-- calls init, so the choice is made here, at load time.
local keys = tonumber(os.getenv("LABKIT_WRK_KEYS") or "")
if keys then
  function request()
    return wrk.format(nil, "/?key=" .. math.random(1, keys))
  end
end

function setup(thread)
  table.insert(threads, thread)
end

function init(args)
  by_instance = {}
  non_2xx = 0
end

function response(status, headers, body)
  if status < 200 or status > 299 then
    non_2xx = non_2xx + 1
  end
  -- HAProxy sends header names in lower case; the service sends X-Instance.
  local name = headers["X-Instance"] or headers["x-instance"] or "none"
  by_instance[name] = (by_instance[name] or 0) + 1
end

function done(summary, latency, requests)
  local errors = summary.errors
  local non_2xx_total = 0
  local instances = {}
  for _, thread in ipairs(threads) do
    non_2xx_total = non_2xx_total + thread:get("non_2xx")
    for name, count in pairs(thread:get("by_instance")) do
      instances[name] = (instances[name] or 0) + count
    end
  end

  local function put(name, value)
    io.write(string.format("labkit-wrk %s %s\n", name, tostring(value)))
  end
  put("requests", summary.requests)
  put("duration_us", summary.duration)
  put("p50_us", latency:percentile(50))
  put("p99_us", latency:percentile(99))
  put("max_us", latency.max)
  put("connect_errors", errors.connect)
  put("read_errors", errors.read)
  put("write_errors", errors.write)
  put("timeouts", errors.timeout)
  put("non_2xx", non_2xx_total)
  for name, count in pairs(instances) do
    io.write(string.format("labkit-wrk instance %s %d\n", name, count))
  end
end
