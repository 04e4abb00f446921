"""The compiled engine (used through :mod:`alumni_kpi`)."""

from typing import Any, Mapping, Optional, Sequence, Tuple

class RuleError(Exception):
    """Rules, data or a what-if that cannot be scored."""

    diagnostics: list[dict[str, Any]]
    """Every problem: severity, code, message, file, line, column, help."""

class Engine:
    def __init__(
        self,
        rules: str,
        data: Optional[str] = None,
        tables: Optional[Mapping[str, Any]] = None,
        manifest: Optional[Tuple[str, str]] = None,
        dir: Optional[str] = None,
        skip_bad_rows: bool = False,
        set: Sequence[Tuple[str, str]] = (),
        period: Optional[Tuple[str, str]] = None,
        periods: Optional[int] = None,
    ) -> None: ...
    def render(
        self,
        set: Sequence[Tuple[str, str]] = (),
        weights: Sequence[Tuple[str, float]] = (),
        period: Optional[Tuple[str, str]] = None,
        periods: Optional[int] = None,
        explain: bool = False,
        format: str = "json",
        lang: str = "en",
        budget: Optional[float] = None,
    ) -> str: ...
    def profiles_csv(self) -> str: ...
    def profiles_json(self) -> str: ...
    def population(self) -> Optional[str]: ...
    def notes(self) -> list[dict[str, Any]]: ...
