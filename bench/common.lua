-- Shared by every benchmark script: the root token, a result line per run,
-- and a loader for the identity files the driver writes.
token = os.getenv("BENCH_TOKEN") or "DEMO"

function load_lines(path)
    local t = {}
    local f = io.open(path, "r")
    if f == nil then
        return t
    end
    for line in f:lines() do
        t[#t + 1] = line
    end
    f:close()
    return t
end

function done(summary, latency, requests)
    local secs = summary.duration / 1e6
    local errs = summary.errors.status + summary.errors.connect + summary.errors.read
        + summary.errors.write + summary.errors.timeout
    io.write(string.format("RESULT %.1f %.3f %.3f %d %d\n", summary.requests / secs,
        latency:percentile(50) / 1000, latency:percentile(99) / 1000, errs, summary.requests))
end
