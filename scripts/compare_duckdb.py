#!/usr/bin/env python3
"""Side by side: `kpi score` and DuckDB computing the same ten indicators from
the same CSV files (benches/compare/rules/compare.kpi).

    python3 scripts/compare_duckdb.py [--alumni 1000000]

Installs duckdb from PyPI if needed, generates the dataset, builds kpi in
release mode, times both (each in its own process, wall clock), checks the
values are equal, and prints the times, their ratio and peak memory.
"""
import argparse
import json
import os
import subprocess
import sys
import tempfile
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
PERIOD = ("2025-09-01", "2026-08-31")

SQL = {
    "contactable": """select count(*) filter (where (email_valid or phone_valid or address_valid) and not deceased)::double / count(*) from alumni""",
    "response_rate": """select count(*) filter (where responded)::double / count(*) filter (where invited) from participations where date between '{0}' and '{1}'""",
    "attendances": """select count(*) filter (where attended) from participations where date between '{0}' and '{1}'""",
    "satisfaction": """select avg(satisfaction) filter (where attended) from participations where date between '{0}' and '{1}'""",
    "event_cost": """select sum(cost_university) + sum(cost_partners) from events where date between '{0}' and '{1}'""",
    "engaged": """select count(*) filter (where engagement >= 3) from profile""",
    "money": """select coalesce(sum(amount) filter (where kind = 'money'), 0) from contributions where date between '{0}' and '{1}'""",
    "lasting": """select count(*) filter (where active_12m)::double / count(*) from connections where date between '{0}' and '{1}'""",
    "completion": """select count(*) filter (where completed)::double / count(*) from learning where date between '{0}' and '{1}'""",
    "engagement_mean": """select avg(engagement) from profile""",
}

PROFILE = """
create or replace view profile as
select a.id,
       3 * coalesce(p.attended, 0) + coalesce(c.hours, 0) / 4 as engagement
from alumni a
left join (select alumni_id, count(*) filter (where attended) as attended
           from participations where date between '{0}' and '{1}' group by alumni_id) p on p.alumni_id = a.id
left join (select alumni_id, sum(hours) filter (where kind in ('time', 'skills')) as hours
           from contributions where date between '{0}' and '{1}' group by alumni_id) c on c.alumni_id = a.id
"""

BY_FACULTY = """
select a.faculty, count(*) filter (where p.responded)::double / count(*) filter (where p.invited)
from participations p join alumni a on a.id = p.alumni_id
where p.date between '{0}' and '{1}' group by a.faculty order by a.faculty
"""


def run(cmd, **kw):
    return subprocess.run(cmd, check=True, **kw)


def duckdb_job(data):
    import duckdb

    con = duckdb.connect()
    for table in ["alumni", "participations", "events", "contributions", "connections", "learning"]:
        con.execute(f"create table {table} as select * from read_csv_auto('{data}/{table}.csv', header=true)")
    con.execute(PROFILE.format(*PERIOD))
    values = {k: con.execute(q.format(*PERIOD)).fetchone()[0] for k, q in SQL.items()}
    by_faculty = dict(con.execute(BY_FACULTY.format(*PERIOD)).fetchall())
    return values, by_faculty


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--alumni", type=int, default=1_000_000)
    args = ap.parse_args()
    try:
        import duckdb  # noqa: F401
    except ImportError:
        run([sys.executable, "-m", "pip", "install", "-q", "duckdb"])
    run(["cargo", "build", "--release", "-q"], cwd=ROOT)
    kpi = os.path.join(ROOT, "target", "release", "kpi")
    with tempfile.TemporaryDirectory() as tmp:
        data = os.path.join(tmp, "data")
        run([kpi, "generate", "--alumni", str(args.alumni), "--seed", "1", "--out", data], stderr=subprocess.DEVNULL)
        csv_bytes = sum(os.path.getsize(os.path.join(data, f)) for f in os.listdir(data) if f.endswith(".csv"))
        out = os.path.join(tmp, "report.json")

        # Each job in its own process, under GNU time for its peak memory.
        def timed(cmd):
            start = time.perf_counter()
            done = subprocess.run(["/usr/bin/time", "-f", "%M"] + cmd, check=True, capture_output=True, text=True)
            elapsed = time.perf_counter() - start
            rss = int(done.stderr.strip().splitlines()[-1]) * 1024
            return elapsed, rss, done.stdout

        kpi_time, kpi_rss, _ = timed([kpi, "score", "--rules", os.path.join(ROOT, "benches/compare/rules"),
                                      "--data", data, "--format", "json", "-o", out, "-q"])
        duck_time, duck_rss, duck_out = timed([sys.executable, __file__, "--duckdb-child", data])
        duck_values, duck_faculty = json.loads(duck_out)

        report = json.load(open(out))
        indicators = report["objectives"][0]["indicators"]
        kpi_values = {i["id"]: i["value"] for i in indicators}
        kpi_faculty = {k: v["value"] for k, v in indicators[1]["segments"]["faculty"].items()}

        def same(a, b):
            if a is None or b is None:
                return a is b
            return abs(float(a) - float(b)) <= 1e-9 * max(1.0, abs(float(b)))

        ok = True
        print(f"{'indicator':<18} {'kpi':>22} {'duckdb':>22}")
        for k in SQL:
            flag = "" if same(kpi_values[k], duck_values[k]) else "  DIFFERENT"
            ok &= flag == ""
            print(f"{k:<18} {kpi_values[k]!s:>22} {duck_values[k]!s:>22}{flag}")
        for f in sorted(duck_faculty):
            flag = "" if same(kpi_faculty.get(f), duck_faculty[f]) else "  DIFFERENT"
            ok &= flag == ""
            print(f"{'rate ' + f:<18} {kpi_faculty.get(f)!s:>22} {duck_faculty[f]!s:>22}{flag}")
        print()
        print(f"alumni: {args.alumni:,}   CSV: {csv_bytes / 1e6:.0f} MB")
        print(f"kpi score (load + score): {kpi_time:.2f} s   peak RSS {kpi_rss / 1e6:.0f} MB ({kpi_rss / csv_bytes:.2f}x the CSV)")
        print(f"duckdb (load + queries):  {duck_time:.2f} s   peak RSS {duck_rss / 1e6:.0f} MB")
        print(f"ratio kpi / duckdb: {kpi_time / duck_time:.2f}x")
        print("values: " + ("equal" if ok else "DIFFERENT"))
        sys.exit(0 if ok else 1)


if __name__ == "__main__":
    if len(sys.argv) == 3 and sys.argv[1] == "--duckdb-child":
        values, faculty = duckdb_job(sys.argv[2])
        print(json.dumps([values, faculty], default=float))
    else:
        main()
