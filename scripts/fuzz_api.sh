#!/usr/bin/env bash
# Fuzzes the HTTP API of `kpi serve` from its own OpenAPI description with
# schemathesis (PyPI), on the shipped pack and sample. Run by .ci/run.
#
#   scripts/fuzz_api.sh [KPI_BIN] [SCHEMATHESIS]
#
# Every check runs but `positive_data_acceptance`: a what-if naming an
# unknown param or objective is valid JSON for the schema and rightly 422.
# /api/events is a stream that does not end, so it is left out (the HTTP
# and browser tests read it).
set -euo pipefail
cd "$(dirname "$0")/.."
kpi="${1:-target/debug/kpi}"
st="${2:-schemathesis}"
port=18337
"$kpi" serve --addr "127.0.0.1:$port" --rules rules --data data/sample 2>/tmp/kpi-serve-fuzz.log &
pid=$!
trap 'kill $pid 2>/dev/null || true' EXIT
for _ in $(seq 1 100); do
  if python3 -c "import urllib.request,sys; urllib.request.urlopen(sys.argv[1])" "http://127.0.0.1:$port/api/diagnostics" 2>/dev/null; then break; fi
  sleep 0.1
done
"$st" run "http://127.0.0.1:$port/api/openapi.json" \
  --checks all --exclude-checks positive_data_acceptance \
  --exclude-path /api/events \
  --max-examples 100 --seed 1
