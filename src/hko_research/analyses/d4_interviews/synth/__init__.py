"""Synthetic interviews with 48 citizens and 24 employers in the casekommuner, written as a REFI-QDA
export (``interview_kodning.qdpx``), so the ``.qdpx`` reader runs on every default run.

Record level, exact allocation: every count in ``calibration.yaml`` (the report's shares of
chapter 6 turned into whole interviews, largest remainder where a share is given) is assigned to
exactly that many interviews, under the report's constraints (the self-employed have PA and/or
HM and work in the private sector, the farmers among them have PA for a physical impairment, the
mean age is 46). Each coded theme is a passage of a synthetic transcript ("[Syntetisk citat]"); a
second coder codes a subset for reliability.
"""
from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import yaml

from ....inputs import coding
from ....kommuner import casekommuner
from ....synth import FileWriter
from ....synth.allocation import largest_remainder

CALIBRATION = Path(__file__).with_name("calibration.yaml")
PROJECT = "interviews"
ORDNINGER = ("pa", "hm", "is", "fa")


def calibration() -> dict:
    return yaml.safe_load(CALIBRATION.read_text(encoding="utf-8"))


def _assign(rng, ids: list[str], counts: dict[str, int], fixed: dict[str, str] | None = None) -> dict[str, str]:
    fixed = dict(fixed or {})
    left = {c: n - sum(1 for v in fixed.values() if v == c) for c, n in counts.items()}
    free = [i for i in ids if i not in fixed]
    if any(n < 0 for n in left.values()) or sum(left.values()) != len(free):
        raise ValueError(f"{counts} does not fit {len(ids)} interviews with {len(fixed)} fixed")
    labels = [c for c, n in left.items() for _ in range(n)]
    fixed.update(dict(zip(free, (str(x) for x in rng.permutation(labels)))))
    return fixed


def _ages(rng, n: int, a: dict) -> list[int]:
    """``n`` ages in [min, max] with mean exactly ``gennemsnit`` (integers)."""
    x = np.clip(np.round(rng.normal(a["gennemsnit"], a["sd"], n)), a["min"], a["max"]).astype(int)
    diff = int(a["gennemsnit"] * n - x.sum())
    i = 0
    while diff != 0:
        j = i % n
        step = 1 if diff > 0 else -1
        if a["min"] <= x[j] + step <= a["max"]:
            x[j] += step
            diff -= step
        i += 1
    return [int(v) for v in x]


def _kommuner(rng, n: int, lo_hi: list[int]) -> list[int]:
    cases = list(casekommuner())
    lo, hi = lo_hi
    per = largest_remainder(np.ones(len(cases)), n)
    per = np.clip(per, lo, hi)
    out = [k for k, m in zip(rng.permutation(cases), per) for _ in range(int(m))]
    return [int(k) for k in out]


def participants(rng, cal: dict) -> pd.DataFrame:
    b, a = cal["borgere"], cal["arbejdsgivere"]
    nb, na = cal["antal"]["borger"], cal["antal"]["arbejdsgiver"]
    bid = [f"B{i:02d}" for i in range(1, nb + 1)]
    aid = [f"A{i:02d}" for i in range(1, na + 1)]
    rows = {i: {"sag": i, "gruppe": "borger", "koder": cal["koder"]["ansvarlig"]} for i in bid}
    rows.update({i: {"sag": i, "gruppe": "arbejdsgiver", "koder": cal["koder"]["ansvarlig"]} for i in aid})
    for ids, spec in ((bid, b["ordninger"]), (aid, a["ordninger"])):
        groups = _assign(rng, ids, spec)
        for i, g in groups.items():
            for o in ORDNINGER:
                rows[i][f"ordning_{o}"] = o in g.split("+")
    pa_hm = [i for i in bid if rows[i]["ordning_pa"] or rows[i]["ordning_hm"]]
    pa_only_fys = [i for i in pa_hm if rows[i]["ordning_pa"]]
    self_emp = [str(x) for x in rng.choice(pa_hm, size=b["selvstaendige"], replace=False)]
    farmers_pool = [i for i in self_emp if i in pa_only_fys]
    n_farm = b["selvstaendig_branche"]["landbrug"]
    if len(farmers_pool) < n_farm:  # pragma: no cover - redraw guard
        farmers_pool = pa_only_fys[:n_farm]
        self_emp = list(dict.fromkeys(farmers_pool + self_emp))[: b["selvstaendige"]]
    farmers = [str(x) for x in rng.choice(farmers_pool, size=n_farm, replace=False)]
    branche = _assign(rng, self_emp, b["selvstaendig_branche"], {i: "landbrug" for i in farmers})
    # sector is the citizen's workplace: job seekers with fortrinsadgang only have none
    employed = [i for i in bid if any(rows[i][f"ordning_{o}"] for o in ("pa", "hm", "is"))]
    sektor = _assign(rng, employed, b["sektor"], {i: "privat" for i in self_emp})
    funk = _assign(rng, bid, b["funktionsnedsaettelse"], {i: "fysisk" for i in farmers})
    koen = _assign(rng, bid, b["koen"])
    ages = dict(zip(bid, _ages(rng, nb, b["alder"])))
    for i in bid:
        rows[i].update({"sektor": sektor.get(i), "selvstaendig": i in self_emp, "selvstaendig_branche": branche.get(i),
                        "funktionsnedsaettelse": funk[i], "koen": koen[i], "alder": ages[i]})
    for i, s in _assign(rng, aid, a["sektor"]).items():
        rows[i].update({"sektor": s, "selvstaendig": None, "selvstaendig_branche": None,
                        "funktionsnedsaettelse": None, "koen": None, "alder": None})
    for ids, key in ((bid, "borger"), (aid, "arbejdsgiver")):
        for i, k in zip(ids, _kommuner(rng, len(ids), cal["pr_kommune"][key])):
            rows[i]["kommunekode"] = k
    cols = coding.project(PROJECT).sager_contract().column_names()
    return pd.DataFrame([rows[i] for i in bid + aid]).reindex(columns=cols)


def _groups(d: pd.DataFrame) -> dict[str, list[str]]:
    b = d["gruppe"] == "borger"
    has = {o: d[f"ordning_{o}"].astype(bool) for o in ORDNINGER}
    sel = lambda m: list(d.loc[m, "sag"])  # noqa: E731
    return {
        "borger": sel(b), "arbejdsgiver": sel(~b),
        "borger_pa_hm": sel(b & (has["pa"] | has["hm"])),
        "borger_selvstaendig": sel(b & d["selvstaendig"].fillna(False).astype(bool)),
        "borger_fa": sel(b & has["fa"]), "borger_is_fa": sel(b & (has["is"] | has["fa"])),
        "is_alle": sel(has["is"]), "arbejdsgiver_is": sel(~b & has["is"]),
    }


def themes(rng, d: pd.DataFrame, cal: dict) -> dict[str, set[str]]:
    """{sag: coded themes} for the responsible coder."""
    groups = _groups(d)
    coded: dict[str, set[str]] = {s: set() for s in d["sag"]}
    for group, counts in cal["temaer"].items():
        pool = groups[group]
        for kode, n in counts.items():
            if n > len(pool):
                raise ValueError(f"{kode}: {n} interviews of {len(pool)} in {group}")
            for s in rng.choice(pool, size=n, replace=False):
                coded[str(s)].add(kode)
    if cal.get("sparsom_kontakt_for_resten"):
        for s in groups["borger"]:
            if "jc_taet_kontakt" not in coded[s]:
                coded[s].add("jc_sparsom_kontakt")
    return coded


def coding_rows(rng, d: pd.DataFrame, coded: dict[str, set[str]], cal: dict) -> pd.DataFrame:
    book = coding.Codebook(coding.project(PROJECT).kodebog())
    lo, hi = (pd.Timestamp(x) for x in cal["datoer"])
    dates = {s: lo + pd.Timedelta(days=int(rng.integers(0, (hi - lo).days + 1))) for s in d["sag"]}
    gruppe = dict(zip(d["sag"], d["gruppe"]))
    order = book.codable()
    passages: dict[tuple[str, str], list[str]] = {}
    rows = []
    for s in d["sag"]:
        for kode in (k for k in order if k in coded[s]):
            n = int(rng.integers(cal["passager_pr_tema"][0], cal["passager_pr_tema"][1] + 1))
            texts = [f"[Syntetisk citat {j + 1}] {'Borgeren' if gruppe[s] == 'borger' else 'Arbejdsgiveren'} "
                     f"fortæller: {book.label(kode).rstrip('.')}." for j in range(n)]
            passages[(s, kode)] = texts
            for t in texts:
                rows.append({"sag": s, "kode": kode, "vaerdi": coding.PRESENT, "koder": cal["koder"]["ansvarlig"],
                             "kilde": f"Interview {s}", "citat": t, "dato": dates[s]})
    dk = cal["dobbeltkodning"]
    chosen = [str(x) for x in rng.choice(list(d.loc[d["gruppe"] == "borger", "sag"]), dk["borger"], replace=False)] + \
             [str(x) for x in rng.choice(list(d.loc[d["gruppe"] == "arbejdsgiver", "sag"]), dk["arbejdsgiver"], replace=False)]
    for s in sorted(chosen):
        for kode in order:
            present = kode in coded[s]
            if rng.random() < dk["uenig_tilstedevaerelse"]:
                present = not present
            if not present:
                continue
            texts = passages.get((s, kode)) or [f"[Syntetisk citat, kontrolkodning] {book.label(kode).rstrip('.')}."]
            for t in texts:
                rows.append({"sag": s, "kode": kode, "vaerdi": coding.PRESENT, "koder": cal["koder"]["kontrol"],
                             "kilde": f"Interview {s}", "citat": t, "dato": dates[s] + pd.Timedelta(days=21)})
    return coding.canonical_kodning(rows)


def generate(ctx) -> dict:
    cal = calibration()
    rng = ctx.rng("d4_interviews.kodning")
    proj = coding.project(PROJECT)
    d = participants(rng, cal)
    kodning = coding_rows(rng, d, themes(rng, d, cal), cal)
    tables = coding.checked_tables(proj, d, kodning)

    def write(out_dir: Path) -> Path:
        from ....inputs.qdpx import write_qdpx

        return write_qdpx(proj, tables, out_dir / f"{proj.fil}.qdpx")

    return {proj.inputs["kodning"]: FileWriter(write, frame=kodning)}
