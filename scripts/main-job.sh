#!/usr/bin/env bash
# The main job: installs what is missing, builds, converts the real UCI
# credit-card portfolio (30 000 card holders, Apr–Sep 2005), imports it into
# a fresh SQLite store, runs an evaluation pass at the end of each month of
# the data with dispatch to the file-sink outbox, then starts the server on
# 127.0.0.1:8080 (or $PORT) with its clock starting at the last pass (Ctrl-C
# stops it). PORT=9090 ./scripts/main-job.sh serves on another port. The demo
# has no print room: its letters count as posted the day they are written
# (var/main-config.json, "posting": "on_write"), so the notice periods run.
#
#   var/main.db        the store (decisions, contacts, events…)
#   var/outbox/        one rendered file per message sent
#   var/uci.ndjson     the converted portfolio
set -euo pipefail
cd "$(dirname "$0")/.."
port=${PORT:-8080}
./scripts/install-deps.sh
./scripts/build.sh Release

mkdir -p var
rm -rf var/main.db var/main.db-wal var/main.db-shm var/outbox
echo "== converting ../shared/data/uci-credit-card-default.csv"
/usr/bin/python3 examples/convert_uci.py --output var/uci.ndjson

store=sqlite:var/main.db
cat > var/main-config.json <<'JSON'
{"channels": {"letter": {"driver": "file", "dir": "var/outbox", "posting": "on_write"}}}
JSON
echo "== importing"
build/dunningd import --store "$store" var/uci.ndjson

# One pass a month over the data's months, as the engine would have run them
# (a pass at 09:00 Riga time on the 26th, the day after each statement's due date, and
# early in October after the last statement).
for at in 2005-04-26T07:00:00Z 2005-05-26T07:00:00Z 2005-06-26T07:00:00Z \
          2005-07-26T07:00:00Z 2005-08-26T07:00:00Z 2005-09-26T07:00:00Z \
          2005-10-03T07:00:00Z 2005-10-10T07:00:00Z 2005-10-17T07:00:00Z \
          2005-10-26T07:00:00Z; do
  echo "== pass at $at"
  build/dunningd pass --config var/main-config.json --store "$store" --rules rules --at "$at" \
    --dispatch --outbox var/outbox
done

cat <<TXT

== done. Where to look:
  outbox files:   ls var/outbox | head; cat "var/outbox/\$(ls var/outbox | head -1)"
  decisions:      sqlite3 var/main.db 'select action, count(*) from decisions group by 1'
  contacts:       sqlite3 var/main.db 'select channel, tone, state, count(*) from contacts group by 1,2,3'
  while the server runs (token demo-token-0001):
    curl -s -H 'Authorization: Bearer demo-token-0001' localhost:$port/v1/customers/UCI-1/timeline
    curl -s -H 'Authorization: Bearer demo-token-0001' localhost:$port/v1/customers/UCI-1/preview
    curl -s localhost:$port/metrics
  what the rules decide for one customer at a time, no side effects:
    build/dunningd preview --store sqlite:var/main.db --rules rules --at 2005-11-05T09:00:00Z UCI-1

== starting the server on 127.0.0.1:$port (Ctrl-C to stop)
TXT
exec build/dunningd serve --config var/main-config.json --store "$store" --rules rules \
  --outbox var/outbox \
  --token demo-token-0001 --now 2005-10-26T07:00:00Z --listen 127.0.0.1:$port
