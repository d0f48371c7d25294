"""Backtest: compare the numbers a run produced with the numbers printed in the report.

Every notebook writes ``reproduction/<notebook>.csv`` (columns ``id,pipeline_value``; an empty
``pipeline_value`` means no value) and, when it records its targets with
``Session.reproduce``, ``reproduction/<notebook>.json`` next to it: for every target id of its
analysis how it was made (look-up, code, alias), whether it was computed, suppressed by disclosure
control or missing, and the reason for every id it does not compute (:mod:`.targets`). The runner
gathers those files into one ``reproduction.csv`` with a row for **every** id of
``reference/report_targets.csv`` and the columns :data:`COLUMNS`.

Statuses
    ``ok``             the pipeline's value is consistent with the number as the report prints it
    ``afvigelse``      it is not, or the pipeline has no value where the report has one
    ``undertrykt``     the value exists but is suppressed by disclosure control in this run
    ``konflikt``       the report contradicts itself: this line and another give the same quantity
                       different values; both lines are quoted in ``reason`` and the other one is
                       the one reproduced (``reference/reproduction_conflicts.yaml``)
    ``ikke_beregnet``  not computed, with the reason (data the study did not publish, a sentence too
                       vague to test, a delanalyse not implemented or not run, ...)

The rule: printed precision
    A value is ``ok`` when the report, rounding it the way it rounds, would have printed the
    number it prints: the value lies within half a unit of the number's last printed digit
    (``42 pct.`` -> [41,5; 42,5] pct., ``8,6 uger`` -> [8,55; 8,65], ``0,0 pct.`` -> [0; 0,05]
    pct., ``DKK 62,1 millioner`` -> ±50.000 kr.); both ends count. Amounts in kroner printed with
    trailing zeros are rounded to their last non-zero digit (``DKK 9.400`` -> ±50 kr.); counts
    are exact. Words before the number are bounds: ``over``, ``mere end``, ``mindst``,
    ``større end`` -> at least X; ``under``, ``mindre end``, ``op til``, ``højst`` -> at most X;
    ``knap`` (just under) -> between one printed unit below X and X; ``ca.``/``cirka`` change
    nothing. Numerals in words (``tre``, ``fire``) are exact counts. Verbal fractions
    (``halvdelen``, ``hver anden/tredje/fjerde``) hold for values nearer to that fraction than to
    its neighbours on the ladder 1/10, 1/5, 1/4, 1/3, 1/2, 2/3, 3/4, 4/5, 9/10 (``halvdelen`` ->
    [5/12; 7/12]). A definition or threshold the report states (a band edge, the significance
    level, a deadline) is compared with the value the pipeline uses without the bound words: the
    threshold itself must be the printed number.

    Why: the printed number is all the report gives, so it is the only honest yardstick. A wider
    tolerance (the former ±2 percentage points on shares printed as whole percents) accepts
    values the report would have printed differently (Aarhus' 6,0 pct. population share against
    the printed "7 pct."); a narrower one rejects values it would have printed identically
    (isbryder's 1,43 pct. of the expenditure, printed "1 pct."). Suppressed targets are compared
    by a test that runs with ``min_cell_size: 1``.

The report's numbers are read *only here*, from ``reference/report_targets.csv``, to compare; no
notebook or measure may read them. The module uses the ``csv`` module only (no pandas), so that a
cache-hit run stays light.
"""
from __future__ import annotations

import csv
import json
import math
import re
from fractions import Fraction
from pathlib import Path
from typing import Any, Iterable, Mapping

from ..paths import REFERENCE_DIR, REPORT_TARGETS

CONFLICTS_FILE = REFERENCE_DIR / "reproduction_conflicts.yaml"
DERIVED_FILE = REFERENCE_DIR / "reproduction_derived.yaml"
COLUMNS = ("id", "report_value", "pipeline_value", "lower", "upper", "printed", "ok", "unit", "status", "reason",
           "alias_of", "delanalyse", "measure", "source_line")

STATUS_OK = "ok"
STATUS_DEVIATION = "afvigelse"
STATUS_SUPPRESSED = "undertrykt"
STATUS_CONFLICT = "konflikt"
STATUS_NOT_COMPUTED = "ikke_beregnet"
STATUSES = (STATUS_OK, STATUS_DEVIATION, STATUS_SUPPRESSED, STATUS_CONFLICT, STATUS_NOT_COMPUTED)

# States a notebook records per target (reproduction/<notebook>.json, written by publishing.targets)
STATE_COMPUTED = "beregnet"
STATE_SUPPRESSED = "undertrykt"
STATE_MISSING = "mangler"
STATE_NOT_COMPUTED = "ikke_beregnet"

# Guards float noise at the interval ends (0.1 + 0.2 style), relative to the printed unit.
_EPS = 1e-9


class ReproductionError(ValueError):
    """A notebook emitted reproduction rows that cannot be compared (unknown or duplicate id)."""


# ------------------------------------------------------------------------------------------
# the printed-precision rule

_NUMBER = re.compile(r"(?<![\w.,])(\d{1,3}(?:\.\d{3})+|\d+)(?:,(\d+))?")
_WORD_NUMBERS = {"en": 1, "et": 1, "én": 1, "to": 2, "tre": 3, "fire": 4, "fem": 5, "seks": 6, "syv": 7, "otte": 8,
                 "ni": 9, "ti": 10}
_WORD_FRACTIONS = {"halvdelen": Fraction(1, 2), "hver anden": Fraction(1, 2), "hver tredje": Fraction(1, 3),
                   "hver fjerde": Fraction(1, 4), "hver femte": Fraction(1, 5), "hver tiende": Fraction(1, 10),
                   "en tredjedel": Fraction(1, 3), "en fjerdedel": Fraction(1, 4), "to tredjedele": Fraction(2, 3),
                   "tre fjerdedele": Fraction(3, 4)}
_LADDER = sorted({Fraction(1, 10), Fraction(1, 5), Fraction(1, 4), Fraction(1, 3), Fraction(1, 2), Fraction(2, 3),
                  Fraction(3, 4), Fraction(4, 5), Fraction(9, 10)})
_WORD = re.compile(r"(?<!\w)(" + "|".join(sorted(map(re.escape, [*_WORD_FRACTIONS, *_WORD_NUMBERS]), key=len,
                                                  reverse=True)) + r")(?!\w)", re.IGNORECASE)
_LOWER_WORDS = ("over", "mere end", "mindst", "større end", "flere end", "minimum", ">")
_UPPER_WORDS = ("under", "mindre end", "op til", "højst", "maksimalt", "færre end", "<")
_JUST_UNDER_WORDS = ("knap", "næsten")
_FRACTION = re.compile(r"(?<![\w.,/])(\d{1,2})/(\d{1,2})(?![\w/])")
_QUALIFIER = re.compile(r"(?:^|[\s(])(" + "|".join(re.escape(w) for w in (*_LOWER_WORDS, *_UPPER_WORDS, *_JUST_UNDER_WORDS))
                        + r")\s*(?:dkk\s*|kr\.\s*)?$")
_PCT_UNITS = ("share", "ratio", "pct_points")


def _scales(unit: str) -> tuple[float, ...]:
    if unit in _PCT_UNITS:
        return (0.01, 1.0)
    if unit == "dkk":
        return (1.0, 1e6, 1e3)
    return (1.0,)


def _close(a: float, b: float) -> bool:
    return abs(a - b) <= 1e-9 * max(1.0, abs(a), abs(b))


def _qualifier(before: str) -> str | None:
    m = _QUALIFIER.search(before.lower().rstrip())
    if not m:
        return None
    w = m.group(1)
    return "knap" if w in _JUST_UNDER_WORDS else ("lower" if w in _LOWER_WORDS else "upper")


def _ladder_interval(f: Fraction) -> tuple[float, float]:
    if f not in _LADDER:  # a fraction off the ladder ("6/10") is printed to 1/denominator
        return float(f) - 0.5 / f.denominator, float(f) + 0.5 / f.denominator
    i = _LADDER.index(f)
    lo = (_LADDER[i - 1] + f) / 2 if i > 0 else Fraction(0)
    hi = (f + _LADDER[i + 1]) / 2 if i + 1 < len(_LADDER) else Fraction(1)
    return float(lo), float(hi)


def printed_number(value: float, unit: str, quote: str, *, definition: bool = False
                   ) -> tuple[float, float, float, str] | None:
    """``(lower, upper, unit_of_last_digit, printed)`` for ``value`` as ``quote`` prints it, or
    None when the quote holds no such number (see :func:`printed_interval`)."""
    v = abs(float(value))
    for m in _NUMBER.finditer(quote):
        intpart, dec = m.group(1), m.group(2) or ""
        x = float(intpart.replace(".", "") + ("." + dec if dec else ""))
        for scale in _scales(unit):
            if not _close(x * scale, v):
                continue
            if dec:
                u = 10.0 ** -len(dec) * scale
            elif unit == "dkk" and scale == 1.0:
                digits = intpart.replace(".", "")
                u = 10.0 ** (len(digits) - len(digits.rstrip("0"))) if digits.strip("0") else 1.0
            else:
                u = scale
            q = None if definition else _qualifier(quote[:m.start()])
            lo, hi = _bounds(v, u, q)
            return lo, hi, u, _printed(quote, m, q)
    matches = [(m, Fraction(int(m.group(1)), int(m.group(2)))) for m in _FRACTION.finditer(quote) if int(m.group(2))]
    matches += [(m, _WORD_FRACTIONS.get(m.group(1).lower())) for m in _WORD.finditer(quote)]
    for m, frac in sorted(matches, key=lambda x: x[0].start()):
        w = m.group(0).lower()
        q = None if definition else _qualifier(quote[:m.start()])
        if frac is not None and abs(float(frac) - v) <= 1e-5 and unit in _PCT_UNITS:
            lo, hi = _ladder_interval(frac)
            if q == "lower":
                lo, hi = float(frac), math.inf
            elif q == "upper":
                lo, hi = -math.inf, float(frac)
            elif q == "knap":
                hi = float(frac)
            return lo, hi, hi - lo, _printed(quote, m, q)
        if w in _WORD_NUMBERS and _close(float(_WORD_NUMBERS[w]), v):
            lo, hi = _bounds(v, 1.0, q)
            return lo, hi, 1.0, _printed(quote, m, q)
    return None


def printed_interval(value: float, unit: str, quote: str, *, definition: bool = False
                     ) -> tuple[float, float, str]:
    """``(lower, upper, printed)``: the values consistent with ``value`` as ``quote`` prints it.

    Finds the printed number in the quote that is ``value`` (in its display unit: pct., kroner,
    millioner, weeks ...), takes its last printed digit and the words before it, and applies the
    rule in the module docstring. ``printed`` is the number as printed with its bound word. When
    the quote holds no such number the precision is taken from the value itself (``printed`` then
    starts with ``~``).
    """
    v = abs(float(value))
    found = printed_number(value, unit, quote, definition=definition)
    if found is None:
        u = _unit_from_value(v, unit)
        lo, hi, printed = v - u / 2, v + u / 2, "~" + _fmt(v)
    else:
        lo, hi, _, printed = found
    if float(value) < 0:
        lo, hi = -hi, -lo
    elif unit in ("share", "count", "dkk"):
        lo = max(lo, 0.0)  # a share, count or amount is never negative
    return lo, hi, printed


def round_as_printed(x: float, u: float) -> float:
    """``x`` rounded to the printed unit ``u``, halves up (as the report rounds)."""
    return math.floor(x / u + 0.5 + 1e-9) * u


def _bounds(x: float, u: float, qualifier: str | None) -> tuple[float, float]:
    if qualifier == "lower":
        return x, math.inf
    if qualifier == "upper":
        return -math.inf, x
    if qualifier == "knap":
        return x - u, x
    return x - u / 2, x + u / 2


def _printed(quote: str, m: re.Match, qualifier: str | None) -> str:
    text = m.group(0)
    if qualifier:
        before = quote[:m.start()].rstrip()
        word = _QUALIFIER.search(before.lower())
        if word:
            text = before[word.start(1):].strip() + " " + text
    after = quote[m.end():m.end() + 12].lstrip()
    for suffix in ("pct.", "procentpoint", "procent", "millioner", "mio.", "uger", "timer", "time", "måneder", "år"):
        if after.lower().startswith(suffix):
            return f"{text} {suffix}"
    return text


def _unit_from_value(v: float, unit: str) -> float:
    """Precision implied by the value's own digits (display unit: pct. for shares)."""
    scale = 0.01 if unit in _PCT_UNITS else 1.0
    shown = f"{v / scale:.6f}".rstrip("0").rstrip(".")
    dec = len(shown.partition(".")[2])
    return 10.0 ** -dec * scale


def is_consistent(pipeline_value: float, lower: float, upper: float) -> bool:
    """The rule's test, both ends included (with float-noise slack relative to the interval)."""
    slack = _EPS * max(1.0, abs(lower) if math.isfinite(lower) else 1.0, abs(upper) if math.isfinite(upper) else 1.0)
    return lower - slack <= pipeline_value <= upper + slack


# ------------------------------------------------------------------------------------------
# inputs: report targets, conflicts, the notebooks' files


def load_targets(path: Path = REPORT_TARGETS) -> dict[str, dict[str, str]]:
    """report_targets.csv as {id: row}."""
    with open(path, newline="", encoding="utf-8") as fh:
        return {row["id"]: row for row in csv.DictReader(fh)}


def load_conflicts(path: Path = CONFLICTS_FILE) -> dict[str, dict[str, Any]]:
    """reproduction_conflicts.yaml as {id: {"begrundelse": str, "mod": [ids]}}.

    An entry is either ``id: reason`` or ``id: {begrundelse: reason, mod: [other ids]}``; ``mod``
    defaults to the row's ``conflict`` column in report_targets.csv. A missing file is no conflicts.
    """
    if not Path(path).exists():
        return {}
    import yaml

    raw = yaml.safe_load(Path(path).read_text(encoding="utf-8")) or {}
    if not isinstance(raw, dict):
        raise ReproductionError(f"{path}: expected a mapping id -> reason, got {type(raw).__name__}")
    out = {}
    for k, v in raw.items():
        if isinstance(v, Mapping):
            out[str(k)] = {"begrundelse": str(v.get("begrundelse", "")), "mod": [str(x) for x in v.get("mod") or []]}
            if v.get("n") is not None:
                out[str(k)]["n"] = int(v["n"])
        else:
            out[str(k)] = {"begrundelse": str(v), "mod": []}
    return out


_COMBINE = {"x": lambda xs: xs[0], "1 - x": lambda xs: 1 - xs[0], "sum": sum}


def load_derived(path: Path = DERIVED_FILE) -> dict[str, dict[str, Any]]:
    """reproduction_derived.yaml as {id: {"fra": [source ids], "som": "x" | "1 - x" | "sum"}}."""
    if not Path(path).exists():
        return {}
    import yaml

    raw = yaml.safe_load(Path(path).read_text(encoding="utf-8")) or {}
    out = {}
    for k, v in raw.items():
        som = str(v.get("som", "x"))
        if som not in _COMBINE or not v.get("fra"):
            raise ReproductionError(f"{path}: {k}: needs fra: [ids] and som: one of {', '.join(_COMBINE)}")
        out[str(k)] = {"fra": [str(x) for x in v["fra"]], "som": som}
    return out


def read_pipeline_values(paths: Iterable[Path]) -> list[tuple[str, str, Path]]:
    """(id, pipeline_value, source file) from every notebook's reproduction CSV."""
    out: list[tuple[str, str, Path]] = []
    for path in paths:
        with open(path, newline="", encoding="utf-8") as fh:
            reader = csv.DictReader(fh)
            missing = {"id", "pipeline_value"} - set(reader.fieldnames or ())
            if missing:
                raise ReproductionError(f"{path}: missing column(s) {sorted(missing)}; expected id,pipeline_value")
            for row in reader:
                out.append((str(row["id"]).strip(), (row["pipeline_value"] or "").strip(), Path(path)))
    return out


def details_path(csv_path: Path) -> Path:
    """The notebook's target details next to its values: ``reproduction/<notebook>.json``."""
    return Path(csv_path).with_suffix(".json")


def read_details(paths: Iterable[Path]) -> list[dict[str, Any]]:
    """The details files next to the notebooks' CSVs (those that have one)."""
    out = []
    for p in paths:
        d = details_path(p)
        if d.exists():
            out.append(json.loads(d.read_text(encoding="utf-8")))
    return out


def _fmt(x: float | None) -> str:
    if x is None:
        return ""
    x = float(x)
    if math.isinf(x):
        return ""
    return str(int(x)) if x.is_integer() and abs(x) < 1e15 else repr(x)


# ------------------------------------------------------------------------------------------
# comparison


def _coverage_reason(target: Mapping[str, str], prefixes: Mapping[str, str], ran: set[str]) -> str:
    """Why an id no notebook of this run handled has no value."""
    tid = target["id"]
    owner = next((nb for p, nb in prefixes.items() if tid.startswith(p)), None)
    if owner is not None:
        return (f"notebook {owner} skrev ingen værdi og ingen begrundelse for dette id" if owner in ran
                else f"notebook {owner} indgik ikke i kørslen")
    d = str(target.get("delanalyse", "")).strip()
    if d in ("", "0"):
        return ("kapitel 1-2 og 9 (sammenfatning, indledning, metode) gentager delanalysernes tal eller beskriver "
                "undersøgelsens design; ingen delanalyse beregner dem")
    return f"delanalyse {d} er endnu ikke implementeret"


def _registry_prefixes() -> dict[str, str]:
    from .. import registry

    return {p: a.notebook for a in registry.analyses() for p in a.target_prefixes}


def _conflict_reason(rid: str, conflict: Mapping[str, Any], targets: Mapping[str, Mapping[str, str]]) -> str:
    """The conflict's reason with both report lines quoted."""
    t = targets[rid]
    others = conflict.get("mod") or [x for x in (t.get("conflict") or "").split(";") if x]
    quoted = "; ".join(f"«{targets[o]['quote']}» (l.{targets[o]['source_line']}, {o})" for o in others if o in targets)
    text = f"«{t['quote']}» (l.{t['source_line']})"
    if quoted:
        text += f" mod {quoted}"
    return f"{conflict['begrundelse']} — {text}"


def _derived_value(rid: str, derived: Mapping[str, Mapping[str, Any]], values: Mapping[str, float | None],
                   targets: Mapping[str, Mapping[str, str]]) -> tuple[float, str]:
    """The value to judge for a number the report derived from its own printed numbers: the
    pipeline's source values rounded as the report printed them, combined the same way."""
    d = derived[rid]
    parts = []
    for src in d["fra"]:
        v, t = values.get(src), targets.get(src)
        found = printed_number(float(t["value"]), t["unit"], t.get("quote", "")) if t else None
        if v is None or found is None:
            return values[rid], ""  # a source without a value: judge the id's own value
        parts.append(round_as_printed(v, found[2]))
    judged = _COMBINE[d["som"]](parts)
    return judged, (f"afledt som rapporten: {d['som']} af {', '.join(d['fra'])} rundet som trykt = {_fmt(judged)}")


def compare(
    pipeline: Iterable[tuple[str, str] | tuple[str, str, Any]],
    *,
    targets: Mapping[str, Mapping[str, str]] | None = None,
    conflicts: Mapping[str, Any] | None = None,
    details: Iterable[Mapping[str, Any]] = (),
    complete: bool = False,
    prefixes: Mapping[str, str] | None = None,
    derived: Mapping[str, Mapping[str, Any]] | None = None,
) -> list[dict[str, Any]]:
    """Rows of reproduction.csv for ``(id, pipeline_value[, source])`` pairs.

    ``details`` are the notebooks' target details (:func:`read_details`): states, aliases,
    definitions, reasons and notes. With ``complete`` every id of ``targets`` gets a row; ids no
    notebook handled are ``ikke_beregnet`` with the reason (``prefixes``: target-id prefix ->
    notebook of the registered analyses, default from the registry).

    Raises ReproductionError listing every unknown id (not in report_targets.csv), duplicate id
    and non-numeric value at once.
    """
    targets = load_targets() if targets is None else targets
    conflicts = load_conflicts() if conflicts is None else conflicts
    derived = {} if derived is None else derived
    conflicts = {k: (v if isinstance(v, Mapping) else {"begrundelse": str(v), "mod": []}) for k, v in conflicts.items()}
    info: dict[str, Mapping[str, Any]] = {}
    ran: set[str] = set()
    for d in details:
        ran.add(str(d.get("notebook", "")))
        for tid, entry in (d.get("targets") or {}).items():
            info[tid] = entry
    rows: dict[str, dict[str, Any]] = {}
    problems: list[str] = []
    values: dict[str, float | None] = {}
    for item in pipeline:
        rid, raw = item[0], item[1]
        src = f" ({item[2]})" if len(item) > 2 else ""
        if rid not in targets:
            problems.append(f"unknown id {rid!r}{src}: not in report_targets.csv")
            continue
        if rid in values:
            problems.append(f"duplicate id {rid!r}{src}")
            continue
        raw = "" if raw is None or (isinstance(raw, float) and math.isnan(raw)) else str(raw).strip()
        value: float | None = None
        if raw not in ("", "nan", "NaN"):
            try:
                value = float(raw)
            except ValueError:
                problems.append(f"id {rid!r}{src}: pipeline_value {raw!r} is not a number")
                continue
        values[rid] = value
    for tid in info:
        if tid not in targets:
            problems.append(f"unknown id {tid!r} in a notebook's target details: not in report_targets.csv")
    if problems:
        raise ReproductionError("reproduction rows cannot be compared:\n  - " + "\n  - ".join(problems))

    ids = list(targets) if complete else [*values, *(t for t in info if t not in values)]
    if complete and prefixes is None:
        prefixes = _registry_prefixes()
    for rid in ids:
        target = targets[rid]
        entry = info.get(rid, {})
        unit = target["unit"]
        report_value = float(target["value"])
        lo, hi, printed = printed_interval(report_value, unit, target.get("quote", ""),
                                           definition=bool(entry.get("definition")))
        value = values.get(rid)
        state = entry.get("state") or (None if rid not in values else
                                       (STATE_COMPUTED if value is not None else STATE_SUPPRESSED))
        reason = str(entry.get("reason") or "")
        ok: bool | None = None
        if state is None:  # no notebook of this run handled the id
            status, reason = STATUS_NOT_COMPUTED, _coverage_reason(target, prefixes or {}, ran)
            if rid in conflicts:
                reason += "; rapporten modsiger sig selv her: " + _conflict_reason(rid, conflicts[rid], targets)
        elif rid in conflicts:
            status = STATUS_CONFLICT
            reason = _conflict_reason(rid, conflicts[rid], targets)
        elif state == STATE_NOT_COMPUTED:
            status = STATUS_NOT_COMPUTED
        elif state == STATE_SUPPRESSED:
            status = STATUS_SUPPRESSED
            reason = reason or "under mindste cellestørrelse i denne kørsel"
        elif state == STATE_MISSING or value is None:
            status, ok = STATUS_DEVIATION, False
            reason = reason or "intet tal: tabellen har ingen værdi for dette mål"
        else:
            judged, how = _derived_value(rid, derived, values, targets) if rid in derived else (value, "")
            ok = is_consistent(judged, lo, hi)
            status = STATUS_OK if ok else STATUS_DEVIATION
            reason = "; ".join(x for x in (reason, how) if x)
        rows[rid] = {
            "id": rid, "report_value": report_value, "pipeline_value": value, "lower": lo, "upper": hi,
            "printed": printed, "ok": ok, "unit": unit, "status": status, "reason": reason,
            "alias_of": str(entry.get("alias_of") or ""), "delanalyse": str(target.get("delanalyse", "")),
            "measure": target.get("measure", ""), "source_line": target.get("source_line", ""),
        }
    return [rows[k] for k in sorted(rows)]


def build(paths: Iterable[Path], *, targets_path: Path = REPORT_TARGETS, conflicts_path: Path = CONFLICTS_FILE,
          derived_path: Path = DERIVED_FILE, complete: bool = True, prefixes: Mapping[str, str] | None = None
          ) -> list[dict[str, Any]]:
    """Read the notebooks' reproduction CSVs (and details) and compare them with the report: one
    row per report target (``complete``)."""
    paths = list(paths)
    pipeline, details = read_pipeline_values(paths), read_details(paths)
    if not pipeline and not details:
        return []  # no notebook recorded a target: there is nothing to compare (no reproduction.csv)
    return compare(pipeline, targets=load_targets(targets_path),
                   conflicts=load_conflicts(conflicts_path), details=details, complete=complete,
                   prefixes=prefixes, derived=load_derived(derived_path))


def write_csv(rows: list[dict[str, Any]], path: Path) -> Path:
    """Write reproduction.csv (columns exactly COLUMNS; ok as true/false, empty when not compared;
    an open bound empty)."""
    with open(path, "w", newline="", encoding="utf-8") as fh:
        w = csv.writer(fh)
        w.writerow(COLUMNS)
        for r in rows:
            ok = "" if r["ok"] is None else ("true" if r["ok"] else "false")
            w.writerow([r["id"], _fmt(r["report_value"]), _fmt(r["pipeline_value"]), _fmt(r["lower"]),
                        _fmt(r["upper"]), r["printed"], ok, r["unit"], r["status"], r["reason"], r["alias_of"],
                        r["delanalyse"], r["measure"], r["source_line"]])
    return path


def read_csv(path: Path) -> list[dict[str, Any]]:
    """reproduction.csv back as rows (numbers as float, open bounds as ±inf, ok as bool/None)."""
    rows = []
    with open(path, newline="", encoding="utf-8") as fh:
        for r in csv.DictReader(fh):
            rows.append({
                **r,
                "report_value": float(r["report_value"]),
                "pipeline_value": float(r["pipeline_value"]) if r["pipeline_value"] else None,
                "lower": float(r["lower"]) if r["lower"] else -math.inf,
                "upper": float(r["upper"]) if r["upper"] else math.inf,
                "ok": None if r["ok"] == "" else r["ok"] == "true",
            })
    return rows


def summarise(rows: Any) -> dict[str, Any]:
    """Counts for the index page: rows compared (status ok/afvigelse), ok, share ok, suppressed, conflicts.

    Accepts the rows from compare()/read_csv() or a pandas DataFrame of reproduction.csv.
    """
    if hasattr(rows, "to_dict"):
        rows = rows.to_dict("records")
    statuses = [r["status"] for r in rows]
    compared = sum(s in (STATUS_OK, STATUS_DEVIATION) for s in statuses)
    ok = statuses.count(STATUS_OK)
    return {
        "compared": compared,
        "ok": ok,
        "share_ok": (ok / compared) if compared else None,
        "suppressed": statuses.count(STATUS_SUPPRESSED),
        "conflicts": statuses.count(STATUS_CONFLICT),
    }


def counts(rows: Any) -> dict[str, Any]:
    """Counts of *all* targets for the index page and the run summary: per status, per delanalyse
    and status, and the number of distinct computed values (rows with a value, or suppressed, that
    are not an alias of another id)."""
    if isinstance(rows, (str, Path)):
        rows = read_csv(Path(rows))
    elif hasattr(rows, "to_dict"):
        rows = rows.to_dict("records")
    per_status = {s: 0 for s in STATUSES}
    per_d: dict[str, dict[str, int]] = {}
    distinct = 0
    for r in rows:
        s = r["status"]
        per_status[s] = per_status.get(s, 0) + 1
        d = per_d.setdefault(str(r.get("delanalyse", "")), {k: 0 for k in (*STATUSES, "i_alt")})
        d[s] = d.get(s, 0) + 1
        d["i_alt"] += 1
        v = r.get("pipeline_value")
        has_value = v is not None and not (isinstance(v, float) and math.isnan(v))
        if (has_value or s == STATUS_SUPPRESSED) and not r.get("alias_of"):
            distinct += 1
    compared = per_status[STATUS_OK] + per_status[STATUS_DEVIATION]
    return {"targets": len(rows), "per_status": per_status,
            "per_delanalyse": dict(sorted(per_d.items())), "distinct_values": distinct,
            "compared": compared, "share_ok": per_status[STATUS_OK] / compared if compared else None}
