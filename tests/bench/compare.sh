#!/usr/bin/env bash
# Benchmarks side by side with what users would pick instead (never part of
# the test suite). The same reference strategy (/work/shared/bench/strategy.md)
# over the same 200 000 customers, evaluation only, in:
#   1. dunningd's rules runtime (tests/bench/strategy/rules, build/bench_strategy)
#   2. json-rules-engine 7 on Node.js (tests/bench/strategy/js/bench.js)
#   3. a standalone Lua script under Lua 5.4 and LuaJIT (tests/bench/strategy/lua)
#   4. a hand-written C function (build/bench_strategy c)
# checks that every implementation made exactly the same decisions (and
# fails if not), then, unless --no-http or wrk/nginx are missing, measures
# `dunningd serve` (GET /v1/customers/{id}, POST /v1/payments) with wrk next
# to nginx serving a static JSON file of the same size. Writes
# tests/bench/results/compare.md and compare.json (machine, versions, date).
#
# Usage: tests/bench/compare.sh [--no-http] [--csv FILE]
# tests/bench/README.md explains how to read the results.
set -euo pipefail
cd "$(dirname "$0")/../.."

csv=../shared/bench/customers-200k.csv
http=auto
while [ $# -gt 0 ]; do
  case "$1" in
    --no-http) http=no ;;
    --csv) csv=$2; shift ;;
    *) echo "usage: tests/bench/compare.sh [--no-http] [--csv FILE]" >&2; exit 2 ;;
  esac
  shift
done

RUNS_FAST=5        # runs of dunningd, C, Lua and LuaJIT (median)
RUNS_JS=3          # json-rules-engine: ~35 s a run over 200 000 customers
WRK="-t2 -c50 -d10s --latency"
TOKEN=bench-token-0001
strategy=tests/bench/strategy
out=tests/bench/results
work=$(mktemp -d /tmp/dunningd-compare.XXXXXX)
server_pids=()
cleanup() {
  for pid in "${server_pids[@]}"; do kill "$pid" 2> /dev/null || true; done
  for pid in "${server_pids[@]}"; do wait "$pid" 2> /dev/null || true; done
  rm -rf "$work"
}
trap cleanup EXIT

need() {  # need COMMAND DEBIAN-PACKAGE
  command -v "$1" > /dev/null || { echo "compare.sh: $1 is missing (apt-get install $2)" >&2; exit 1; }
}
need node nodejs; need npm npm; need lua5.4 lua5.4; need luajit luajit; need curl curl
[ -r "$csv" ] || { echo "compare.sh: cannot read $csv" >&2; exit 1; }
if [ "$http" = auto ]; then
  if command -v wrk > /dev/null && command -v nginx > /dev/null; then http=yes; else
    echo "compare.sh: wrk or nginx missing (apt-get install wrk nginx-light): no HTTP section"
    http=no
  fi
fi
load_start=$(cut -d' ' -f1 /proc/loadavg)
echo "== load average at start: $load_start (the figures are only comparable on an idle machine)"

echo "== build (scripts/build.sh Release, npm install)"
./scripts/build.sh Release > "$work/build.log" 2>&1 || { tail -30 "$work/build.log" >&2; exit 1; }
npm install --prefix "$strategy/js" --no-audit --no-fund > "$work/npm.log" 2>&1 \
  || { cat "$work/npm.log" >&2; exit 1; }
build/dunningd check-rules "$strategy/rules" 2> /dev/null
build/dunningd test-rules "$strategy/rules" 2> /dev/null | tail -1

# run NAME COMMAND...: runs one implementation, keeps its output in
# $work/NAME.out and its sorted decision counts in $work/NAME.counts.
run() {
  local name=$1; shift
  "$@" > "$work/$name.out" 2> "$work/$name.err" || { cat "$work/$name.err" >&2; exit 1; }
  grep '^count ' "$work/$name.out" | sort > "$work/$name.counts"
  printf '   %-20s %12s decisions/s (median of %s)\n' "$name" \
    "$(awk '/^median / {print $2}' "$work/$name.out")" "$(grep -c '^rate ' "$work/$name.out")"
}
echo "== rule evaluation: the reference strategy over $(($(wc -l < "$csv") - 1)) customers"
run dunningd          build/bench_strategy rules "$strategy/rules" "$csv" "$RUNS_FAST"
run c                 build/bench_strategy c "$csv" "$RUNS_FAST"
run lua               lua5.4 "$strategy/lua/bench.lua" "$csv" "$RUNS_FAST"
run luajit            luajit "$strategy/lua/bench.lua" "$csv" "$RUNS_FAST"
run json-rules-engine node "$strategy/js/bench.js" "$csv" "$RUNS_JS"

echo "== same decisions everywhere?"
for name in c lua luajit json-rules-engine; do
  if ! diff -u "$work/dunningd.counts" "$work/$name.counts" > "$work/$name.diff"; then
    echo "compare.sh: $name decided differently from dunningd:" >&2
    cat "$work/$name.diff" >&2
    exit 1
  fi
done
echo "   yes: $(wc -l < "$work/dunningd.counts") outcomes, identical counts in all five"

# ---- HTTP ----
free_port() {
  /usr/bin/python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
}
wait_http() {  # wait_http URL: until the server answers at all (10 s at most)
  for _ in $(seq 100); do
    curl -s -o /dev/null "$1" && return 0
    sleep 0.1
  done
  echo "compare.sh: no answer from $1" >&2
  exit 1
}
if [ "$http" = yes ]; then
  echo "== HTTP: wrk $WRK"
  auth="Authorization: Bearer $TOKEN"
  port=$(free_port)
  base=http://127.0.0.1:$port
  build/dunningd serve --store "sqlite:$work/db" --rules "$strategy/rules" \
    --listen "127.0.0.1:$port" --token "$TOKEN" --outbox "$work/outbox" \
    --pass-interval 86400 --log-level warn > "$work/serve.log" 2>&1 &
  server_pids+=($!)
  wait_http "$base/v1/rules"
  curl -sf -H "$auth" -H 'Content-Type: application/json' -X POST "$base/v1/customers" -o /dev/null \
    -d '{"external_id":"C1","name":"Anna Ozola","language":"lv","timezone":"Europe/Riga","country":"LV","phone":"+37120000001","email":"anna@example.lv","age":40}'
  curl -sf -H "$auth" -H 'Content-Type: application/json' -X POST "$base/v1/invoices" -o /dev/null \
    -d '{"external_id":"I1","customer_id":"C1","currency":"EUR","amount_minor":100000000,"due":"2026-11-01","status":"open"}'
  mkdir -p "$work/www"
  curl -sf -H "$auth" "$base/v1/customers/C1" -o "$work/www/customer.json"
  wrk $WRK -H "$auth" "$base/v1/customers/C1" > "$work/wrk-get-dunningd.txt"
  echo "   dunningd GET:  $(awk '/Requests\/sec/ {print $2}' "$work/wrk-get-dunningd.txt") requests/s"
  wrk $WRK -H "$auth" -s "$strategy/http/payments.lua" "$base" > "$work/wrk-post-dunningd.txt"
  echo "   dunningd POST: $(awk '/Requests\/sec/ {print $2}' "$work/wrk-post-dunningd.txt") requests/s"

  nport=$(free_port)
  cat > "$work/nginx.conf" <<EOF
user root;
worker_processes 1;
daemon off;
pid $work/nginx.pid;
error_log $work/nginx-error.log warn;
events { worker_connections 1024; }
http {
  access_log off;
  client_body_temp_path $work/nginx-body;
  proxy_temp_path $work/nginx-proxy;
  fastcgi_temp_path $work/nginx-fastcgi;
  uwsgi_temp_path $work/nginx-uwsgi;
  scgi_temp_path $work/nginx-scgi;
  server {
    listen 127.0.0.1:$nport;
    root $work/www;
    location / { default_type application/json; }
  }
}
EOF
  nginx -p "$work" -e "$work/nginx-error.log" -c "$work/nginx.conf" &
  server_pids+=($!)
  wait_http "http://127.0.0.1:$nport/customer.json"
  wrk $WRK -H "$auth" "http://127.0.0.1:$nport/customer.json" > "$work/wrk-get-nginx.txt"
  echo "   nginx GET:     $(awk '/Requests\/sec/ {print $2}' "$work/wrk-get-nginx.txt") requests/s"
fi

# ---- results ----
mkdir -p "$out"
versions=$(printf '%s|%s|%s|%s|%s|%s|%s' "$(build/dunningd --version 2>&1 | head -1)" \
  "$(lua5.4 -v 2>&1 | head -1 | cut -d' ' -f1-2)" "$(luajit -v 2>&1 | head -1 | cut -d' ' -f1-2)" "node $(node --version)" \
  "json-rules-engine $(node -p "require('./$strategy/js/node_modules/json-rules-engine/package.json').version")" \
  "gcc $(gcc -dumpversion)" \
  "$( [ "$http" = yes ] && echo "$(nginx -v 2>&1 | sed 's/^nginx version: //'), $(wrk --version 2>&1 | head -1 | cut -d' ' -f1-2)" || echo "no HTTP")")
/usr/bin/python3 - "$work" "$out" "$csv" "$http" "$load_start" "$versions" <<'PY'
import json, os, platform, re, sys, time
work, out, csv, http, load_start, versions = sys.argv[1:]

def read_impl(name):
    rates, median, counts = [], None, []
    for line in open(os.path.join(work, name + ".out")):
        f = line.split()
        if not f or f[0] == "#":
            continue
        if f[0] == "rate":
            rates.append(float(f[1]))
        elif f[0] == "median":
            median = float(f[1])
        elif f[0] == "count":
            counts.append({"action": f[1], "tone": f[2], "template": f[3], "language": f[4],
                           "decisions": int(f[5])})
    return {"decisions_per_second": median, "runs": rates}, counts

impls, counts = {}, None
for name in ["dunningd", "json-rules-engine", "lua", "luajit", "c"]:
    impls[name], c = read_impl(name)
    counts = counts or c
rate = {k: v["decisions_per_second"] for k, v in impls.items()}
ratios = {
    "vs_json_rules_engine": rate["dunningd"] / rate["json-rules-engine"],
    "vs_lua_standalone": rate["lua"] / rate["dunningd"],
    "vs_luajit": rate["luajit"] / rate["dunningd"],
    "vs_c": rate["c"] / rate["dunningd"],
}
targets = {"vs_json_rules_engine": ">= 50", "vs_lua_standalone": "<= 2"}

def wrk(name):
    text = open(os.path.join(work, "wrk-%s.txt" % name)).read()
    units = {"us": 1e-3, "ms": 1.0, "s": 1e3}
    p99 = re.search(r"^\s*99%\s+([\d.]+)(us|ms|s)\s*$", text, re.M)
    errors = re.search(r"Non-2xx or 3xx responses: (\d+)", text)
    socket = re.search(r"Socket errors: (.*)", text)
    return {"requests_per_second": float(re.search(r"Requests/sec:\s+([\d.]+)", text).group(1)),
            "p99_ms": float(p99.group(1)) * units[p99.group(2)],
            "non_2xx": int(errors.group(1)) if errors else 0,
            "socket_errors": socket.group(1) if socket else ""}

result = {
    "date": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
    "machine": "%s %s %s, %d cores, %.0f GiB" % (
        platform.system(), platform.release(), platform.machine(), os.cpu_count(),
        os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") / 2**30),
    "cpu": next((l.split(":", 1)[1].strip() for l in open("/proc/cpuinfo")
                 if l.startswith("model name")), "unknown"),
    "load_average_at_start": float(load_start),
    "versions": versions.split("|"),
    "input": {"file": csv, "customers": sum(c["decisions"] for c in counts)},
    "rule_evaluation": impls,
    "ratios": ratios,
    "targets": targets,
    "decisions": counts,
}
if http == "yes":
    g, p, n = wrk("get-dunningd"), wrk("post-dunningd"), wrk("get-nginx")
    result["http"] = {
        "wrk": "-t2 -c50 -d10s, loopback, one dunningd process, nginx with 1 worker",
        "get_customer": {"dunningd": g, "nginx_static_same_size": n},
        "post_payment": {"dunningd": p},
        "vs_nginx": g["requests_per_second"] / n["requests_per_second"],
        "target": "GET >= 0.5 x nginx",
    }
json.dump(result, open(os.path.join(out, "compare.json"), "w"), indent=2)

def num(x):
    return "{:,.0f}".format(x)
md = ["# Rule evaluation side by side\n",
      "%s — %s (%s), load %.2f at start\n" % (result["date"], result["machine"], result["cpu"],
                                               result["load_average_at_start"]),
      "Versions: " + "; ".join(result["versions"]) + "\n",
      "The reference strategy (/work/shared/bench/strategy.md) over %s customers (`%s`), "
      "evaluation only; each figure is the median of the runs listed. Every implementation "
      "made exactly the same decisions (checked).\n" % (num(result["input"]["customers"]), csv),
      "| implementation | decisions/s (median) | runs |", "| --- | ---: | --- |"]
labels = {"dunningd": "dunningd rules (`rules_decide_batch`, Lua 5.4 sandbox)",
          "json-rules-engine": "json-rules-engine (Node.js)",
          "lua": "standalone Lua 5.4 script", "luajit": "standalone script under LuaJIT",
          "c": "hand-written C function"}
for k in ["dunningd", "json-rules-engine", "lua", "luajit", "c"]:
    md.append("| %s | %s | %s |" % (labels[k], num(rate[k]),
                                     ", ".join(num(r) for r in impls[k]["runs"])))
md += ["", "| ratio | value | target |", "| --- | ---: | --- |"]
for k, v in ratios.items():
    md.append("| `%s` | %.2f | %s |" % (k, v, targets.get(k, "")))
if http == "yes":
    h = result["http"]
    md += ["", "## HTTP (wrk %s)\n" % h["wrk"],
           "| request | requests/s | p99 latency | non-2xx |", "| --- | ---: | ---: | ---: |"]
    for label, r in [("dunningd GET /v1/customers/C1", h["get_customer"]["dunningd"]),
                     ("nginx GET static JSON, same size", h["get_customer"]["nginx_static_same_size"]),
                     ("dunningd POST /v1/payments (a new payment each)", h["post_payment"]["dunningd"])]:
        md.append("| %s | %s | %.2f ms | %d |" % (label, num(r["requests_per_second"]), r["p99_ms"],
                                                  r["non_2xx"]))
    md += ["", "`vs_nginx` (GET): %.2f (target ≥ 0.5)" % h["vs_nginx"]]
md += ["", "## Decisions (identical in every implementation)\n",
       "| action | tone | template | language | decisions |", "| --- | --- | --- | --- | ---: |"]
for c in sorted(counts, key=lambda c: (c["action"], c["tone"], c["template"], c["language"])):
    md.append("| %s | %s | %s | %s | %s |" % (c["action"], c["tone"], c["template"], c["language"],
                                              num(c["decisions"])))
open(os.path.join(out, "compare.md"), "w").write("\n".join(md) + "\n")
PY
echo "== written $out/compare.md and $out/compare.json"
sed -n '/^| implementation/,/^$/p;/^| ratio/,/^$/p' "$out/compare.md"
if [ "$http" = yes ]; then sed -n '/^## HTTP/,/^## Decisions/p' "$out/compare.md" | sed '$d'; fi
