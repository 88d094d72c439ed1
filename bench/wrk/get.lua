-- GET the URL given to wrk; report statuses and latency (bench/pages.py).
dofile(os.getenv("BENCH_WRK_DIR") .. "/report.lua")
