#!/usr/bin/env bash
# Benchmarks (never part of the test suite). Builds Release, then measures:
#   1. rule evaluation on the shipped rules, in process, facts prepared
#   2. the guard's verdicts per second with 90 days of history
#   3. a full pass over the real UCI portfolio into SQLite
#   4. a full pass over a synthetic portfolio (default 1 000 000 customers)
# and writes tests/bench/results/latest.md and latest.json with the machine,
# versions and date. Usage: tests/bench/run.sh [--rules] [CUSTOMERS]
# (--rules: only measure 1; the file then has that row only)
set -euo pipefail
cd "$(dirname "$0")/../.."
only_rules=no
if [ "${1:-}" = --rules ]; then only_rules=yes; shift; fi
N=${1:-1000000}
./scripts/install-deps.sh > /dev/null
./scripts/build.sh Release > /dev/null
out=tests/bench/results
work=$(mktemp -d /tmp/dunningd-bench.XXXXXX)
trap 'rm -rf "$work"' EXIT
mkdir -p "$out"
json="$work/results.json"
echo '{}' > "$json"
put() {  # put KEY VALUE(JSON)
  /usr/bin/python3 - "$json" "$1" "$2" <<'PY'
import json, sys
path, key, value = sys.argv[1], sys.argv[2], json.loads(sys.argv[3])
d = json.load(open(path)); d[key] = value; json.dump(d, open(path, "w"), indent=2)
PY
}
median() { sort -n | awk '{a[NR]=$1} END {print (NR%2 ? a[(NR+1)/2] : (a[NR/2]+a[NR/2+1])/2)}'; }

echo "== 1. rule evaluation (shipped rules, 200000 facts, median of 5)"
# "N decisions in S s: RATE decisions/s (rule set V)"
rate=$(for i in 1 2 3 4 5; do build/bench_rules 200000 rules \
  | awk '/decisions\/s/ {for (i = 1; i < NF; i++) if ($(i + 1) == "decisions/s") print $i}'; done | median)
echo "   $rate decisions/s"
put rules_decisions_per_second "$rate"
put load_average_at_start "$(cut -d' ' -f1 /proc/loadavg)"

if [ "$only_rules" = no ]; then
echo "== 2. guard verdicts (median of 5 rounds; also writes $out/guard.md)"
rate=$(build/bench_guard 5000000 "$out/guard.md" | awk '/^median:/ {print $2}')
echo "   $rate verdicts/s"
put guard_verdicts_per_second "$rate"

echo "== 3. full pass over the UCI portfolio"
/usr/bin/python3 examples/convert_uci.py --output "$work/uci.ndjson" 2> /dev/null
build/dunningd import --store "sqlite:$work/uci.db" "$work/uci.ndjson" 2> /dev/null || true
/usr/bin/time -f '%e %M' -o "$work/time" build/dunningd pass --store "sqlite:$work/uci.db" \
  --rules rules --at 2005-10-03T07:00:00Z 2> "$work/pass.log"
read -r secs rss < "$work/time"
custs=$(grep -o 'pass: [0-9]* customers' "$work/pass.log" | awk '{print $2}')
echo "   $custs customers in ${secs}s, max RSS ${rss} KiB"
put uci_pass "{\"customers\": $custs, \"seconds\": $secs, \"max_rss_kib\": $rss}"

echo "== 4. full pass over $N synthetic customers"
/usr/bin/python3 examples/gen_synthetic.py --customers "$N" --output "$work/syn.ndjson" 2> /dev/null
build/dunningd import --store "sqlite:$work/syn.db" "$work/syn.ndjson" 2> /dev/null || true
/usr/bin/time -f '%e %M' -o "$work/time" build/dunningd pass --store "sqlite:$work/syn.db" \
  --rules rules --at 2026-12-03T09:00:00Z 2> "$work/pass.log"
read -r secs rss < "$work/time"
custs=$(grep -o 'pass: [0-9]* customers' "$work/pass.log" | awk '{print $2}')
echo "   $custs customers in ${secs}s, max RSS ${rss} KiB"
put synthetic_pass "{\"customers\": $custs, \"seconds\": $secs, \"max_rss_kib\": $rss}"
fi

put machine "\"$(uname -srm), $(nproc) cores, $(free -g | awk '/Mem:/ {print $2}') GiB\""
put date "\"$(date -u +%Y-%m-%dT%H:%M:%SZ)\""
put versions "\"$(build/dunningd --version), Lua $(pkg-config --modversion lua5.4), SQLite $(pkg-config --modversion sqlite3), gcc $(gcc -dumpversion)\""
cp "$json" "$out/latest.json"
/usr/bin/python3 - "$out/latest.json" > "$out/latest.md" <<'PY'
import json, sys
d = json.load(open(sys.argv[1]))
print("# dunningd benchmarks\n")
print(f"{d['date']} — {d['machine']} — {d['versions']}\n")
print("| measure | result | target |\n| --- | --- | --- |")
print(f"| rule evaluation, shipped rules, facts prepared | {float(d['rules_decisions_per_second']):,.0f} decisions/s | ≥ 200,000 |")
if "guard_verdicts_per_second" in d:
    print(f"| guard verdicts, 90-day history | {float(d['guard_verdicts_per_second']):,.0f} verdicts/s | ≥ 1,000,000 |")
if "uci_pass" in d:
    u = d["uci_pass"]
    print(f"| pass over UCI ({u['customers']:,} customers) | {u['seconds']} s, RSS {u['max_rss_kib']/1024:.0f} MiB | < 3 s |")
if "synthetic_pass" in d:
    s = d["synthetic_pass"]
    print(f"| pass over synthetic ({s['customers']:,} customers) | {s['seconds']} s, RSS {s['max_rss_kib']/1024:.0f} MiB | < 60 s, < 300 MB |")
print(f"\nLoad average when the rule evaluation started: {d['load_average_at_start']} "
      "(figures are comparable only on an idle machine).")
PY
cat "$out/latest.md"
