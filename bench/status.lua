-- GET /v1/status: the HTTP ceiling of our own stack.
dofile(os.getenv("BENCH_DIR") .. "/common.lua")
wrk.method = "GET"
wrk.path = "/v1/status"
