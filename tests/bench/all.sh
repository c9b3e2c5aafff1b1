#!/usr/bin/env bash
# Every benchmark in one run (never part of the test suite), then one table:
#   run.sh       rules on the shipped set, guard verdicts, UCI pass, synthetic
#                pass over CUSTOMERS (default 1 000 000) with max RSS
#   compare.sh   the reference strategy in dunningd, json-rules-engine, Lua
#                5.4, LuaJIT and C; wrk on the API next to nginx
#   dispatch.sh  messages/s to a loopback HTTP sink with 1 000 in flight,
#                heap per send in flight
#   mariadb.sh   one pass on SQLite, MariaDB ×1 and MariaDB ×3 instances
#                over MARIADB_CUSTOMERS (default 1 000 000: 18 minutes on the
#                2-core development machine at a load average of 6, 12 of
#                them the three passes, the rest importing and copying)
# and writes tests/bench/results/summary.md and summary.json (machine,
# versions, date, every figure and the ratios vs_json_rules_engine,
# vs_lua_standalone, vs_c, vs_nginx). Each part also keeps its own file.
#
#   tests/bench/all.sh [CUSTOMERS]
#
# Installs what the benchmarks need beyond the test command (Debian's
# luajit, wrk, nginx-light; json-rules-engine from npm). Run it on an idle
# machine: every figure is from the same run on the same machine, so
# compare the ratios between machines, not the rates.
set -euo pipefail
cd "$(dirname "$0")/../.."
N=${1:-1000000}
M=${MARIADB_CUSTOMERS:-1000000}
./scripts/install-deps.sh > /dev/null
missing=()
for p in luajit wrk nginx-light; do
  dpkg-query -W -f='${Status}' "$p" 2> /dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
  SUDO=""; [ "$(id -u)" -eq 0 ] || SUDO="sudo"
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends \
    "${missing[@]}" > /dev/null
fi
out=tests/bench/results
echo "=== run.sh $N";            tests/bench/run.sh "$N"
echo "=== compare.sh";           tests/bench/compare.sh
echo "=== dispatch.sh";          tests/bench/dispatch.sh
if [ -x tests/bench/mariadb.sh ]; then
  echo "=== mariadb.sh $M";      tests/bench/mariadb.sh "$M"
fi

/usr/bin/python3 - "$out" <<'PY'
import json, os, sys
out = sys.argv[1]
def load(name):
    path = os.path.join(out, name)
    return json.load(open(path)) if os.path.exists(path) else {}
latest, compare, dispatch, maria = (load(n) for n in
                                    ("latest.json", "compare.json", "dispatch.json", "mariadb.json"))
ratios = compare.get("ratios", {})
summary = {
    "date": latest.get("date"), "machine": latest.get("machine"),
    "versions": latest.get("versions"),
    "rules_shipped_decisions_per_second": latest.get("rules_decisions_per_second"),
    "guard_verdicts_per_second": latest.get("guard_verdicts_per_second"),
    "uci_pass": latest.get("uci_pass"), "synthetic_pass": latest.get("synthetic_pass"),
    "vs_json_rules_engine": ratios.get("vs_json_rules_engine"),
    "vs_lua_standalone": ratios.get("vs_lua_standalone"),
    "vs_luajit": ratios.get("vs_luajit"), "vs_c": ratios.get("vs_c"),
    "vs_nginx": (compare.get("http") or {}).get("vs_nginx"),
    "http": compare.get("http"),
    "dispatch_messages_per_second": dispatch.get("messages_per_second"),
    "dispatch_heap_bytes_per_send_in_flight": dispatch.get("heap_bytes_per_send_in_flight"),
    "mariadb": maria or None,
}
json.dump(summary, open(os.path.join(out, "summary.json"), "w"), indent=2)
def fmt(v, spec=",.0f"):
    return "–" if v is None else format(v, spec) if isinstance(v, (int, float)) else str(v)
rows = [
    ("rules, shipped set, facts prepared", fmt(summary["rules_shipped_decisions_per_second"]) + " decisions/s", "≥ 200,000"),
    ("guard verdicts, 90-day history", fmt(summary["guard_verdicts_per_second"]) + " verdicts/s", "≥ 1,000,000"),
    ("vs_json_rules_engine (reference strategy)", fmt(summary["vs_json_rules_engine"], ".1f"), "≥ 50"),
    ("vs_lua_standalone", fmt(summary["vs_lua_standalone"], ".2f"), "≤ 2"),
    ("vs_luajit", fmt(summary["vs_luajit"], ".2f"), "reported"),
    ("vs_c", fmt(summary["vs_c"], ".0f"), "reported"),
    ("vs_nginx (HTTP GET)", fmt(summary["vs_nginx"], ".2f"), "≥ 0.5"),
    ("dispatch, 1 000 in flight", fmt(summary["dispatch_messages_per_second"]) + " messages/s", "≥ 5,000"),
    ("heap per send in flight", fmt(summary["dispatch_heap_bytes_per_send_in_flight"]) + " bytes", "reported"),
]
for key, label, target in (("uci_pass", "pass over UCI", "< 3 s"),
                           ("synthetic_pass", "pass over synthetic", "< 60 s, RSS < 300 MB")):
    p = summary.get(key) or {}
    if p:
        rows.append((f"{label} ({p['customers']:,} customers)",
                     f"{p['seconds']} s, max RSS {p['max_rss_kib'] / 1024:.0f} MiB", target))
with open(os.path.join(out, "summary.md"), "w") as f:
    f.write(f"# dunningd benchmarks, one run\n\n{summary['date']} — {summary['machine']} — "
            f"{summary['versions']}\n\n| measure | result | target |\n| --- | --- | --- |\n")
    for r in rows:
        f.write("| " + " | ".join(r) + " |\n")
    f.write("\nDetails: latest.md, compare.md, dispatch.md, guard.md"
            + (", mariadb.md" if maria else "") + ".\n")
print(open(os.path.join(out, "summary.md")).read())
PY
