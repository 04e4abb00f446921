#!/usr/bin/env bash
# Runs the spark-dialect SQL of the shipped LERU pack on the sample in Spark
# local mode and compares its values with the local engine's report (every
# figure, whole and per segment, to 1e-9 relative). Not in CI: it downloads
# pyspark (about 320 MB) and starts a JVM. Needs Java 17 and Python 3.
#
#   scripts/check_spark.sh [KPI_BINARY]
#
# PYSPARK_VENV names a virtual environment with pyspark (made if missing).
set -euo pipefail
cd "$(dirname "$0")/.."
kpi=${1:-target/release/kpi}
venv=${PYSPARK_VENV:-/tmp/alumni-kpi-spark}
if [ ! -x "$venv/bin/python" ] || ! "$venv/bin/python" -c 'import pyspark' 2>/dev/null; then
  python3 -m venv "$venv"
  "$venv/bin/pip" install -q pyspark
fi
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
"$kpi" sql --dialect spark --skip-unsupported -o "$work/q.sql" --export "$work/tables" 2>"$work/sql.err"
grep -c 'has no SQL' "$work/sql.err" | sed 's/^/indicators without SQL (rhai): /'
"$kpi" score --format json -q -o "$work/report.json"
start=$(date +%s)
"$venv/bin/python" - "$work" <<'PY'
import json, math, re, sys
from pyspark.sql import SparkSession

work = sys.argv[1]
spark = (SparkSession.builder.master("local[2]").appName("alumni-kpi")
         .config("spark.ui.enabled", "false")
         .config("spark.ui.showConsoleProgress", "false")
         # Hundreds of small grouped subqueries: broadcast joins of all of
         # them outgrow the default 1 GB driver.
         .config("spark.driver.memory", "4g")
         .config("spark.sql.autoBroadcastJoinThreshold", "-1")
         .config("spark.sql.shuffle.partitions", "4").getOrCreate())
spark.sparkContext.setLogLevel("ERROR")
# The tables with the types of schema.sql (CREATE TABLE `t` (`c` TYPE, …)).
schema = open(f"{work}/tables/schema.sql").read()
for name, body in re.findall(r"CREATE TABLE `([^`]+)` \((.*?)\n\);", schema, re.S):
    columns = ", ".join(f"`{c}` {t}" for c, t in re.findall(r"`([^`]+)` (\w+)", body))
    (spark.read.schema(columns).option("header", True)
         .csv(f"{work}/tables/{name}.csv").createOrReplaceTempView(name))
sql = "\n".join(l for l in open(f"{work}/q.sql").read().splitlines() if not l.startswith("--"))
rows = spark.sql(sql).collect()
got = {(r["indicator"], r["segment"], r["segment_value"]): r["value"] for r in rows}
report = json.load(open(f"{work}/report.json"))
compared, bad = 0, []
for o in report["objectives"]:
    for i in o["indicators"]:
        want = [((i["id"], None, None), i["value"])]
        for seg, values in (i.get("segments") or {}).items():
            for v, cell in values.items():
                want.append(((i["id"], seg, v), cell.get("value")))
        for key, value in want:
            if key not in got:
                if key[0] in {k[0] for k in got}:
                    bad.append(f"{key}: no row")
                continue
            compared += 1
            theirs = got[key]
            if (value is None) != (theirs is None) or (
                value is not None and abs(value - theirs) > 1e-9 * max(1.0, abs(value), abs(theirs))):
                bad.append(f"{key}: {value} locally, {theirs} on Spark")
print(f"Spark {spark.version}: {len(rows)} rows, {compared} figures compared, {len(bad)} differences")
for b in bad[:20]:
    print("  " + b)
spark.stop()
sys.exit(1 if bad or compared == 0 else 0)
PY
echo "spark run: $(( $(date +%s) - start )) s"
