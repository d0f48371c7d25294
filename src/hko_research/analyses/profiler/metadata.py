"""The indicator metadata table (``indikatorer.yaml``): one row per indicator, read and checked once.

Every property of an indicator that the profiles use lives in that file: the analysis that owns
the measure, the measure function, the frame builder that supplies its per-kommune counts, how the
value is formed, its columns, its CI method and its polarity (format: the file's header and
``definitions.md``). :func:`indikatorer` expands rows with ``grupper`` (one indicator per group)
and refuses a malformed file with every problem listed.
"""
from __future__ import annotations

import importlib
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any, Callable

import yaml

from ...publishing.columns import is_count_column

FILE = Path(__file__).with_name("indikatorer.yaml")

AFSNIT = {"omfang": "Omfang", "maalgruppe": "Målgruppe", "udgifter": "Udgifter", "udfald": "Fastholdelse og løntimer"}
BEREGNINGER = ("forhold", "andel", "enhedspris", "difference")
CI_METODER = ("wilson", "ingen")
POLARITETER = ("neutral", "hoej_bedst", "lav_bedst")
# How each kind of value is written (publishing.labels kinds).
ENHED = {"forhold": "share", "andel": "share", "enhedspris": "money", "difference": "points"}
_FIELDS = {"id", "navn", "afsnit", "kilde", "maal", "ramme", "beregning", "taeller", "naevner", "basis", "ci",
           "polaritet", "trend", "grupper", "definition", "note"}
_REQUIRED = ("id", "navn", "afsnit", "kilde", "maal", "ramme", "beregning", "taeller", "naevner", "ci", "definition")


class MetadataError(ValueError):
    """indikatorer.yaml is malformed; the message lists every problem."""


@dataclass(frozen=True)
class Indikator:
    id: str                        # the value column of the overview table
    navn: str
    afsnit: str
    kilde: str                     # the owning analysis (folder name)
    maal: str                      # "module:function"
    ramme: str                     # "module:function" supplying the per-kommune columns
    beregning: str
    taeller: tuple[str, ...]
    naevner: str
    ci: str = "wilson"
    polaritet: str = "neutral"
    trend: bool = False
    basis_: tuple[str, ...] = ()
    definition: str = ""
    note: str = ""
    gruppe: str | None = None      # the group of an expanded row

    @property
    def ci_nedre(self) -> str:
        return f"ci_nedre_{self.id}"

    @property
    def ci_oevre(self) -> str:
        return f"ci_oevre_{self.id}"

    @property
    def har_ci(self) -> bool:
        return self.ci == "wilson"

    @property
    def kind(self) -> str:
        return ENHED[self.beregning]

    @property
    def tal(self) -> tuple[str, ...]:
        """The counts (persons, grants) of the indicator: published, under disclosure control."""
        return tuple(c for c in (*self.taeller, self.naevner) if is_count_column(c))

    @property
    def offentlige(self) -> tuple[str, ...]:
        """Public numbers it is computed from (population, fuldtidspersoner, expenditure): used for
        the value, never published in the overview table."""
        return tuple(c for c in (*self.taeller, self.naevner) if not is_count_column(c))

    @property
    def basis(self) -> tuple[str, ...]:
        """The counts the value (and its CI) is computed from: disclosure masks it when one is masked."""
        return self.basis_ or self.tal

    @property
    def kolonner(self) -> tuple[str, ...]:
        """The derived columns it adds to the overview table: value and CI bounds."""
        return (self.id, self.ci_nedre, self.ci_oevre) if self.har_ci else (self.id,)

    def measure(self) -> Callable[..., Any]:
        return _load(self.maal)

    def frame_builder(self) -> Callable[..., Any]:
        return _load(self.ramme)


def _load(spec: str) -> Callable[..., Any]:
    module, _, func = spec.partition(":")
    return getattr(importlib.import_module(module), func)


def _as_tuple(v: Any) -> tuple[str, ...]:
    if v is None:
        return ()
    return tuple(str(x) for x in (v if isinstance(v, (list, tuple)) else [v]))


def parse(raw: Any, *, source: str = str(FILE), label: Callable[[str], str] | None = None) -> tuple[Indikator, ...]:
    """The indicators of a parsed YAML document (``{"indikatorer": [...]}``), rows with
    ``grupper`` expanded; ``label`` names a group in ``navn`` (default: the code)."""
    label = label or (lambda g: g)
    problems: list[str] = []
    if isinstance(raw, dict) and set(raw) - {"indikatorer", "andetsteds"}:
        raise MetadataError(f"{source}: unknown sections {sorted(set(raw) - {'indikatorer', 'andetsteds'})}")
    rows = raw.get("indikatorer") if isinstance(raw, dict) else None
    if not isinstance(rows, list) or not rows:
        raise MetadataError(f"{source}: expected a list 'indikatorer:' with one entry per indicator")
    out: list[Indikator] = []
    for i, row in enumerate(rows, 1):
        where = f"{source}, indikator {i} ({row.get('id', '?') if isinstance(row, dict) else '?'})"
        if not isinstance(row, dict):
            problems.append(f"{where}: not a mapping")
            continue
        problems += [f"{where}: unknown field {k!r}" for k in row if k not in _FIELDS]
        problems += [f"{where}: missing field {k!r}" for k in _REQUIRED if row.get(k) in (None, "", [])]
        for key, allowed in (("beregning", BEREGNINGER), ("ci", CI_METODER), ("polaritet", POLARITETER),
                             ("afsnit", tuple(AFSNIT))):
            if key in row and row[key] not in allowed:
                problems.append(f"{where}: {key} {row[key]!r} is not one of {', '.join(allowed)}")
        if row.get("beregning") in ("enhedspris", "difference") and row.get("ci") == "wilson":
            problems.append(f"{where}: a {row['beregning']} is no proportion; use ci: ingen")
        for key in ("maal", "ramme"):
            if key in row and ":" not in str(row[key]):
                problems.append(f"{where}: {key} must be 'module:function', not {row[key]!r}")
        groups = _as_tuple(row.get("grupper")) or (None,)
        for g in groups:
            def sub(v, g=g):
                return v if g is None else str(v).replace("{g}", g)
            fields = {k: row.get(k) for k in _FIELDS}
            try:
                ind = Indikator(
                    id=sub(fields["id"]), navn=str(fields["navn"]).replace("{g}", label(g) if g else ""),
                    afsnit=str(fields["afsnit"]), kilde=str(fields["kilde"]), maal=str(fields["maal"]),
                    ramme=str(fields["ramme"]), beregning=str(fields["beregning"]),
                    taeller=tuple(sub(x) for x in _as_tuple(fields["taeller"])), naevner=sub(str(fields["naevner"])),
                    ci=str(fields.get("ci") or "wilson"), polaritet=str(fields.get("polaritet") or "neutral"),
                    trend=bool(fields.get("trend")), basis_=tuple(sub(x) for x in _as_tuple(fields.get("basis"))),
                    definition=str(fields.get("definition") or ""), note=str(fields.get("note") or ""), gruppe=g)
            except (TypeError, ValueError) as exc:
                problems.append(f"{where}: {exc}")
                continue
            if not ind.basis:
                problems.append(f"{where}: {ind.id} is computed from no count (antal_*/n_*): nothing to protect")
            out.append(ind)
    ids = [i.id for i in out]
    problems += [f"{source}: id {x!r} appears twice" for x in sorted({x for x in ids if ids.count(x) > 1})]
    if problems:
        raise MetadataError("Kommuneprofilernes indikatortabel er ugyldig:\n  - " + "\n  - ".join(problems))
    return tuple(out)


@lru_cache(maxsize=None)
def indikatorer(path: Path = FILE) -> tuple[Indikator, ...]:
    """Every indicator of the metadata table, in the file's order (groups expanded)."""
    try:
        raw = yaml.safe_load(Path(path).read_text(encoding="utf-8"))
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        raise MetadataError(f"{path}{f', line {mark.line + 1}' if mark else ''}: not valid YAML") from None
    from ...publishing.labels import labels

    lab = labels("profiler")
    return parse(raw, source=str(path), label=lambda g: str(lab.value(g)))


@lru_cache(maxsize=None)
def andetsteds(path: Path = FILE) -> dict[str, str]:
    """Counts another notebook publishes per kommune for the run's year too: column -> where."""
    raw = yaml.safe_load(Path(path).read_text(encoding="utf-8")) or {}
    out = raw.get("andetsteds") or {}
    bad = [c for c in out if not is_count_column(c)]
    if bad:
        raise MetadataError(f"{path}: andetsteds lists {bad}, which are not counts (antal_*/n_*)")
    return {str(k): str(v) for k, v in out.items()}


def kilder() -> dict[str, tuple[Indikator, ...]]:
    """The indicators by owning analysis."""
    out: dict[str, list[Indikator]] = {}
    for i in indikatorer():
        out.setdefault(i.kilde, []).append(i)
    return {k: tuple(v) for k, v in out.items()}
