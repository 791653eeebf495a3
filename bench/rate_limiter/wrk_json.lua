-- wrk script: after the run, prints one JSON line with the numbers the
-- rate-limiter load scripts compare. Latencies are in microseconds, as wrk
-- records them. socket_errors adds up wrk's connect, read, write and timeout
-- errors, and status_errors counts responses with a status of 400 or more.
done = function(summary, latency, requests)
  local errors = summary.errors
  local seconds = summary.duration / 1e6
  io.write(string.format(
    '{"requests":%d,"seconds":%.3f,"rps":%.1f,"p50_us":%d,"p99_us":%d,' ..
    '"max_us":%d,"socket_errors":%d,"connect_errors":%d,"read_errors":%d,' ..
    '"write_errors":%d,"timeouts":%d,"status_errors":%d}\n',
    summary.requests, seconds, summary.requests / seconds,
    latency:percentile(50), latency:percentile(99), latency.max,
    errors.connect + errors.read + errors.write + errors.timeout,
    errors.connect, errors.read, errors.write, errors.timeout, errors.status))
end
