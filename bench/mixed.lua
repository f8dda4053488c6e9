-- Mixed load for the soak test: 60% GET by token, 20% GET by email, 10% PUT,
-- 10% POST (new users), over the seeded users.
dofile(os.getenv("BENCH_DIR") .. "/common.lua")
local tokens, emails
local counter = 0
local threads_made = 0

function setup(thread)
    threads_made = threads_made + 1
    thread:set("tid", threads_made)
end

function init(args)
    tokens = load_lines(os.getenv("BENCH_TOKENS"))
    emails = load_lines(os.getenv("BENCH_EMAILS"))
    math.randomseed(os.time() + math.floor(os.clock() * 1e6))
end

function request()
    local r = math.random(100)
    local h = { ["X-Bunker-Token"] = token, ["Content-Type"] = "application/json" }
    if r <= 60 then
        return wrk.format("GET", "/v1/user/token/" .. tokens[math.random(#tokens)], h)
    elseif r <= 80 then
        return wrk.format("GET", "/v1/user/email/" .. emails[math.random(#emails)], h)
    elseif r <= 90 then
        return wrk.format("PUT", "/v1/user/token/" .. tokens[math.random(#tokens)], h,
            '{"visits":' .. math.random(1000000) .. '}')
    end
    counter = counter + 1
    local id = string.format("%d-%d-%d", os.time(), tid or 0, counter)
    return wrk.format("POST", "/v1/user", h,
        '{"name":"Soak ' .. id .. '","email":"soak-' .. id .. '@example.com"}')
end
