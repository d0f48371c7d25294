"""Delanalyse 3 — loading: the inputs read once per run into the analysis frames (:class:`BrugData`).

:func:`load` reads the inputs typed (``inputs.contracts.read_input``); DREAM only through
:func:`hko_research.inputs.registers.dream_at_dates` for the grant population. Person
identifiers stay inside ``BrugData``; no published table has a ``pnr`` column.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Iterable

import pandas as pd

from ...codelists import (
    branchegruppe,
    funktionsnedsaettelse_kategori,
    icd10_funktionsnedsaettelse,
    sektor,
    uddannelsesgruppe,
    ydelsesgruppe_ved_bevilling,
)
from ...inputs.contracts import read_input
from ...inputs.dataset import find_input
from ...inputs.readers import read_mapping
from ...inputs.registers import is_person_in
from ...kommuner import (
    kommune_tabel,
    kommunekoder,
    kommunestoerrelse,
    rammevilkaar_band,
)
from ...paths import MAPPINGS_DIR
from . import measures as M

LPR_AAR_FOER = 5  # def. 26: diagnoses in the 5 years before the index grant

INDKOMST_GRAENSE = 300_000  # Tabel 13: «indkomst over DKK 300.000»

@dataclass
class BrugData:
    """The analysis frames of one run (person level; never published as such)."""

    year: int
    kommuner: tuple[int, ...]
    all_kommuner: bool
    grants: pd.DataFrame          # every PA/HM/isbryder grant, all years (no DREAM attributes)
    pgrants: pd.DataFrame         # grants starting in {Y-1, Y} with ydelsesgruppe etc. at grant
    persons: pd.DataFrame         # one row per (ordning, pnr) in the period: index-grant attributes
    pa_active: pd.DataFrame       # PA grants active in Y, first active week of Y (Figur 23)
    mentor: pd.DataFrame
    handic: pd.DataFrame
    befolkning: pd.DataFrame
    regnskab: pd.DataFrame
    fuldtid: pd.DataFrame
    kommuneinfo: pd.DataFrame     # kommunekode, kommune, region, rang, strategi, organisering
    sager: pd.DataFrame
    survey: pd.DataFrame
    ressource: pd.DataFrame
    covered_years: tuple[int, ...] = ()
    notes: list[str] = field(default_factory=list)

    @property
    def period(self) -> tuple[int, int]:
        return (self.year - 1, self.year)

    @property
    def casekommuner(self) -> tuple[int, ...]:
        return tuple(sorted(self.kommuneinfo.loc[self.kommuneinfo["strategi"].notna(), "kommunekode"]))

def kvartal_befolkning(bef: pd.DataFrame, kvartal: str) -> pd.Series:
    s = bef.loc[bef["kvartal"] == kvartal].set_index("kommunekode")["befolkning"].astype(float)
    return s

def index_grants(pgrants: pd.DataFrame) -> pd.DataFrame:
    """One row per recipient (ordning, pnr) of the period: the person's first grant in it (def. 3).
    A person who moves kommune between grants is one recipient, in the index grant's kommune."""
    return (pgrants.sort_values(["ordning", "pnr", "start", "grant_id"])
            .drop_duplicates(["ordning", "pnr"], keep="first").reset_index(drop=True))


def load(params) -> BrugData:
    """Read the inputs for ``params`` (a validated RunParams) and build the analysis frames."""
    return load_dir(params.data_dir, params.year, params.kommuner,
                    all_kommuner=params.all_kommuner, covered_years=tuple(params.covered_years))

def load_dir(data_dir, year: int, kommuner: Iterable[int], *, all_kommuner: bool | None = None,
             covered_years: tuple[int, ...] = ()) -> BrugData:
    data_dir = Path(data_dir)
    Y = int(year)
    kommuner = tuple(sorted(int(k) for k in kommuner))
    if all_kommuner is None:
        all_kommuner = set(kommuner) == set(kommunekoder())

    pa = read_input(data_dir, "dfdg_personlig_assistance",
                    ["bevilling_id", "pnr", "kommunekode", "startdato", "slutdato", "pa_type", "timer_pr_uge"])
    hm = read_input(data_dir, "dfdg_hjaelpemidler",
                    ["bevilling_id", "pnr", "kommunekode", "hjaelpemiddel_type", "art", "ejerskab", "startdato", "slutdato", "lov"])
    isb = read_input(data_dir, "dfdg_isbryder",
                     ["forloeb_id", "pnr", "kommunekode", "loentilskud_start", "loentilskud_slut"])
    grants = pd.concat([
        pd.DataFrame({"ordning": "pa", "grant_id": pa["bevilling_id"].astype(str), "pnr": pa["pnr"],
                      "kommunekode": pa["kommunekode"], "start": pa["startdato"], "slut": pa["slutdato"],
                      "type": pa["pa_type"], "art": pd.NA}),
        pd.DataFrame({"ordning": "hm", "grant_id": hm["bevilling_id"].astype(str), "pnr": hm["pnr"],
                      "kommunekode": hm["kommunekode"], "start": hm["startdato"], "slut": hm["slutdato"],
                      "type": hm["hjaelpemiddel_type"], "art": hm["art"]}),
        pd.DataFrame({"ordning": "is", "grant_id": isb["forloeb_id"].astype(str), "pnr": isb["pnr"],
                      "kommunekode": isb["kommunekode"], "start": isb["loentilskud_start"],
                      "slut": isb["loentilskud_slut"], "type": pd.NA, "art": pd.NA}),
    ], ignore_index=True)
    grants["start"] = pd.to_datetime(grants["start"])
    grants["slut"] = pd.to_datetime(grants["slut"])
    grants["kommunekode"] = grants["kommunekode"].astype(int)
    grants["aar"] = grants["start"].dt.year.astype(int)
    grants["type"] = grants["type"].astype("string")
    grants["art"] = grants["art"].astype("string")

    # ---- DREAM at the grant (period grants) and at the first active week of Y (PA, Figur 23)
    y0, y1 = Y - 1, Y
    pg = grants.loc[grants["aar"].isin([y0, y1])].copy()
    jan1 = pd.Timestamp(f"{Y}-01-01")
    dec31 = pd.Timestamp(f"{Y}-12-31")
    act = grants.loc[(grants["ordning"] == "pa") & (grants["start"] <= dec31)
                     & (grants["slut"].isna() | (grants["slut"] >= jan1))].copy()
    act["dato"] = act["start"].where(act["start"] > jan1, jan1)
    pg["dato"] = pg["start"]
    pop = pd.concat([pg.assign(_rolle="grant"), act.assign(_rolle="active")], ignore_index=True)
    dream_path = find_input(data_dir, "dream")
    if dream_path is None:
        raise FileNotFoundError(f"input 'dream' not found in {data_dir}")
    from ...inputs.registers import dream_at_dates

    if len(pop):
        attrs = dream_at_dates(dream_path, pop[["pnr", "dato"]], fields=("y", "grad", "branche", "virkform"))
    else:
        attrs = pd.DataFrame(columns=["pnr", "dato", "ydelseskode", "grad", "branche", "virkform", "kon", "foeddt", "i_dream"])
    for c in ("ydelseskode", "grad", "branche", "virkform", "kon", "foeddt", "i_dream"):
        pop[c] = attrs[c].to_numpy() if len(pop) else pd.Series(dtype=object)
    grp = ydelsesgruppe_ved_bevilling(pop["ydelseskode"]) if len(pop) else pd.DataFrame(
        columns=["ydelsesgruppe", "perspektiv", "jobindsats_gruppe"])
    for c in ("ydelsesgruppe", "perspektiv", "jobindsats_gruppe"):
        pop[c] = grp[c].to_numpy() if len(pop) else pd.Series(dtype="string")
    # persons not in DREAM: ydelsesgruppe unknown (not selvforsørget)
    notin = ~pop["i_dream"].astype(bool) if len(pop) else pd.Series(dtype=bool)
    for c in ("ydelsesgruppe", "perspektiv", "jobindsats_gruppe"):
        pop.loc[notin, c] = pd.NA
    pop["beskaeftiget"] = M.er_beskaeftiget(pop["ydelsesgruppe"], pop["grad"])
    pop["rekruttering"] = M.er_rekruttering(pop["ydelsesgruppe"], pop["perspektiv"])
    pop["alder"] = M.alder(pop["foeddt"], pop["dato"])
    pop["koen"] = pop["kon"].astype("string").map({"M": "mand", "K": "kvinde"}).astype("string")
    pop["branchegruppe"] = branchegruppe(pop["branche"]).to_numpy()
    pop["sektor"] = sektor(pop["virkform"]).to_numpy()
    pgrants = pop.loc[pop["_rolle"] == "grant"].drop(columns="_rolle").reset_index(drop=True)
    pa_active = pop.loc[pop["_rolle"] == "active"].drop(columns="_rolle").reset_index(drop=True)

    # ---- person level: index grant = first grant in the period per (ordning, pnr) (def. 3)
    persons = index_grants(pgrants)
    persons["idx_aar"] = persons["start"].dt.year
    pnrs = persons["pnr"].unique()
    udda = read_input(data_dir, "udda", ["pnr", "aar", "hfaudd"])
    udda = udda.loc[is_person_in(udda["pnr"], pnrs)]
    persons = persons.merge(udda.rename(columns={"aar": "idx_aar"}), on=["pnr", "idx_aar"], how="left")
    persons["uddannelse"] = uddannelsesgruppe(persons["hfaudd"]).to_numpy()
    ind = read_input(data_dir, "ind", ["pnr", "aar", "perindkp"])
    ind = ind.loc[is_person_in(ind["pnr"], pnrs)]
    persons = persons.merge(ind.rename(columns={"aar": "idx_aar"}), on=["pnr", "idx_aar"], how="left")
    # LPR impairments in the 5 years before the index grant (def. 26)
    lpr = read_input(data_dir, "lpr_diagnoser", ["pnr", "d_inddto", "c_diag"])
    lpr = lpr.loc[is_person_in(lpr["pnr"], pnrs)].copy()
    lpr["fn"] = icd10_funktionsnedsaettelse(lpr["c_diag"]).to_numpy()
    lpr = lpr.dropna(subset=["fn"])
    lpr["kategori"] = funktionsnedsaettelse_kategori(lpr["fn"]).to_numpy()
    j = persons[["ordning", "pnr", "start"]].merge(lpr, on="pnr", how="inner")
    j = j.loc[(j["d_inddto"] < j["start"]) & (j["d_inddto"] >= j["start"] - pd.DateOffset(years=LPR_AAR_FOER))]
    kategorier = ("fysisk", "psykisk", "sensorisk", "intellektuel", "andet")
    flags = (j.groupby(["ordning", "pnr", "kategori"], observed=True).size().unstack("kategori", fill_value=0) > 0
             ).reindex(columns=list(kategorier), fill_value=False)
    flags = flags.add_prefix("lpr_").reset_index()
    persons = persons.merge(flags, on=["ordning", "pnr"], how="left")
    for k in kategorier:
        persons[f"lpr_{k}"] = persons[f"lpr_{k}"].fillna(False).astype(bool)
    persons["lpr_antal_kategorier"] = persons[[f"lpr_{k}" for k in kategorier]].sum(axis=1)

    # ---- other registers and municipal data
    mentor = read_input(data_dir, "dfdg_mentor", ["pnr", "kommunekode", "startdato", "slutdato"])
    mentor = mentor.loc[is_person_in(mentor["pnr"], pnrs)].reset_index(drop=True)
    handic = read_input(data_dir, "handic", ["pnr", "ydelse_start", "ydelse_slut"])
    handic = handic.loc[is_person_in(handic["pnr"], pnrs)].reset_index(drop=True)
    befolkning = read_input(data_dir, "befolkning", ["kommunekode", "kvartal", "befolkning"])
    regnskab = read_input(data_dir, "regnskab", ["aar", "kommunekode", "konto", "bruttoudgift_1000kr"])
    konti = read_mapping(MAPPINGS_DIR / "regnskabskonti.csv")[["konto", "ordning"]]
    regnskab = regnskab.merge(konti, on="konto", how="inner")
    fuldtid = read_input(data_dir, "fuldtidspersoner", ["aar", "kommunekode", "ydelsesgruppe", "fuldtidspersoner"])
    ramme = read_input(data_dir, "rammevilkaar", ["kommunekode", "rang"])
    typ = read_input(data_dir, "kommunetypologi", ["kommunekode", "strategi", "organisering"])
    info = kommune_tabel().copy()
    info = info.merge(ramme, on="kommunekode", how="left").merge(typ, on="kommunekode", how="left")
    info["rammevilkaar"] = rammevilkaar_band(info["rang"]).to_numpy()
    info["kommunestoerrelse"] = kommunestoerrelse(
        kvartal_befolkning(befolkning, f"{Y - 1}K4").reindex(info["kommunekode"]).to_numpy())
    sager = read_input(data_dir, "sagsgennemgang")
    survey = read_input(data_dir, "noegleperson_survey")
    ressource = read_input(data_dir, "ressourceestimat")
    return BrugData(
        year=Y, kommuner=kommuner, all_kommuner=bool(all_kommuner), grants=grants, pgrants=pgrants,
        persons=persons, pa_active=pa_active, mentor=mentor, handic=handic, befolkning=befolkning,
        regnskab=regnskab, fuldtid=fuldtid, kommuneinfo=info, sager=sager, survey=survey, ressource=ressource,
        covered_years=tuple(covered_years) or tuple(sorted(grants["aar"].unique())),
    )


def persons_of(b: BrugData, ordning: str) -> pd.DataFrame:
    """The period's recipients of one ordning (one row per person, index-grant attributes)."""
    return b.persons.loc[b.persons["ordning"] == ordning]
