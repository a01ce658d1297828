#!/usr/bin/env bash
# Instructions per request, counted by valgrind's callgrind: for every library and
# scenario 1-5, runs the `callgrind` bench binary for 20,000 and for 10,000 requests and
# divides the difference by 10,000, so start-up and set-up cancel out.
#
#   scripts/callgrind.sh [scenario...]      (default: 1 2 3 4 5)
#
# Writes benches/results/callgrind.json and prints a table. Counts are repeatable on a
# noisy machine, unlike times.
set -euo pipefail
cd "$(dirname "$0")/.."

command -v valgrind >/dev/null || { echo "valgrind is needed (apt-get install valgrind)" >&2; exit 1; }
scenarios=("${@:-1 2 3 4 5}")
read -r -a scenarios <<<"${scenarios[*]}"
libraries=(bare ours tower-sessions)
large=20000
small=10000

exe=$(cargo bench --bench callgrind --no-run --message-format=json 2>/dev/null |
  python3 -c 'import json,sys
for line in sys.stdin:
    m = json.loads(line)
    if m.get("reason") == "compiler-artifact" and m["target"]["name"] == "callgrind" and m.get("executable"):
        print(m["executable"])')
[ -x "$exe" ] || { echo "could not build the callgrind driver" >&2; exit 1; }

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

instructions() { # library scenario requests
  local out="$work/$1-$2-$3.out"
  valgrind --tool=callgrind --callgrind-out-file="$out" "$exe" "$1" "$2" "$3" >/dev/null 2>&1
  awk '/^(summary|totals):/ { print $2; exit }' "$out"
}

results=benches/results/callgrind.json
{
  echo "{"
  echo "  \"method\": \"valgrind --tool=callgrind, (Ir of $large requests - Ir of $small requests) / $((large - small))\","
  echo "  \"valgrind\": \"$(valgrind --version)\","
  echo "  \"instructions_per_request\": {"
  first_scenario=1
  for s in "${scenarios[@]}"; do
    [ $first_scenario = 1 ] || echo ","
    first_scenario=0
    printf '    "%s": {' "$s"
    first_lib=1
    for lib in "${libraries[@]}"; do
      a=$(instructions "$lib" "$s" $large)
      b=$(instructions "$lib" "$s" $small)
      per=$(( (a - b) / (large - small) ))
      [ $first_lib = 1 ] || printf ', '
      first_lib=0
      printf '"%s": %d' "$lib" "$per"
      echo "scenario $s $lib: $per instructions/request" >&2
    done
    printf '}'
  done
  echo
  echo "  }"
  echo "}"
} >"$results.tmp"
mv "$results.tmp" "$results"

python3 - "$results" <<'PY'
import json, sys
data = json.load(open(sys.argv[1]))["instructions_per_request"]
print(f"{'scenario':<10}{'bare':>10}{'ours':>10}{'tower':>10}{'ours over':>11}{'tower over':>12}{'ratio':>8}")
for s, row in data.items():
    bare, ours, tower = row["bare"], row["ours"], row["tower-sessions"]
    o, t = ours - bare, tower - bare
    ratio = f"{o / t:.2f}" if t else "-"
    print(f"{s:<10}{bare:>10}{ours:>10}{tower:>10}{o:>11}{t:>12}{ratio:>8}")
PY
