"""Synthetic coding of the 20 casekommuner, written as a filled-in coding template
(``casekommune_kodning.xlsx``), so the template reader runs on every default run.

Record level: one row per kommune and coder, one value per code. Strategy, organisation and the
number of key persons are copied from delanalyse 3's ``kommunetypologi`` (this generator runs
after it: ``Analysis.synth_after``), so chapter 3's coding and chapter 5's grouping agree kommune by
kommune. Every other code is allocated exactly (a presence code set for the report's "x ud af 20",
a categorical code split exactly as calibrated) under the report's constraints (broad anchoring
only in spredt/generel kommuner, one key person -> "én nøgleperson", the named Tabel 7-9 kommuner
as described). Parameters: ``calibration.yaml``.
"""
from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import yaml

from ....inputs import coding
from ....kommuner import casekommuner, kommune_navn
from ....synth import FileWriter
from ....typologi import ORGANISERING_ANTAL, STRATEGI_ANTAL
from ....vocabulary import STRATEGITYPER

CALIBRATION = Path(__file__).with_name("calibration.yaml")
PROJECT = "casekommuner"
_TABEL3 = {"proaktiv": "tabel3_proaktiv", "reaktiv": "tabel3_reaktiv", "diffus": "tabel3_diffus"}
_TABEL6 = {"specialiseret_team": "tabel6_specialiseret", "spredt_specialisering": "tabel6_spredt",
           "generel_specialisering": "tabel6_generel"}


def calibration() -> dict:
    return yaml.safe_load(CALIBRATION.read_text(encoding="utf-8"))


def _pick(rng: np.random.Generator, pool: list[int], n: int, must: list[int] = ()) -> list[int]:
    """``n`` kommuner from ``pool``: all of ``must`` first, the rest drawn."""
    must = [k for k in must if k in pool]
    if n < len(must) or n > len(pool):
        raise ValueError(f"cannot pick {n} of {len(pool)} kommuner with {len(must)} required")
    rest = [k for k in pool if k not in must]
    return must + [int(x) for x in rng.choice(rest, size=n - len(must), replace=False)] if n > len(must) else must[:n]


def _split(rng: np.random.Generator, pool: list[int], counts: dict[str, int], fixed: dict[int, str]) -> dict[int, str]:
    """Each kommune of ``pool`` gets one category; ``fixed`` ones first, then exactly ``counts``."""
    out = {k: v for k, v in fixed.items() if k in pool}
    left = {c: n - sum(1 for v in out.values() if v == c) for c, n in counts.items()}
    if any(n < 0 for n in left.values()) or sum(left.values()) != len(pool) - len(out):
        raise ValueError(f"categories {counts} do not fit {len(pool)} kommuner with fixed {fixed}")
    labels = [c for c, n in left.items() for _ in range(n)]
    free = [k for k in pool if k not in out]
    out.update(dict(zip(free, rng.permutation(labels))))
    return {k: str(v) for k, v in out.items()}


def case_coding(typologi: pd.DataFrame, rng: np.random.Generator, cal: dict) -> tuple[pd.DataFrame, dict[int, dict]]:
    """(sager, {kommunekode: {code: value}}) for the responsible coder."""
    book = coding.Codebook(coding.project(PROJECT).kodebog())
    cases = list(casekommuner())
    t = typologi.set_index("kommunekode").loc[cases]
    strategi, organisering = t["strategi"].to_dict(), t["organisering"].to_dict()
    antal_np = t["antal_noeglepersoner"].astype(int).to_dict()
    if pd.Series(strategi).value_counts().to_dict() != STRATEGI_ANTAL or \
            pd.Series(organisering).value_counts().to_dict() != ORGANISERING_ANTAL:
        raise ValueError("kommunetypologi does not have the counts declared in hko_research.typologi")
    n2c = {kommune_navn(k): k for k in cases}
    named = {n2c[n]: v for n, v in cal["navngivne"].items()}
    values: dict[int, dict] = {k: {"strategi": strategi[k], "organisering": organisering[k]} for k in cases}
    spredt_generel = [k for k in cases if organisering[k] != "specialiseret_team"]
    single = [k for k in cases if antal_np[k] == 1]

    # categorical codes with constraints
    fixed = {k: v["forankring"] for k, v in named.items()}
    pool = [k for k in spredt_generel if fixed.get(k, "alle_teams") == "alle_teams"]
    alle = _pick(rng, pool, cal["forankring"]["alle_teams"], [k for k, v in fixed.items() if v == "alle_teams"])
    fixed.update({k: "alle_teams" for k in alle})
    rest_counts = {c: n for c, n in cal["forankring"].items() if c != "alle_teams"}
    forankring = _split(rng, [k for k in cases if k not in alle], rest_counts,
                        {k: v for k, v in fixed.items() if v != "alle_teams"})
    forankring.update({k: "alle_teams" for k in alle})
    fys = {k: "en_noegleperson" for k in single}
    fys.update(_split(rng, [k for k in cases if k not in single], cal["fysisk_placering"],
                      {k: v["fysisk_placering"] for k, v in named.items() if k not in single}))
    fag = _split(rng, cases, cal["faglig_baggrund"], {k: v["faglig_baggrund"] for k, v in named.items()})
    fagsystem = _split(rng, cases, cal["fagsystem"], {})
    for k in cases:
        values[k].update({"forankring": forankring[k], "fysisk_placering": fys[k], "faglig_baggrund": fag[k],
                          "fagsystem": fagsystem[k]})

    # presence codes with exact counts
    for kode, n in cal["antal"].items():
        must = spredt_generel if kode == "hm_mindre_alle_medarbejdere" else []
        for k in _pick(rng, cases, int(n), must):
            values[k][kode] = coding.PRESENT
    for k, v in named.items():
        if v.get("organisering_eksempel") == "ja":
            values[k]["organisering_eksempel"] = coding.PRESENT

    # typology criteria (Tabel 3 and 6) and Tabel 10, drawn per kommune
    for k in cases:
        for typ, branch in _TABEL3.items():
            p = cal["tabel3"]["p_egen"] if strategi[k] == typ else cal["tabel3"]["p_anden"]
            for kode in book.children(branch):
                if rng.random() < p:
                    values[k][kode] = coding.PRESENT
        for typ, branch in _TABEL6.items():
            p = cal["tabel6"]["p_egen"] if organisering[k] == typ else cal["tabel6"]["p_anden"]
            for kode in book.children(branch):
                if rng.random() < p:
                    values[k][kode] = coding.PRESENT
        own = "tabel10_specialiseret" if organisering[k] == "specialiseret_team" else "tabel10_spredt_generel"
        for branch in ("tabel10_specialiseret", "tabel10_spredt_generel"):
            for kode in book.children(branch):
                kind = "fordel" if kode.startswith("f_") else "ulempe"
                p = cal["tabel10"][("egen_" if branch == own else "anden_") + kind]
                if rng.random() < p:
                    values[k][kode] = coding.PRESENT

    # case attributes
    sager = []
    for k in cases:
        org, n = organisering[k], antal_np[k]
        rec = {"sag": kommune_navn(k), "kommunekode": k, "koder": cal["koder"]["ansvarlig"], "antal_noeglepersoner": n,
               "antal_kontorer": None, "antal_teams": None, "antal_fuld_bevillingskompetence": None,
               "hm_bevillingsgraense_kr": int(rng.choice(cal["hm_bevillingsgraense_kr"])),
               "pa_bevillingsgraense_timer": None, "hm_orienteringsgraense_kr": None}
        if fys[k] in ("samme_kontor", "samme_gang", "samme_matrikel"):
            rec["antal_kontorer"] = 1 if fys[k] == "samme_kontor" else int(rng.integers(2, max(2, n) + 1))
        if org == "spredt_specialisering":
            rec["antal_teams"] = int(min(n, rng.integers(2, 5)))
            rec["antal_fuld_bevillingskompetence"] = max(1, n - 1)
            rec["pa_bevillingsgraense_timer"] = int(rng.choice(cal["pa_bevillingsgraense_timer"]))
        elif org == "generel_specialisering":
            rec["antal_teams"] = 1
            rec["antal_fuld_bevillingskompetence"] = 1
            rec["hm_orienteringsgraense_kr"] = int(rng.choice(cal["hm_orienteringsgraense_kr"]))
        else:
            rec["antal_teams"] = 1
            rec["antal_fuld_bevillingskompetence"] = n
        for key, v in named.get(k, {}).items():
            if key in rec:
                rec[key] = v
        sager.append(rec)
    return pd.DataFrame(sager), values


def _dates(rng: np.random.Generator, cal: dict, n: int) -> list[pd.Timestamp]:
    lo, hi = (pd.Timestamp(x) for x in cal["datoer"])
    days = rng.integers(0, (hi - lo).days + 1, size=n)
    return [lo + pd.Timedelta(days=int(d)) for d in days]


def coding_rows(values: dict[int, dict], sager: pd.DataFrame, rng: np.random.Generator, cal: dict) -> pd.DataFrame:
    """Canonical codings: the responsible coder's for every kommune, a second coder's for a subset."""
    book = coding.Codebook(coding.project(PROJECT).kodebog())
    sag_of = dict(zip(sager["kommunekode"], sager["sag"]))
    cases = list(values)
    dates = dict(zip(cases, _dates(rng, cal, len(cases))))
    rows = []
    quoted = cal["citater"]

    def emit(k, koder, vals, dato):
        for kode in book.codable():
            v = vals.get(kode)
            if v is None:
                continue
            citat, kilde = None, cal["kilde"]
            if kode in quoted["koder"] and rng.random() < quoted["andel"]:
                citat = f"[Syntetisk citat] {book.label(kode)} – sådan arbejder vi i {sag_of[k]}."
                kilde = quoted["kilde"]
            rows.append({"sag": sag_of[k], "kode": kode, "vaerdi": v, "koder": koder, "kilde": kilde, "citat": citat,
                         "dato": dato})

    for k in cases:
        emit(k, cal["koder"]["ansvarlig"], values[k], dates[k])
    d = cal["dobbeltkodning"]
    for k in sorted(int(x) for x in rng.choice(cases, size=d["kommuner"], replace=False)):
        second = {}
        for kode in book.codable():
            v = values[k].get(kode)
            if book.is_categorical(kode):
                if v is not None and rng.random() < d["uenig_kategori"]:
                    v = str(rng.choice([x for x in book.values(kode) if x != v]))
            elif rng.random() < d["uenig_tilstedevaerelse"]:
                v = None if v else coding.PRESENT
            if v is not None:
                second[kode] = v
        emit(k, cal["koder"]["kontrol"], second, dates[k] + pd.Timedelta(days=14))
    return coding.canonical_kodning(rows)


def generate(ctx) -> dict:
    cal = calibration()
    rng = ctx.rng("d1_strategi.kodning")
    proj = coding.project(PROJECT)
    sager, values = case_coding(ctx.outputs["kommunetypologi"], rng, cal)
    kodning = coding_rows(values, sager, rng, cal)
    tables = coding.checked_tables(proj, sager, kodning)

    def write(out_dir: Path) -> Path:
        return coding.write_template(proj, out_dir / f"{proj.fil}.xlsx", tables)

    assert set(STRATEGITYPER) == set(sager.merge(ctx.outputs["kommunetypologi"], on="kommunekode")["strategi"])
    return {proj.inputs["kodning"]: FileWriter(write, frame=kodning)}
