#!/usr/bin/env bash
# One evaluation pass over the same synthetic portfolio on three stores, side
# by side: SQLite, MariaDB with one dunningd instance, MariaDB with three
# instances sharing the database. Never part of the test suite.
#
#   tests/bench/mariadb.sh [CUSTOMERS]      (default 1000000)
#
# Each customer owes one invoice due 2026-06-03; the pass runs at
# 2026-06-08T09:00:00Z with tests/integration/rules-flow, so every customer
# gets one day-5 contact planned (no dispatch). The portfolio is imported
# once into SQLite, copied into a MariaDB database with `dunningd
# migrate-store` and from there into a second one on the server (copying is
# not timed). MariaDB is a private server (scripts/mariadb-test-server.sh
# with innodb_flush_log_at_trx_commit=2, a 4 GB buffer pool and a 1 GB redo
# log) on this machine, reached over loopback TCP.
#
# Measured: wall time of the pass (the slowest instance for three),
# customers/s, and round trips per customer for MariaDB (the server's
# Questions counter over the pass — one per statement executed, COMMIT and
# SAVEPOINT included — divided by customers; the server is private, so
# nothing else counts). Writes tests/bench/results/mariadb.md and
# mariadb.json with the machine, the load average at the start and the date.
set -euo pipefail
cd "$(dirname "$0")/../.."
N=${1:-1000000}
AT=2026-06-08T09:00:00Z
RULES=tests/integration/rules-flow
./scripts/install-deps.sh > /dev/null
./scripts/build.sh Release > /dev/null
out=tests/bench/results
mkdir -p "$out"
work=$(mktemp -d /tmp/dunningd-mariadb-bench.XXXXXX)
# room for a million customers' rows and indexes (the tests' server has 256 MB)
mariadb_env=$(DN_MARIADB_BUFFER_POOL=4G DN_MARIADB_LOG_FILE_SIZE=1G ./scripts/mariadb-test-server.sh start)
eval "$mariadb_env"
trap './scripts/mariadb-test-server.sh stop "$DN_MARIADB_DIR"; rm -rf "$work"' EXIT
load=$(cut -d' ' -f1-3 /proc/loadavg)
sock="$DN_MARIADB_DIR/sock"
sql() { mariadb --no-defaults --socket="$sock" -uroot --batch --skip-column-names -e "$1"; }
questions() { sql "SHOW GLOBAL STATUS LIKE 'Questions'" | cut -f2; }
base=${DN_TEST_MARIADB_DSN%/*}

echo "== portfolio: $N customers"
/usr/bin/python3 - "$work/portfolio.ndjson" "$N" <<'PY'
import json, sys
path, n = sys.argv[1], int(sys.argv[2])
with open(path, "w") as f:
    for i in range(n):
        cid = f"C{i:07d}"
        f.write(json.dumps({"type": "customer", "external_id": cid, "name": "Ann Lee",
                            "language": "en", "timezone": "Europe/Riga", "country": "LV",
                            "email": f"{cid.lower()}@example.com", "phone": "+37120000001"}) + "\n")
        f.write(json.dumps({"type": "invoice", "external_id": "I" + cid, "customer_id": cid,
                            "currency": "EUR", "amount_minor": 10000, "issued": "2026-05-01",
                            "due": "2026-06-03", "status": "open"}) + "\n")
PY
build/dunningd import --store "sqlite:$work/base.db" "$work/portfolio.ndjson" > /dev/null 2>&1
for db in one three; do
  sql "CREATE DATABASE bench_$db CHARACTER SET utf8mb4 COLLATE utf8mb4_bin"
done
build/dunningd migrate-store "sqlite:$work/base.db" "$base/bench_one" > /dev/null
# the second copy server-side, table by table (a second migrate-store of a
# million customers takes minutes)
build/dunningd migrate --store "$base/bench_three" > /dev/null 2>&1
for t in $(sql "SELECT table_name FROM information_schema.tables WHERE table_schema = 'bench_one' AND table_name <> 'schema_version'"); do
  sql "SET SESSION foreign_key_checks = 0; INSERT INTO bench_three.$t SELECT * FROM bench_one.$t"
done
cp "$work/base.db" "$work/run.db"

now_s() { date +%s.%N; }
results=()
run_case() {  # run_case NAME INSTANCES DSN
  local name=$1 k=$2 dsn=$3 q0 q1 t0 t1 pids=()
  echo "== $name"
  [[ $dsn == mariadb* ]] && q0=$(questions)
  t0=$(now_s)
  for i in $(seq 1 "$k"); do
    build/dunningd pass --store "$dsn" --rules "$RULES" --at "$AT" > "$work/$name-$i.log" 2>&1 &
    pids+=($!)
  done
  for p in "${pids[@]}"; do wait "$p" || { cat "$work/$name"-*.log; exit 1; }; done
  t1=$(now_s)
  local rt="null"
  if [[ $dsn == mariadb* ]]; then
    q1=$(questions)
    rt=$(/usr/bin/python3 -c "print(round(($q1 - $q0) / $N, 3))")
  fi
  local planned
  planned=$(grep -ho '[0-9]* contacts planned' "$work/$name"-*.log | awk '{s += $1} END {print s}')
  [ "$planned" -eq "$N" ] || { echo "$name planned $planned contacts, not $N" >&2; exit 1; }
  local wall rate
  wall=$(/usr/bin/python3 -c "print(round($t1 - $t0, 2))")
  rate=$(/usr/bin/python3 -c "print(round($N / ($t1 - $t0)))")
  echo "   $wall s, $rate customers/s, round trips/customer: $rt"
  results+=("{\"store\": \"$name\", \"instances\": $k, \"seconds\": $wall, \"customers_per_second\": $rate, \"round_trips_per_customer\": $rt}")
}
run_case sqlite 1 "sqlite:$work/run.db"
run_case mariadb-1 1 "$base/bench_one"
run_case mariadb-3 3 "$base/bench_three"

date=$(date -u +%Y-%m-%dT%H:%M:%SZ)
cpu=$(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2- | sed 's/^ //')
version=$(sql "SELECT VERSION()")
joined=$(IFS=,; echo "${results[*]}")
cat > "$out/mariadb.json" <<JSON
{"date": "$date", "customers": $N, "cpu": "$cpu", "cores": $(nproc), "load_at_start": "$load",
 "mariadb": "$version", "runs": [$joined]}
JSON
/usr/bin/python3 - "$out/mariadb.json" > "$out/mariadb.md" <<'PY'
import json, sys
d = json.load(open(sys.argv[1]))
print("# One pass: SQLite vs MariaDB (1 and 3 instances)\n")
print(f"{d['customers']} customers, one day-5 contact planned each, no dispatch. "
      f"{d['date']}, {d['cpu']} ({d['cores']} cores), load at start {d['load_at_start']}, "
      f"MariaDB {d['mariadb']} (private test server, loopback TCP). "
      "Written by `tests/bench/mariadb.sh`.\n")
print("| store | instances | wall time (s) | customers/s | DB round trips per customer |")
print("| --- | --- | --- | --- | --- |")
for r in d["runs"]:
    rt = "in process" if r["round_trips_per_customer"] is None else r["round_trips_per_customer"]
    print(f"| {r['store']} | {r['instances']} | {r['seconds']} | {r['customers_per_second']} | {rt} |")
PY
cat "$out/mariadb.md"
