"""The Python package against the command line: the same figures from a
directory, from DataFrames and from a what-if; errors with locations."""

import json
import os
import shutil
import subprocess
import textwrap
from pathlib import Path

import pandas
import polars
import pyarrow
import pytest

import alumni_kpi

ROOT = Path(__file__).resolve().parents[2]
RULES = ROOT / "rules"
SAMPLE = ROOT / "data" / "sample"


def kpi_command() -> list:
    """The repository's `kpi`: $KPI_BIN, the newest built one, or cargo run."""
    binary = os.environ.get("KPI_BIN")
    if binary is None:
        built = [ROOT / "target" / p / "kpi" for p in ("debug", "release")]
        found = [b for b in built if b.exists()]
        binary = str(max(found, key=lambda b: b.stat().st_mtime)) if found else None
    return [binary] if binary else ["cargo", "run", "--quiet", "--"]


def kpi(*args: str) -> dict:
    """`kpi score --format json` of the repository's binary, as a dict."""
    out = subprocess.run(
        kpi_command() + ["score", "--format", "json", *args],
        cwd=ROOT,
        check=True,
        capture_output=True,
        text=True,
    )
    return json.loads(out.stdout)


def figures(report: dict) -> dict:
    """The figures of a report, without what names its source."""
    return {k: report.get(k) for k in ("score", "objectives", "profiles", "coverage")}


def test_the_sample_scores_as_the_command_line():
    engine = alumni_kpi.Engine(RULES, data=SAMPLE)
    assert engine.report() == kpi("--rules", "rules", "--data", "data/sample")
    assert alumni_kpi.score(RULES, SAMPLE) == engine.report()


def test_a_what_if_equals_the_same_set_on_the_command_line():
    engine = alumni_kpi.Engine(RULES, data=SAMPLE)
    what_if = engine.score(set={"staff_hour_cost": 60, "goodwill_points": 4})
    cli = kpi(
        "--rules", "rules", "--data", "data/sample",
        "--set", "staff_hour_cost=60", "--set", "goodwill_points=4",
    )
    assert what_if == cli
    assert what_if["score"] != engine.report()["score"]


def test_the_trend_equals_the_same_periods_on_the_command_line():
    engine = alumni_kpi.Engine(RULES, data=SAMPLE, periods=3)
    cli = kpi("--rules", "rules", "--data", "data/sample", "--periods", "3")
    assert engine.report() == cli
    assert len(cli["trend"]) == 3
    # A what-if of the trend's length, and none at all.
    assert engine.score(periods=2) == kpi(
        "--rules", "rules", "--data", "data/sample", "--periods", "2"
    )
    assert "trend" not in engine.score(periods=1)
    with pytest.raises(alumni_kpi.RuleError) as e:
        engine.score(periods=0)
    assert "periods" in str(e.value)


def hand_rules(tmp_path: Path) -> Path:
    rules = tmp_path / "rules"
    rules.mkdir(exist_ok=True)
    (rules / "main.kpi").write_text(
        textwrap.dedent(
            """\
            scorecard "Hand" { population = alumni }
            objective reach {
              indicator members { value = share(alumni where member) target = 80% }
              indicator given { value = sum(gifts.amount) target = 340 }
            }
            """
        )
    )
    return rules


def hand_tables() -> dict:
    alumni = pandas.DataFrame(
        {
            "id": [1, 2, 3, 4, 5, 6],
            "member": [True, True, True, False, False, False],
        }
    )
    gifts = pandas.DataFrame(
        {
            "id": [1, 2, 3],
            "alumni_id": [1, 2, 6],
            "date": pandas.to_datetime(["2026-01-10", "2026-02-01", "2026-03-01"]),
            "amount": [50.0, None, 120.0],
        }
    )
    return {"alumni": alumni, "gifts": gifts}


def test_dataframes_score_as_computed_by_hand(tmp_path):
    engine = alumni_kpi.Engine(hand_rules(tmp_path), tables=hand_tables())
    report = engine.report()
    values = [i["value"] for i in report["objectives"][0]["indicators"]]
    # 3 of 6 members; 50 + 120 given (the missing amount adds nothing).
    assert values == [0.5, 170.0]
    # 0.5 of 80 % is 62.5; 170 of 340 is 50; equal weights: 56.25.
    assert report["score"] == 56.25
    # Weighing `given` alone: 50.
    assert engine.score(weights={"members": 0})["score"] == 50.0


def read_sample(read) -> dict:
    return {p.stem: read(p) for p in sorted(SAMPLE.glob("*.csv"))}


@pytest.mark.parametrize(
    "read",
    [
        # Every column as text, as a careful analyst reads an export.
        lambda p: pandas.read_csv(p, dtype=str, keep_default_na=False),
        # pandas' own types: numbers, booleans, NaN for empty cells.
        lambda p: pandas.read_csv(p),
        lambda p: polars.read_csv(p, infer_schema=False),
        lambda p: pyarrow.csv.read_csv(p),
    ],
    ids=["pandas-text", "pandas-typed", "polars-text", "pyarrow"],
)
def test_dataframes_score_as_the_same_csv_files(read):
    import pyarrow.csv  # noqa: F401 (the pyarrow reader's module)

    tables = read_sample(read)
    engine = alumni_kpi.Engine(
        RULES, tables=tables, manifest=SAMPLE / "dataset.yaml", dir=SAMPLE
    )
    assert figures(engine.report()) == figures(alumni_kpi.Engine(RULES, data=SAMPLE).report())


def test_profiles_come_as_a_dataframe(tmp_path):
    engine = alumni_kpi.Engine(RULES, data=SAMPLE)
    profiles = engine.profiles()
    assert len(profiles) == 2000
    assert profiles.columns[0] == "id"
    written = tmp_path / "profiles.csv"
    kpi("--rules", "rules", "--data", "data/sample", "--profiles", str(written))
    assert engine.profiles_csv() == written.read_text()
    assert engine.population == "alumni"
    assert engine.profiles("alumni").equals(profiles)
    with pytest.raises(ValueError, match="rows of `alumni`, the population, not of `events`"):
        engine.profiles("events")


def test_a_rule_mistake_raises_with_its_location(tmp_path):
    rules = tmp_path / "rules"
    shutil.copytree(RULES, rules)
    scorecard = rules / "scorecard.kpi"
    text = scorecard.read_text()
    scorecard.write_text(text.replace("param staff_hour_cost = 45", "param staff_hour_cost = 45 +"))
    with pytest.raises(alumni_kpi.RuleError) as raised:
        alumni_kpi.Engine(rules, data=SAMPLE)
    first = raised.value.diagnostics[0]
    assert first["severity"] == "error"
    assert first["file"].endswith("scorecard.kpi")
    assert first["line"] >= 12 and first["column"] >= 1
    assert "scorecard.kpi:" in str(raised.value)


def test_a_bad_cell_raises_at_table_row_and_column(tmp_path):
    tables = hand_tables()
    tables["events"] = pandas.DataFrame(
        {"id": [1, 2], "date": ["2026-01-10", "2026-02-30"]}
    )
    with pytest.raises(alumni_kpi.RuleError) as raised:
        alumni_kpi.Engine(hand_rules(tmp_path), tables=tables)
    [d] = raised.value.diagnostics
    assert (d["code"], d["file"], d["line"], d["column"]) == ("data::value", "memory:events", 2, 2)
    assert d["message"] == "`2026-02-30` is not a date (column `date`)"
    # skip_bad_rows leaves that row out and says so.
    engine = alumni_kpi.Engine(hand_rules(tmp_path), tables=tables, skip_bad_rows=True)
    report = engine.report()
    assert report["dataset"]["events"]["skipped"] == 1
    assert report["score"] == 56.25


def test_a_what_if_mistake_raises_with_a_suggestion():
    engine = alumni_kpi.Engine(RULES, data=SAMPLE)
    with pytest.raises(alumni_kpi.RuleError) as raised:
        engine.score(weights={"engagment": 2})
    assert raised.value.diagnostics[0]["code"] == "set::weight"
    assert "engagement" in raised.value.diagnostics[0]["help"]


def test_a_table_that_is_no_dataframe_is_a_type_error(tmp_path):
    with pytest.raises(TypeError, match="table `alumni` is a list"):
        alumni_kpi.Engine(hand_rules(tmp_path), tables={"alumni": [1, 2]})


def test_reports_render_in_every_format():
    engine = alumni_kpi.Engine(RULES, data=SAMPLE)
    assert engine.render("md").startswith("#")
    assert "<html" in engine.render("html", lang="fr")
    assert json.loads(engine.render("json")) == engine.report()
    with pytest.raises(ValueError, match="no report format"):
        engine.render("pdf")


def test_the_docs_examples_run():
    """docs/python.md's Python blocks, in order, from the repository's root."""
    text = (ROOT / "docs" / "python.md").read_text()
    blocks = [b.split("```", 1)[0] for b in text.split("```python\n")[1:]]
    assert len(blocks) == 3
    cwd = os.getcwd()
    os.chdir(ROOT)
    try:
        scope: dict = {}
        for block in blocks:
            exec(compile(block, "docs/python.md", "exec"), scope)
    finally:
        os.chdir(cwd)


def test_a_what_if_out_of_its_budget_raises_timeout():
    engine = alumni_kpi.Engine(RULES, data=SAMPLE)
    with pytest.raises(TimeoutError, match="budget is 0 ms"):
        engine.score(budget=0)
    assert engine.score(budget=60) == engine.report()


# Findings of a review of the Python package (each failed before its fix).


def profile_rules(tmp_path: Path) -> Path:
    rules = tmp_path / "profile_rules"
    rules.mkdir(exist_ok=True)
    (rules / "main.kpi").write_text(
        textwrap.dedent(
            """\
            scorecard "Profiles" { population = alumni }
            profile alumni {
              home = country
              gifts = count(gifts)
            }
            objective reach {
              indicator members { value = share(alumni where member) target = 80% }
            }
            """
        )
    )
    return rules


def test_finding_profiles_keep_their_types_and_text(tmp_path):
    # `007` is a key written as text; `NA` is Namibia: neither is guessed again.
    alumni = pandas.DataFrame(
        {
            "id": ["007", "008", "009"],
            "member": [True, False, True],
            "country": ["NA", "FR", None],
        }
    )
    gifts = pandas.DataFrame({"id": [1, 2], "alumni_id": ["007", "007"]})
    engine = alumni_kpi.Engine(
        profile_rules(tmp_path),
        tables={"alumni": alumni, "gifts": gifts},
        manifest={"tables": {"alumni": {"columns": {"id": "string"}}, "gifts": {"columns": {"alumni_id": "string"}}}},
    )
    profiles = engine.profiles()
    assert list(profiles["id"]) == ["007", "008", "009"]
    assert list(profiles["home"][:2]) == ["NA", "FR"]
    assert pandas.isna(profiles["home"][2])
    assert list(profiles["gifts"]) == [2, 0, 0]


def test_finding_a_mixed_object_column_is_refused(tmp_path):
    tables = hand_tables()
    tables["gifts"] = tables["gifts"].assign(amount=[50.5, True, 120.0])
    with pytest.raises(TypeError, match="column `amount` of table `gifts` mixes types"):
        alumni_kpi.Engine(hand_rules(tmp_path), tables=tables)


def test_finding_an_index_set_on_the_key_is_kept(tmp_path):
    tables = hand_tables()
    tables["alumni"] = tables["alumni"].set_index("id")
    engine = alumni_kpi.Engine(hand_rules(tmp_path), tables=tables)
    assert engine.report()["score"] == 56.25


def test_finding_an_empty_table_keeps_its_columns_and_types(tmp_path):
    tables = hand_tables()
    tables["gifts"] = tables["gifts"].iloc[0:0]
    report = alumni_kpi.Engine(hand_rules(tmp_path), tables=tables).report()
    given = report["objectives"][0]["indicators"][1]
    # No gift at all: the sum over no rows (0 of 340), not an unknown column.
    assert (given["id"], given["value"]) == ("given", 0)
    # A column of nulls only is still a number column.
    tables = hand_tables()
    tables["gifts"] = tables["gifts"].assign(amount=[None, None, None]).astype({"amount": "float64"})
    report = alumni_kpi.Engine(hand_rules(tmp_path), tables=tables).report()
    assert report["objectives"][0]["indicators"][1]["value"] == 0


def test_finding_float32_amounts_are_the_numbers_they_show(tmp_path):
    tables = hand_tables()
    tables["gifts"] = tables["gifts"].assign(amount=[0.1, 0.2, None]).astype({"amount": "float32"})
    report = alumni_kpi.Engine(hand_rules(tmp_path), tables=tables).report()
    assert report["objectives"][0]["indicators"][1]["value"] == 0.1 + 0.2


def test_finding_a_decimal_too_large_for_a_number_is_refused(tmp_path):
    import decimal

    tables = hand_tables()
    amounts = pyarrow.array([decimal.Decimal("9007199254740993"), decimal.Decimal("1"), None])
    tables["gifts"] = pyarrow.Table.from_pandas(tables["gifts"].drop(columns="amount"), preserve_index=False).append_column("amount", amounts)
    with pytest.raises(alumni_kpi.RuleError) as raised:
        alumni_kpi.Engine(hand_rules(tmp_path), tables=tables)
    assert "too large to be held exactly" in raised.value.diagnostics[0]["message"]


def test_finding_set_refuses_none_and_writes_lists_as_the_rules_do():
    engine = alumni_kpi.Engine(RULES, data=SAMPLE)
    with pytest.raises(ValueError, match="cannot be set to None"):
        engine.score(set={"staff_hour_cost": None})
    listed = engine.score(set={"strategy": ["networking", "giving"]})
    cli = kpi("--rules", "rules", "--data", "data/sample", "--set", 'strategy=["networking", "giving"]')
    assert listed == cli


def test_finding_manifest_and_dir_go_with_tables_only():
    with pytest.raises(ValueError, match="`manifest` and `dir` go with `tables`"):
        alumni_kpi.Engine(RULES, data=SAMPLE, manifest={"tables": {"nope": {}}})
