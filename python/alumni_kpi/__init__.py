"""alumni-kpi: a rule-driven KPI scoring engine for alumni relations.

Score a governance team's rules on a dataset directory, or on tables held in
DataFrames (pandas, polars, pyarrow), and ask what-ifs without loading or
checking again::

    import alumni_kpi
    engine = alumni_kpi.Engine("rules", data="data/sample")
    report = engine.report()                       # the report, as a dict
    engine.score(weights={"engagement": 1})        # another weighting
    engine.profiles()                              # one row per alumnus

Every figure is the one ``kpi score`` gives: the same engine runs underneath.
Problems in rules, data or a what-if raise :class:`RuleError`, whose
``diagnostics`` locate each one (file, line, column).
"""

from __future__ import annotations

import datetime as _dt
import json as _json
import os as _os
from typing import Any, Mapping, Optional, Sequence, Tuple, Union

from ._alumni_kpi import Engine as _Engine
from ._alumni_kpi import RuleError

__all__ = ["Engine", "RuleError", "score"]

_Path = Union[str, "_os.PathLike[str]"]
_Date = Union[str, _dt.date]


def _arrow(table: Any, name: str) -> Any:
    """An object with ``__arrow_c_stream__`` holding the table's rows."""
    module = type(table).__module__.split(".")[0]
    if module == "pandas":
        import pandas
        import pyarrow

        # A named index (set_index("id")) is a column; an unnamed one (the
        # default 0..n, or what filtering left) is not.
        if any(n is not None for n in table.index.names):
            table = table.reset_index()
        # pyarrow would turn [50.5, True] into 50.5 and 1.0: a column of
        # mixed types is refused, as a file's would be read as text.
        for column in table.columns:
            if table[column].dtype == object:
                kind = pandas.api.types.infer_dtype(table[column], skipna=True)
                if kind.startswith("mixed"):
                    raise TypeError(
                        f"column `{column}` of table `{name}` mixes types ({kind}): "
                        "give it one type (astype(str) for text)"
                    )
        return pyarrow.Table.from_pandas(table, preserve_index=False)
    if hasattr(table, "__arrow_c_stream__"):
        return table
    if module == "polars":
        return table.to_arrow()
    raise TypeError(
        f"table `{name}` is a {type(table).__name__}: give a pandas or polars "
        "DataFrame, a pyarrow Table, or anything with __arrow_c_stream__"
    )


def _manifest(manifest: Any) -> Optional[Tuple[str, str]]:
    """dataset.yaml's declarations as (text, name in messages)."""
    if manifest is None:
        return None
    if isinstance(manifest, Mapping):
        # JSON is YAML: the manifest's own reader reads it.
        return (_json.dumps(manifest, indent=2), "manifest")
    path = _os.fspath(manifest)
    with open(path, encoding="utf-8") as f:
        return (f.read(), path)


def _day(day: _Date) -> str:
    return day.isoformat() if isinstance(day, _dt.date) else str(day)


def _period(period: Optional[Sequence[_Date]]) -> Optional[Tuple[str, str]]:
    if period is None:
        return None
    start, end = period
    return (_day(start), _day(end))


def _set(values: Optional[Mapping[str, Any]]) -> list:
    """Param values as ``--set`` takes them (the rules' literals)."""
    out = []
    for name, value in (values or {}).items():
        if value is None:
            raise ValueError(f"param `{name}` cannot be set to None: give it a value")
        if isinstance(value, bool):
            text = "true" if value else "false"
        elif isinstance(value, _dt.date):
            text = value.isoformat()
        elif isinstance(value, (list, tuple)):
            # A list literal of the rules: ["networking", "giving"].
            text = _json.dumps(list(value))
        else:
            text = str(value)
        out.append((name, text))
    return out


class Engine:
    """A rule set and a dataset, checked and compiled once.

    Give the rules directory and either ``data``, a dataset directory (CSV or
    JSONL tables and their ``dataset.yaml``), or ``tables``, a mapping of
    table names to DataFrames (pandas, polars) or pyarrow Tables. With
    ``tables``, ``manifest`` declares keys, dates, column types and
    references as ``dataset.yaml`` does (a path, or a dict of the same
    shape), and ``dir`` is where the scorecard's benchmark file is read.

    The tables are checked as files are: a bad value is an error naming the
    table (``memory:TABLE``), its row and column. ``skip_bad_rows`` leaves
    such rows out instead, counted in the report. ``set``, ``period`` and
    ``periods`` are those of ``kpi score --set``, ``--period`` and
    ``--periods`` (the periods of the trend, this one included; the
    scorecard's ``trend``, else 2 with a period).

    An engine may be shared by threads; scoring releases the GIL.
    """

    def __init__(
        self,
        rules: _Path,
        data: Optional[_Path] = None,
        *,
        tables: Optional[Mapping[str, Any]] = None,
        manifest: Union[None, _Path, Mapping[str, Any]] = None,
        dir: Optional[_Path] = None,
        skip_bad_rows: bool = False,
        set: Optional[Mapping[str, Any]] = None,
        period: Optional[Sequence[_Date]] = None,
        periods: Optional[int] = None,
    ) -> None:
        arrow = None
        if tables is not None:
            arrow = {name: _arrow(t, name) for name, t in tables.items()}
        self._engine = _Engine(
            _os.fspath(rules),
            data=None if data is None else _os.fspath(data),
            tables=arrow,
            manifest=_manifest(manifest),
            dir=None if dir is None else _os.fspath(dir),
            skip_bad_rows=skip_bad_rows,
            set=_set(set),
            period=_period(period),
            periods=periods,
        )

    def report(self) -> dict:
        """The report (``kpi score --format json``), as a dict."""
        return _json.loads(self._engine.render())

    def score(
        self,
        *,
        set: Optional[Mapping[str, Any]] = None,
        weights: Optional[Mapping[str, float]] = None,
        period: Optional[Sequence[_Date]] = None,
        periods: Optional[int] = None,
        explain: bool = False,
        budget: Optional[float] = None,
    ) -> dict:
        """A what-if: the report with other params (``set``), weights (by
        objective or indicator id), period or number of trend periods, as a
        dict. Nothing is loaded
        or checked again. With ``budget`` (seconds), a report that takes
        longer raises ``TimeoutError``."""
        return _json.loads(
            self._engine.render(
                set=_set(set),
                weights=list((weights or {}).items()),
                period=_period(period),
                periods=periods,
                explain=explain,
                budget=budget,
            )
        )

    def render(
        self,
        format: str = "md",
        *,
        lang: str = "en",
        set: Optional[Mapping[str, Any]] = None,
        weights: Optional[Mapping[str, float]] = None,
        period: Optional[Sequence[_Date]] = None,
        periods: Optional[int] = None,
    ) -> str:
        """The report as text: ``json``, ``yaml``, ``md``, ``html`` or
        ``csv``, in English (``en``) or French (``fr``)."""
        return self._engine.render(
            set=_set(set),
            weights=list((weights or {}).items()),
            period=_period(period),
            periods=periods,
            format=format,
            lang=lang,
        )

    def profiles(self, table: Optional[str] = None):
        """The population's profile columns, one row per person (its key
        first), as a pandas DataFrame. ``table``, if given, must be the
        population table (profiles describe its rows)."""
        import pandas

        self._population(table)
        # Typed by the engine, not guessed again from text (`007` stays a
        # string, `NA` is Namibia).
        columns = _json.loads(self._engine.profiles_json())
        return pandas.DataFrame({name: values for name, values in columns})

    def profiles_csv(self, table: Optional[str] = None) -> str:
        """The same, as CSV text (no pandas needed)."""
        self._population(table)
        return self._engine.profiles_csv()

    def _population(self, table: Optional[str]) -> None:
        population = self._engine.population()
        if table is not None and table != population:
            raise ValueError(
                f"profiles describe the rows of `{population}`, the population, "
                f"not of `{table}`"
            )

    @property
    def population(self) -> Optional[str]:
        """The population table, whose rows the profiles describe."""
        return self._engine.population()

    @property
    def notes(self) -> list:
        """The warnings found before scoring (unused columns, dangling
        references...), as dicts."""
        return self._engine.notes()


def score(
    rules: _Path,
    data: Optional[_Path] = None,
    *,
    tables: Optional[Mapping[str, Any]] = None,
    manifest: Union[None, _Path, Mapping[str, Any]] = None,
    dir: Optional[_Path] = None,
    skip_bad_rows: bool = False,
    set: Optional[Mapping[str, Any]] = None,
    weights: Optional[Mapping[str, float]] = None,
    period: Optional[Sequence[_Date]] = None,
    periods: Optional[int] = None,
) -> dict:
    """Scores once: ``kpi score --format json`` as a dict. For several
    what-ifs, make an :class:`Engine` once."""
    engine = Engine(
        rules,
        data,
        tables=tables,
        manifest=manifest,
        dir=dir,
        skip_bad_rows=skip_bad_rows,
        set=set,
        period=period,
        periods=periods,
    )
    if weights:
        return engine.score(weights=weights)
    return engine.report()
