-- POST /v1/user with a unique email, login and phone per request (durable write).
dofile(os.getenv("BENCH_DIR") .. "/common.lua")
local counter = 0
local threads_made = 0
-- A tag of this run (seconds and a random part), so repeated runs never
-- collide on email, login or phone.
math.randomseed(os.time() * 1000 + math.floor(os.clock() * 1e6) % 1000)
local tag = math.random(0, 9999)
local run = string.format("%d%04d", os.time(), tag)

-- setup() runs in the main Lua state; "tid" becomes a global of each thread's state.
function setup(thread)
    threads_made = threads_made + 1
    thread:set("tid", threads_made)
end

function request()
    counter = counter + 1
    local id = string.format("%s-%d-%d", run, tid or 0, counter)
    local body = string.format(
        '{"first":"Bench","last":"User %s","email":"bench-%s@example.com","login":"bench-%s",' ..
        '"phone":"+1%04d%07d%d","address":{"city":"London","zip":"N1 9GU"}}',
        id, id, id, tag, counter % 10000000, tid or 0)
    return wrk.format("POST", "/v1/user", {
        ["X-Bunker-Token"] = token, ["Content-Type"] = "application/json" }, body)
end
