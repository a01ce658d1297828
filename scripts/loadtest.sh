#!/usr/bin/env bash
# Loopback load test: the demo's GET /counter (ours, memory store) against the same
# route on tower-sessions and on bare axum, each served by a release build on
# 127.0.0.1, driven by wrk (bounded: one thread, 16 connections, DURATION seconds),
# servers alternating for ROUNDS rounds. SESSIONS sessions (default 1) are created up
# front and the requests take their cookies in turn (through a wrk Lua script when
# there are several), so each request reads and writes an existing session.
#
#   scripts/loadtest.sh            (ROUNDS=3 DURATION=10 by default)
#   REDIS=1 scripts/loadtest.sh    the same on Redis: ours (the demo with REDIS_URL)
#                                  against tower-sessions-redis-store, on a private
#                                  redis-server started on 127.0.0.1:6390
#
# Reports req/s and the server's CPU time per request (utime + stime from
# /proc/<pid>/stat over the run, divided by the requests wrk completed), and writes
# benches/results/loadtest.json (loadtest-redis.json with REDIS=1).
set -euo pipefail
cd "$(dirname "$0")/.."

ROUNDS=${ROUNDS:-3}
DURATION=${DURATION:-10}
CONNECTIONS=${CONNECTIONS:-16}
SESSIONS=${SESSIONS:-1}
command -v wrk >/dev/null || { echo "wrk is needed (apt-get install wrk)" >&2; exit 1; }

cargo build --release --example demo --example bench_server_bare \
  --example bench_server_tower_sessions >&2
target=${CARGO_TARGET_DIR:-target}/release/examples

libraries=(bare ours tower-sessions)
declare -A port=([bare]=3101 [ours]=3102 [tower-sessions]=3103)
declare -A binary=([bare]=$target/bench_server_bare [ours]=$target/demo
  [tower-sessions]=$target/bench_server_tower_sessions)
results=benches/results/loadtest.json
pids=()
trap 'for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done' EXIT

if [ "${REDIS:-0}" = 1 ]; then
  command -v redis-server >/dev/null || { echo "redis-server is needed" >&2; exit 1; }
  redis_target=${CARGO_TARGET_DIR:-$PWD/target}-redis-compare
  CARGO_TARGET_DIR=$redis_target cargo build --release \
    --manifest-path benches/redis-compare/Cargo.toml >&2
  redis-server --port 6390 --bind 127.0.0.1 --save "" --appendonly no >/dev/null &
  pids+=($!)
  redis_pid=$!
  export REDIS_URL=redis://127.0.0.1:6390
  for _ in $(seq 50); do redis-cli -p 6390 ping >/dev/null 2>&1 && break; sleep 0.1; done
  libraries=(bare ours tower-sessions-redis-store)
  port[tower-sessions-redis-store]=3104
  binary[tower-sessions-redis-store]=$redis_target/release/redis-compare
  results=benches/results/loadtest-redis.json
fi

for lib in "${libraries[@]}"; do
  RUST_LOG=warn PORT=${port[$lib]} "${binary[$lib]}" >/dev/null 2>&1 &
  pids+=($!)
  declare "pid_${lib//-/_}=$!"
done
for lib in "${libraries[@]}"; do
  for _ in $(seq 50); do
    curl -s -o /dev/null "http://127.0.0.1:${port[$lib]}/counter" && break
    sleep 0.1
  done
done

# CPU ticks (utime + stime) of a process.
ticks() { awk '{ print $14 + $15 }' "/proc/$1/stat"; }
hz=$(getconf CLK_TCK)
work=$(mktemp -d)
echo '{"rounds": []}' >"$work/results.json"

for round in $(seq "$ROUNDS"); do
  for lib in "${libraries[@]}"; do
    url="http://127.0.0.1:${port[$lib]}/counter"
    # The sessions of this run, created before the clock starts; wrk's script hands
    # their cookies to the requests in turn.
    : >"$work/cookies"
    for _ in $(seq "$SESSIONS"); do
      curl -s -D - -o /dev/null "$url" |
        awk -F'[:;] *' 'tolower($1) == "set-cookie" { print $2; exit }' >>"$work/cookies"
    done
    script=()
    if [ "$(wc -l <"$work/cookies")" = 1 ]; then
      # One session: a fixed header, no script (wrk then sends prepared requests).
      script=(-H "Cookie: $(cat "$work/cookies")")
    elif [ -s "$work/cookies" ]; then
      {
        echo "local cookies = {"
        sed 's/.*/  "&",/' "$work/cookies"
        echo "}"
        echo "local n = 0"
        echo "request = function()"
        echo "  n = n + 1"
        echo '  return wrk.format(nil, nil, { ["Cookie"] = cookies[n % #cookies + 1] })'
        echo "end"
      } >"$work/cookies.lua"
      script=(-s "$work/cookies.lua")
    fi
    pid_var="pid_${lib//-/_}"
    pid=${!pid_var}
    before=$(ticks "$pid")
    redis_before=$( [ -n "${redis_pid:-}" ] && ticks "$redis_pid" || echo 0)
    wrk -t1 -c"$CONNECTIONS" -d"${DURATION}s" "${script[@]}" "$url" >"$work/wrk.txt"
    after=$(ticks "$pid")
    redis_after=$( [ -n "${redis_pid:-}" ] && ticks "$redis_pid" || echo 0)
    requests=$(awk '/requests in/ { print $1; exit }' "$work/wrk.txt")
    rps=$(awk '/Requests\/sec/ { print $2; exit }' "$work/wrk.txt")
    cpu_us=$(python3 -c "print(round(($after - $before) / $hz * 1e6 / $requests, 2))")
    redis_us=$(python3 -c "print(round(($redis_after - $redis_before) / $hz * 1e6 / $requests, 2))")
    echo "round $round  $lib: $rps req/s, ${cpu_us} µs server CPU per request${redis_pid:+, ${redis_us} µs redis-server CPU}" >&2
    python3 - "$work/results.json" "$round" "$lib" "$rps" "$cpu_us" "$requests" "$redis_us" <<'PY'
import json, sys
path, round_, lib, rps, cpu, requests, redis = sys.argv[1:]
data = json.load(open(path))
data["rounds"].append({"round": int(round_), "library": lib, "requests_per_second": float(rps),
                       "server_cpu_us_per_request": float(cpu), "requests": int(requests),
                       "redis_cpu_us_per_request": float(redis)})
json.dump(data, open(path, "w"), indent=2)
PY
  done
done

python3 - "$work/results.json" "$CONNECTIONS" "$DURATION" "$SESSIONS" "${libraries[@]}" <<'PY' >"$results"
import json, statistics, sys
data = json.load(open(sys.argv[1]))
summary = {}
for lib in sys.argv[5:]:
    runs = [r for r in data["rounds"] if r["library"] == lib]
    summary[lib] = {
        "requests_per_second": statistics.median(r["requests_per_second"] for r in runs),
        "server_cpu_us_per_request": statistics.median(r["server_cpu_us_per_request"] for r in runs),
        "redis_cpu_us_per_request": statistics.median(r["redis_cpu_us_per_request"] for r in runs),
    }
data["median"] = summary
data["method"] = (f"wrk -t1 -c{sys.argv[2]} -d{sys.argv[3]}s on 127.0.0.1, GET /counter with the "
                  f"cookies of {sys.argv[4]} sessions in turn, servers alternating; "
                  "CPU = utime+stime of the server process")
print(json.dumps(data, indent=2))
PY
python3 - "$results" <<'PY'
import json, sys
m = json.load(open(sys.argv[1]))["median"]
bare, ours, ts = m["bare"], m["ours"], m[[k for k in m if k.startswith("tower")][0]]
for lib, r in m.items():
    redis = f", redis-server {r['redis_cpu_us_per_request']:.2f} µs" if r["redis_cpu_us_per_request"] else ""
    print(f"{lib:<28}{r['requests_per_second']:>10.0f} req/s{r['server_cpu_us_per_request']:>8.2f} µs CPU/request{redis}")
o = ours["server_cpu_us_per_request"] - bare["server_cpu_us_per_request"]
t = ts["server_cpu_us_per_request"] - bare["server_cpu_us_per_request"]
print(f"CPU over bare: ours {o:.2f} µs, tower-sessions {t:.2f} µs (ratio {o / t:.2f}, target <= 0.25)")
print(f"req/s vs bare: ours {ours['requests_per_second'] / bare['requests_per_second']:.2f} (target >= 0.9)")
print(f"req/s vs tower-sessions: ours {ours['requests_per_second'] / ts['requests_per_second']:.2f}")
PY
