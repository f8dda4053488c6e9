-- GET /v1/user/token/{token} over the seeded users.
dofile(os.getenv("BENCH_DIR") .. "/common.lua")
local tokens

function init(args)
    tokens = load_lines(os.getenv("BENCH_TOKENS"))
    math.randomseed(os.time() + math.floor(os.clock() * 1e6))
end

function request()
    local t = tokens[math.random(#tokens)]
    return wrk.format("GET", "/v1/user/token/" .. t, { ["X-Bunker-Token"] = token })
end
