-- GET /v1/user/email/{email} over the seeded users (blind-index lookup).
dofile(os.getenv("BENCH_DIR") .. "/common.lua")
local emails

function init(args)
    emails = load_lines(os.getenv("BENCH_EMAILS"))
    math.randomseed(os.time() + math.floor(os.clock() * 1e6))
end

function request()
    local e = emails[math.random(#emails)]
    return wrk.format("GET", "/v1/user/email/" .. e, { ["X-Bunker-Token"] = token })
end
