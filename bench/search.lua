-- POST /v2/UserSearch with a one-letter typo of a seeded email (fuzzy search).
dofile(os.getenv("BENCH_DIR") .. "/common.lua")
local emails
local unlock = os.getenv("BENCH_UNLOCK")

function init(args)
    emails = load_lines(os.getenv("BENCH_EMAILS"))
    math.randomseed(os.time() + math.floor(os.clock() * 1e6))
end

function request()
    local e = emails[math.random(#emails)]
    local typo = e:sub(1, 2) .. "x" .. e:sub(4)
    return wrk.format("POST", "/v2/UserSearch", {
        ["X-Bunker-Token"] = token, ["Content-Type"] = "application/json" },
        '{"mode":"email","identity":"' .. typo .. '","unlockuuid":"' .. unlock .. '"}')
end
