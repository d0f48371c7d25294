"""Delanalyse 3 — jobcentrenes brug af HKO (report chapter 5): data preparation and table builders.

:func:`load` reads the inputs (typed, through ``contracts.read_input``; DREAM only through
:func:`hko_research.registers.dream_at_dates` for the grant population) and builds the analysis
frames once. Every other public function takes the resulting :class:`BrugData` and returns one tidy
DataFrame per report table/figure, with count columns (``n`` = base, ``antal`` / ``antal_*`` =
numerator) next to the shares and means so that disclosure control can work. Selected kommuner are
always shown next to the national level (column ``niveau``: "Valgte kommuner" / "Hele landet"; for
the case review "Valgte casekommuner" / "Alle casekommuner").

Person identifiers stay inside ``BrugData``; no returned table has a ``pnr`` column.
Definitions: ``docs/d3_definitions.md`` (def. #) and :mod:`hko_research.measures`.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Iterable

import numpy as np
import pandas as pd

from . import measures as M
from . import reference
from .contracts import read_input
from .dataset import find_input
from .io import read_mapping
from .paths import MAPPINGS_DIR

VALGTE, LANDET = "Valgte kommuner", "Hele landet"
VALGTE_CASE, ALLE_CASE = "Valgte casekommuner", "Alle casekommuner"
# Additive groups of the published tables (secondary suppression), by builder: used by the
# notebook when publishing and by reproduction_values, so both apply the same disclosure step.
SUMS = {
    "tabel_11": [['niveau', 'ordning']],
    "tabel_12": [['niveau']],
    "tabel_13": [['niveau', 'ordning', 'tema']],
    "ydelsesforhold": [['niveau', 'ordning', 'tema']],
    "bevillingstyper": [['niveau', 'ordning', 'tema']],
    "tabel_19": [['niveau', 'ordning', 'tema']],
}
# Subset next to its whole: the disclosure step guards the unpublished rest (differencing).
COMPLEMENT = [("niveau", VALGTE, LANDET), ("niveau", VALGTE_CASE, ALLE_CASE)]
ORDNING_NAVN = {"pa": "Personlig assistance", "hm": "Hjælpemidler", "is": "Isbryderordning", "fa": "Fortrinsadgang"}
INPUTS = [
    "dfdg_personlig_assistance", "dfdg_hjaelpemidler", "dfdg_isbryder", "dfdg_mentor", "handic", "dream",
    "udda", "ind", "lpr_diagnoser", "befolkning", "regnskab", "fuldtidspersoner", "rammevilkaar",
    "kommunetypologi", "sagsgennemgang", "noegleperson_survey", "ressourceestimat",
]
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


# =========================================================================================
# loading


def _kvartal_pop(bef: pd.DataFrame, kvartal: str) -> pd.Series:
    s = bef.loc[bef["kvartal"] == kvartal].set_index("kommunekode")["befolkning"].astype(float)
    return s


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
        all_kommuner = set(kommuner) == set(reference.kommunekoder())

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
    from .registers import dream_at_dates

    if len(pop):
        attrs = dream_at_dates(dream_path, pop[["pnr", "dato"]], fields=("y", "grad", "branche", "virkform"))
    else:
        attrs = pd.DataFrame(columns=["pnr", "dato", "ydelseskode", "grad", "branche", "virkform", "kon", "foeddt", "i_dream"])
    for c in ("ydelseskode", "grad", "branche", "virkform", "kon", "foeddt", "i_dream"):
        pop[c] = attrs[c].to_numpy() if len(pop) else pd.Series(dtype=object)
    grp = M.ydelsesgruppe_ved_bevilling(pop["ydelseskode"]) if len(pop) else pd.DataFrame(
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
    pop["branchegruppe"] = M.branchegruppe(pop["branche"]).to_numpy()
    pop["sektor"] = M.sektor(pop["virkform"]).to_numpy()
    pgrants = pop.loc[pop["_rolle"] == "grant"].drop(columns="_rolle").reset_index(drop=True)
    pa_active = pop.loc[pop["_rolle"] == "active"].drop(columns="_rolle").reset_index(drop=True)

    # ---- person level: index grant = first grant in the period per (ordning, pnr) (def. 3)
    persons = (pgrants.sort_values(["ordning", "pnr", "start", "grant_id"])
               .drop_duplicates(["ordning", "pnr"], keep="first").reset_index(drop=True))
    persons["idx_aar"] = persons["start"].dt.year
    pnrs = persons["pnr"].unique()
    udda = read_input(data_dir, "udda", ["pnr", "aar", "hfaudd"])
    udda = udda.loc[udda["pnr"].isin(pnrs)]
    persons = persons.merge(udda.rename(columns={"aar": "idx_aar"}), on=["pnr", "idx_aar"], how="left")
    persons["uddannelse"] = M.uddannelsesgruppe(persons["hfaudd"]).to_numpy()
    ind = read_input(data_dir, "ind", ["pnr", "aar", "perindkp"])
    ind = ind.loc[ind["pnr"].isin(pnrs)]
    persons = persons.merge(ind.rename(columns={"aar": "idx_aar"}), on=["pnr", "idx_aar"], how="left")
    # LPR impairments in the 5 years before the index grant (def. 26)
    lpr = read_input(data_dir, "lpr_diagnoser", ["pnr", "d_inddto", "c_diag"])
    lpr = lpr.loc[lpr["pnr"].isin(pnrs)].copy()
    lpr["fn"] = M.icd10_funktionsnedsaettelse(lpr["c_diag"]).to_numpy()
    lpr = lpr.dropna(subset=["fn"])
    lpr["kategori"] = M.funktionsnedsaettelse_kategori(lpr["fn"]).to_numpy()
    j = persons[["ordning", "pnr", "start"]].merge(lpr, on="pnr", how="inner")
    j = j.loc[(j["d_inddto"] < j["start"]) & (j["d_inddto"] >= j["start"] - pd.DateOffset(years=LPR_AAR_FOER))]
    kategorier = ("fysisk", "psykisk", "sensorisk", "intellektuel", "andet")
    flags = (pd.crosstab([j["ordning"], j["pnr"]], j["kategori"]) > 0).reindex(columns=list(kategorier), fill_value=False)
    flags = flags.add_prefix("lpr_").reset_index()
    persons = persons.merge(flags, on=["ordning", "pnr"], how="left")
    for k in kategorier:
        persons[f"lpr_{k}"] = persons[f"lpr_{k}"].fillna(False).astype(bool)
    persons["lpr_antal_kategorier"] = persons[[f"lpr_{k}" for k in kategorier]].sum(axis=1)

    # ---- other registers and municipal data
    mentor = read_input(data_dir, "dfdg_mentor", ["pnr", "kommunekode", "startdato", "slutdato"])
    mentor = mentor.loc[mentor["pnr"].isin(pnrs)].reset_index(drop=True)
    handic = read_input(data_dir, "handic", ["pnr", "ydelse_start", "ydelse_slut"])
    handic = handic.loc[handic["pnr"].isin(pnrs)].reset_index(drop=True)
    befolkning = read_input(data_dir, "befolkning", ["kommunekode", "kvartal", "befolkning"])
    regnskab = read_input(data_dir, "regnskab", ["aar", "kommunekode", "konto", "bruttoudgift_1000kr"])
    konti = read_mapping(MAPPINGS_DIR / "regnskabskonti.csv")[["konto", "ordning"]]
    regnskab = regnskab.merge(konti, on="konto", how="inner")
    fuldtid = read_input(data_dir, "fuldtidspersoner", ["aar", "kommunekode", "ydelsesgruppe", "fuldtidspersoner"])
    ramme = read_input(data_dir, "rammevilkaar", ["kommunekode", "rang"])
    typ = read_input(data_dir, "kommunetypologi", ["kommunekode", "strategi", "organisering"])
    info = reference.kommuner().copy()
    info = info.merge(ramme, on="kommunekode", how="left").merge(typ, on="kommunekode", how="left")
    info["rammevilkaar"] = M.rammevilkaar_band(info["rang"]).to_numpy()
    info["kommunestoerrelse"] = M.kommunestoerrelse(
        _kvartal_pop(befolkning, f"{Y - 1}K4").reindex(info["kommunekode"]).to_numpy())
    sager = read_input(data_dir, "sagsgennemgang")
    survey = read_input(data_dir, "noegleperson_survey")
    ressource = read_input(data_dir, "ressourceestimat")
    return BrugData(
        year=Y, kommuner=kommuner, all_kommuner=bool(all_kommuner), grants=grants, pgrants=pgrants,
        persons=persons, pa_active=pa_active, mentor=mentor, handic=handic, befolkning=befolkning,
        regnskab=regnskab, fuldtid=fuldtid, kommuneinfo=info, sager=sager, survey=survey, ressource=ressource,
        covered_years=tuple(covered_years) or tuple(sorted(grants["aar"].unique())),
    )


# =========================================================================================
# helpers


def _levels(b: BrugData, df: pd.DataFrame, col: str = "kommunekode"):
    """[(niveau, subset)]: the selected kommuner (unless all are selected) and the whole country."""
    out = []
    if not b.all_kommuner:
        out.append((VALGTE, df.loc[df[col].isin(b.kommuner)]))
    out.append((LANDET, df))
    return out


def _case_levels(b: BrugData, df: pd.DataFrame):
    sel = df.loc[df["kommunekode"].isin(b.kommuner)]
    out = []
    if not b.all_kommuner and len(sel) and set(sel["kommunekode"]) != set(df["kommunekode"]):
        out.append((VALGTE_CASE, sel))
    out.append((ALLE_CASE, df))
    return out


def _share_row(flag: pd.Series, **keys) -> dict:
    r = M.share_with_ci(flag)
    return {**keys, "antal": r["antal"], "n": r["n"], "andel": r["andel"], "ci_nedre": r["ci_nedre"],
            "ci_oevre": r["ci_oevre"]}


def _distribution(values: pd.Series, categories: Iterable[str] | None = None, **keys) -> list[dict]:
    """One row per category: antal, n (non-missing), andel + Wilson CI."""
    v = pd.Series(values, dtype="string")
    n = int(v.notna().sum())
    cats = list(categories) if categories is not None else sorted(v.dropna().unique())
    rows = []
    for c in cats:
        k = int((v == c).sum())
        lo, hi = M.proportion_ci(k, n)
        rows.append({**keys, "kategori": c, "antal": k, "n": n, "andel": M.share(k, n), "ci_nedre": lo, "ci_oevre": hi})
    return rows


def basis(df: pd.DataFrame) -> dict[str, list[str]]:
    """Disclosure basis for :meth:`Publisher.table`: which counts each derived column is computed
    from. ``andel_X`` from ``antal_X`` and ``n``; ``andel``/``ci_*`` from ``antal`` and ``n``;
    means (``gennemsnit*``, ``gns*``, ``median*``) from ``n``; anything else from every count of
    its row (the cautious default)."""
    from .disclosure import count_columns

    counts = [c for c in count_columns(df) if c not in _KEY_COLUMNS]
    keys = set(_KEY_COLUMNS)
    out = {}
    for c in df.columns:
        if c in counts or c in keys or not pd.api.types.is_numeric_dtype(df[c]) or pd.api.types.is_bool_dtype(df[c]):
            continue
        if not counts:
            continue
        name = str(c)
        own = f"antal_{name[len('andel_'):]}" if name.startswith("andel_") else None
        suffix = name.rsplit("_", 1)[-1]
        if name in _BASIS_OVERRIDES:
            out[c] = [x for x in _BASIS_OVERRIDES[name] if x in counts] or counts
        elif suffix in ("pa", "hm", "is", "fa") and f"antal_{suffix}" in counts:
            out[c] = [f"antal_{suffix}"]  # e.g. enhedspris_hm from the kommune's HM grants
        elif own in counts:
            out[c] = [own] + (["n"] if "n" in counts else [])
        elif name in ("andel", "ci_nedre", "ci_oevre") and {"antal", "n"} & set(counts):
            out[c] = [x for x in ("antal", "n") if x in counts]
        elif name.startswith(("gennemsnit", "gns", "median")) and "n" in counts:
            out[c] = ["n"]
        else:
            out[c] = counts
    return out


# Numeric columns that describe a cell rather than count persons (never masked): kommune counts,
# population, rank, years.
_KEY_COLUMNS = ("aar", "kommunekode", "rang", "befolkning", "befolkningsandel", "fuldtidspersoner",
                "kommuner", "kommuner_i_alt", "kommuner_med_sager")
# Derived kommune-level columns computed from PA and HM grants only (Figur 24-25).
_BASIS_OVERRIDES = {name: ["antal_pa", "antal_hm"] for name in
                    ("udgift_pa_hm", "udgiftsandel", "difference", "hoejere_end_forventet")}


def table_keys(df: pd.DataFrame) -> list[str]:
    """Numeric columns of ``df`` that describe a cell (population, rank, ...) and are never masked."""
    return [c for c in df.columns if c in _KEY_COLUMNS]


def kommunenavn(kode: int) -> str:
    return reference.kommune_navne().get(int(kode), str(kode))


# =========================================================================================
# 5.2 Omfang


def tabel_11(b: BrugData) -> pd.DataFrame:
    """Tabel 11: grants and re-grants by ordning for Y-1, Y and in total (def. 1-2); isbryder
    løntilskud forløb; fortrinsadgang from the national key-person survey (reported cases)."""
    y0, y1 = b.period
    rows = []
    for niveau, g in _levels(b, b.grants):
        for o in ("pa", "hm", "is"):
            go = g.loc[g["ordning"] == o]
            a0, a1 = int((go["aar"] == y0).sum()), int((go["aar"] == y1).sum())
            rows += [{"niveau": niveau, "ordning": ORDNING_NAVN[o], "periode": f"Bevilliget i {y0}", "antal": a0},
                     {"niveau": niveau, "ordning": ORDNING_NAVN[o], "periode": f"Bevilliget i {y1}", "antal": a1},
                     {"niveau": niveau, "ordning": ORDNING_NAVN[o], "periode": "I alt", "antal": a0 + a1}]
    for niveau, s in _levels(b, b.survey):
        fa = s.loc[(s["ordning"] == "fa") & s["aar"].isin([y0, y1])]
        a0 = int(fa.loc[fa["aar"] == y0, "antal_bevillinger"].sum())
        a1 = int(fa.loc[fa["aar"] == y1, "antal_bevillinger"].sum())
        rows += [{"niveau": niveau, "ordning": ORDNING_NAVN["fa"], "periode": f"Bevilliget i {y0}", "antal": a0},
                 {"niveau": niveau, "ordning": ORDNING_NAVN["fa"], "periode": f"Bevilliget i {y1}", "antal": a1},
                 {"niveau": niveau, "ordning": ORDNING_NAVN["fa"], "periode": "I alt", "antal": a0 + a1}]
    return pd.DataFrame(rows)


def survey_kommuner(b: BrugData) -> int:
    """Number of kommuner that responded to the national survey for the period (Tabel 11 note,
    l.1240: «55 kommuner har bidraget med antal i perioden 2018-2019»); a kommune counts when it has
    a row for the period, also if its fortrinsadgang count is missing (item non-response)."""
    s = b.survey
    return int(s.loc[s["aar"].isin(b.period), "kommunekode"].nunique())


def udvikling(b: BrugData) -> pd.DataFrame:
    """Change Y-1 -> Y in grants per ordning (5.2: «stigning ... på henholdsvis 8 og 5 procent»)."""
    y0, y1 = b.period
    rows = []
    for niveau, g in _levels(b, b.grants):
        for o, lab in (("pa", "pa"), ("hm", "hm"), ("pa+hm", "pa+hm")):
            go = g.loc[g["ordning"].isin(o.split("+"))]
            a0, a1 = int((go["aar"] == y0).sum()), int((go["aar"] == y1).sum())
            rows.append({"niveau": niveau, "ordning": lab, f"antal_{y0}": a0, f"antal_{y1}": a1,
                         "relativ_aendring": M.share(a1, a0) - 1 if a0 else np.nan})
    return pd.DataFrame(rows)


def anvendelsesgrad_kommuner(b: BrugData, year: int | None = None) -> pd.DataFrame:
    """Kommune-level anvendelsesgrad (def. 15): PA+HM (and each ordning) grants starting in Y per
    inhabitant YK4, with band, rammevilkår, size and (casekommuner) typology."""
    Y = int(year or b.year)
    g = b.grants.loc[b.grants["aar"] == Y]
    cnt = g.pivot_table(index="kommunekode", columns="ordning", values="grant_id", aggfunc="count").reindex(
        columns=["pa", "hm", "is"]).fillna(0)
    info = b.kommuneinfo.set_index("kommunekode")
    df = pd.DataFrame(index=info.index)
    df["kommune"] = info["kommune"]
    for o in ("pa", "hm", "is"):
        df[f"antal_{o}"] = cnt[o].reindex(df.index).fillna(0).astype(int)
    df["antal_pa_hm"] = df["antal_pa"] + df["antal_hm"]
    df["befolkning"] = _kvartal_pop(b.befolkning, f"{Y}K4").reindex(df.index)
    df["anvendelsesgrad"] = M.anvendelsesgrad(df["antal_pa_hm"], df["befolkning"])
    df["anvendelsesgrad_pa"] = M.anvendelsesgrad(df["antal_pa"], df["befolkning"])
    df["anvendelsesgrad_hm"] = M.anvendelsesgrad(df["antal_hm"], df["befolkning"])
    df["anvendelsesgrad_band"] = M.anvendelsesgrad_band(df["anvendelsesgrad"]).to_numpy()
    for c in ("rang", "rammevilkaar", "kommunestoerrelse", "strategi", "organisering", "region"):
        df[c] = info[c]
    df["valgt"] = df.index.isin(b.kommuner)
    return df.reset_index()


def tabel_12(b: BrugData) -> pd.DataFrame:
    """Tabel 12: share of kommuner by anvendelsesgrad band (lav < 0,2 pct., mellem, høj > 0,5 pct.)."""
    k = anvendelsesgrad_kommuner(b)
    rows = []
    for niveau, s in _levels(b, k):
        rows += _distribution(s["anvendelsesgrad_band"], ["lav", "mellem", "hoej"], niveau=niveau)
    out = pd.DataFrame(rows).rename(columns={"kategori": "anvendelsesgrad", "antal": "kommuner",
                                             "n": "kommuner_i_alt"})
    return out


def anvendelsesgrad_sammenhaenge(b: BrugData) -> pd.DataFrame:
    """Kommune-level tests the report makes (5.2, fn. 28 «p-værdi <0,05»): anvendelsesgrad (PA+HM,
    PA, HM) vs VIVE rammevilkår rank — Spearman correlation and OLS slope (statsmodels) with p-values."""
    import statsmodels.api as sm
    from scipy import stats

    k = anvendelsesgrad_kommuner(b).dropna(subset=["rang"])
    rows = []
    for col, lab in (("anvendelsesgrad", "PA og hjælpemidler"), ("anvendelsesgrad_pa", "Personlig assistance"),
                     ("anvendelsesgrad_hm", "Hjælpemidler")):
        d = k.dropna(subset=[col])
        if len(d) < 3:
            rows.append({"maal": lab, "kommuner_i_alt": len(d)})
            continue
        rho, p_s = stats.spearmanr(d["rang"], d[col])
        fit = sm.OLS(d[col].astype(float) * 100, sm.add_constant(d["rang"].astype(float))).fit()
        rows.append({"maal": lab, "kommuner_i_alt": len(d), "spearman_rho": float(rho), "spearman_p": float(p_s),
                     "ols_haeldning_pct_point_pr_rang": float(fit.params["rang"]), "ols_p": float(fit.pvalues["rang"]),
                     "signifikant": bool(p_s < 0.05)})
    return pd.DataFrame(rows)


def anvendelsesgrad_grupper(b: BrugData) -> pd.DataFrame:
    """Mean kommune anvendelsesgrad (unweighted over kommuner) by rammevilkår band (all kommuner) and
    by strategi / organisering (casekommuner), for PA+HM, PA and HM (5.2, l.1285-1297)."""
    k = anvendelsesgrad_kommuner(b)
    rows = []
    for dim, values in (("rammevilkaar", ["vanskelige", "mellem", "gode"]),
                        ("strategi", ["proaktiv", "reaktiv", "diffus"]),
                        ("organisering", ["specialiseret_team", "spredt_specialisering", "generel_specialisering"])):
        for v in values:
            s = k.loc[k[dim] == v]
            rows.append({"dimension": dim, "gruppe": v, "kommuner": len(s),
                         "anvendelsesgrad": s["anvendelsesgrad"].mean(),
                         "anvendelsesgrad_pa": s["anvendelsesgrad_pa"].mean(),
                         "anvendelsesgrad_hm": s["anvendelsesgrad_hm"].mean()})
    return pd.DataFrame(rows)


def trend(b: BrugData) -> pd.DataFrame:
    """Grants per ordning and national/selected anvendelsesgrad (PA+HM) for every covered year."""
    rows = []
    for Y in b.covered_years:
        pop = _kvartal_pop(b.befolkning, f"{Y}K4")
        for niveau, g in _levels(b, b.grants.loc[b.grants["aar"] == Y]):
            kom = list(b.kommuner) if niveau == VALGTE else list(pop.index)
            row = {"niveau": niveau, "aar": int(Y)}
            for o in ("pa", "hm", "is"):
                row[f"antal_{o}"] = int((g["ordning"] == o).sum())
            row["anvendelsesgrad"] = M.share(row["antal_pa"] + row["antal_hm"], float(pop.reindex(kom).sum()))
            rows.append(row)
    return pd.DataFrame(rows)


# =========================================================================================
# 5.3 Målgruppe


def _persons(b: BrugData, ordning: str) -> pd.DataFrame:
    return b.persons.loc[b.persons["ordning"] == ordning]


UDD_KAT = ["grundskole", "gymnasial_erhvervsfaglig", "kort_videregaaende", "mellemlang_videregaaende",
           "lang_videregaaende", "uoplyst"]
ALDER_KAT = ["under 30", "30-50", "over 50"]


def _alder_kat(a: pd.Series) -> pd.Series:
    a = pd.to_numeric(a, errors="coerce")
    return pd.Series(np.select([a < 30, a > 50, a.notna()], ["under 30", "over 50", "30-50"], default=""),
                     index=a.index).replace("", pd.NA).astype("string")


def tabel_13(b: BrugData, ordninger=("pa", "hm", "is")) -> pd.DataFrame:
    """Tabel 13: recipients in the period (person level, index grant) by køn, alder, uddannelse,
    indkomst > 300.000, branche and sektor (def. 3-8). Each tema is a partition of its base n."""
    branche_kat = list(read_mapping(MAPPINGS_DIR / "branche_db07.csv")["branchegruppe"])
    rows = []
    for o in ordninger:
        for niveau, p in _levels(b, _persons(b, o)):
            k = {"niveau": niveau, "ordning": ORDNING_NAVN[o]}
            rows += _distribution(p["koen"], ["mand", "kvinde"], **k, tema="køn")
            rows += _distribution(_alder_kat(p["alder"]), ALDER_KAT, **k, tema="alder")
            rows += _distribution(p["uddannelse"], UDD_KAT, **k, tema="uddannelse")
            inc = pd.to_numeric(p["perindkp"], errors="coerce")
            lab = pd.Series(np.where(inc > INDKOMST_GRAENSE, "over 300.000 kr.", "300.000 kr. eller derunder"),
                            index=p.index).where(inc.notna())
            rows += _distribution(lab, ["over 300.000 kr.", "300.000 kr. eller derunder"], **k, tema="indkomst")
            rows += _distribution(p["branchegruppe"], branche_kat, **k, tema="branche")
            rows += _distribution(p["sektor"], ["offentlig", "privat"], **k, tema="sektor")
    return pd.DataFrame(rows)


def tabel_13_indkomst(b: BrugData, ordninger=("pa", "hm", "is")) -> pd.DataFrame:
    """Tabel 13: mean personal income (PERINDKP) in the index grant's year, recipients with a value."""
    rows = []
    for o in ordninger:
        for niveau, p in _levels(b, _persons(b, o)):
            inc = pd.to_numeric(p["perindkp"], errors="coerce").dropna()
            rows.append({"niveau": niveau, "ordning": ORDNING_NAVN[o], "n": len(inc),
                         "gennemsnitsindkomst": float(inc.mean()) if len(inc) else np.nan})
    return pd.DataFrame(rows)


def antal_modtagere(b: BrugData) -> pd.DataFrame:
    """Recipients (persons) and grants in the period per ordning (Tabel 13/15/16 N)."""
    rows = []
    for o in ("pa", "hm", "is"):
        for niveau, p in _levels(b, _persons(b, o)):
            g = b.pgrants.loc[(b.pgrants["ordning"] == o)]
            g = g if niveau == LANDET else g.loc[g["kommunekode"].isin(b.kommuner)]
            rows.append({"niveau": niveau, "ordning": ORDNING_NAVN[o], "antal_personer": len(p), "antal_bevillinger": len(g)})
    return pd.DataFrame(rows)


YDELSE_KAT = ["selvforsoerget", "delvis_sygemeldt", "fleksjob", "ledighedsydelse", "sygedagpenge", "jobafklaring",
              "a_dagpenge", "kontanthjaelp", "uddannelseshjaelp", "integrationsydelse", "revalidering",
              "ressourceforloeb", "su", "uden_for_arbejdsstyrken", "andet"]


def ydelsesforhold(b: BrugData, ordninger=("pa", "hm", "is")) -> pd.DataFrame:
    """5.3.2: grants in the period by ydelsesgruppe at grant (grant level, def. 9) and by perspektiv
    (fastholdelse / rekruttering / andet, def. 10-11)."""
    rows = []
    for o in ordninger:
        for niveau, g in _levels(b, b.pgrants.loc[b.pgrants["ordning"] == o]):
            k = {"niveau": niveau, "ordning": ORDNING_NAVN[o]}
            rows += _distribution(g["ydelsesgruppe"], YDELSE_KAT, **k, tema="ydelsesgruppe")
            rows += _distribution(g["perspektiv"], ["fastholdelse", "rekruttering", "andet"], **k, tema="perspektiv")
    return pd.DataFrame(rows)


def figur_22_23(b: BrugData) -> pd.DataFrame:
    """Figur 22 (HM: persons granted in Y, ydelsesgruppe at their first HM grant in Y) and Figur 23
    (PA: persons with a grant active in Y, ydelsesgruppe in the first active week of Y), per
    jobindsats group, divided by fuldtidspersoner in Y (def. 16)."""
    Y = b.year
    grupper = ["ADP", "KTH", "UDH", "REV", "INT", "SDP", "JAF", "RESS", "LYD", "FLEKS"]
    hm = (b.pgrants.loc[(b.pgrants["ordning"] == "hm") & (b.pgrants["aar"] == Y)]
          .sort_values(["pnr", "start", "grant_id"]).drop_duplicates("pnr"))
    pa = b.pa_active.sort_values(["pnr", "dato", "grant_id"]).drop_duplicates("pnr")
    ft = b.fuldtid.loc[b.fuldtid["aar"] == Y]
    rows = []
    for o, frame in (("hm", hm), ("pa", pa)):
        for niveau, g in _levels(b, frame):
            f = ft if niveau == LANDET else ft.loc[ft["kommunekode"].isin(b.kommuner)]
            fsum = f.groupby("ydelsesgruppe")["fuldtidspersoner"].sum()
            cnt = g["jobindsats_gruppe"].value_counts()
            for gr in grupper:
                a = int(cnt.get(gr, 0))
                rows.append({"niveau": niveau, "ordning": ORDNING_NAVN[o], "ydelsesgruppe": gr, "antal": a,
                             "fuldtidspersoner": float(fsum.get(gr, np.nan)),
                             "andel": M.andel_af_fuldtidspersoner(a, float(fsum.get(gr, np.nan)))})
    return pd.DataFrame(rows)


# ---- 5.3.3 Kompensationsbehov (case review)

KATEGORIER = ["fysisk", "psykisk", "sensorisk", "intellektuel", "andet"]


def _sager_flags(s: pd.DataFrame) -> pd.DataFrame:
    f1 = s["funktionsnedsaettelse_1"].astype("string")
    f2 = s["funktionsnedsaettelse_2"].astype("string")
    k1, k2 = M.funktionsnedsaettelse_kategori(f1), M.funktionsnedsaettelse_kategori(f2)
    out = pd.DataFrame(index=s.index)
    for k in KATEGORIER:
        out[k] = ((k1 == k).fillna(False) | (k2 == k).fillna(False)).to_numpy()
    out["_f1"], out["_f2"] = f1.to_numpy(), f2.to_numpy()
    return out


def tabel_14(b: BrugData, top: int = 5) -> pd.DataFrame:
    """Tabel 14 (case review, def. 22): per ordning, share of reviewed cases with an impairment in
    each category, the five most frequent specific impairments, and enkelt/dobbeltdiagnose."""
    navne = read_mapping(MAPPINGS_DIR / "funktionsnedsaettelser.csv").set_index("kode")["betegnelse"]
    rows = []
    for niveau, s in _case_levels(b, b.sager):
        for o in ("pa", "hm", "is", "fa"):
            so = s.loc[s["ordning"] == o]
            fl = _sager_flags(so)
            n = len(so)
            k = {"niveau": niveau, "ordning": ORDNING_NAVN[o]}
            for c in KATEGORIER:
                rows.append({**_share_row(fl[c], **k, tema="funktionsnedsættelse"), "kategori": c})
            codes = pd.concat([fl["_f1"], fl["_f2"].where(fl["_f2"] != fl["_f1"])]).dropna()
            freq = codes.value_counts()
            freq = freq.sort_index().sort_values(ascending=False, kind="stable")
            for rank, (code, a) in enumerate(freq.head(top).items(), start=1):
                lo, hi = M.proportion_ci(int(a), n)
                rows.append({**k, "tema": f"top-{top}", "kategori": f"{rank}. {navne.get(code, code)}",
                             "kode": code, "antal": int(a), "n": n, "andel": M.share(int(a), n), "ci_nedre": lo, "ci_oevre": hi})
            d = so["dobbeltdiagnose"].astype("boolean")
            lab = pd.Series(np.where(d.fillna(False), "dobbeltdiagnose", "enkeltdiagnose"), index=so.index).where(d.notna())
            for r in _distribution(lab, ["enkeltdiagnose", "dobbeltdiagnose"], **k, tema="multisygdom"):
                rows.append(r)
    return pd.DataFrame(rows)


def diagnose_andele(b: BrugData) -> pd.DataFrame:
    """Share of all reviewed cases per ordning with each specific impairment (case review)."""
    rows = []
    s = b.sager
    for o in ("pa", "hm", "is", "fa"):
        so = s.loc[s["ordning"] == o]
        n = len(so)
        codes = pd.concat([so["funktionsnedsaettelse_1"].astype("string"),
                           so["funktionsnedsaettelse_2"].astype("string").where(
                               so["funktionsnedsaettelse_2"].astype("string") != so["funktionsnedsaettelse_1"].astype("string"))]).dropna()
        for code, a in codes.value_counts().items():
            rows.append({"ordning": o, "kode": code, "antal": int(a), "n": n, "andel": M.share(int(a), n)})
    return pd.DataFrame(rows, columns=["ordning", "kode", "antal", "n", "andel"])


def tabel_14_lpr(b: BrugData) -> pd.DataFrame:
    """Register version of Tabel 14 (def. 26): recipients with LPR diagnoses mapping to each impairment
    category in the 5 years before the index grant; dobbeltdiagnose = >= 2 categories (among persons
    with at least one)."""
    rows = []
    for o in ("pa", "hm", "is"):
        for niveau, p in _levels(b, _persons(b, o)):
            k = {"niveau": niveau, "ordning": ORDNING_NAVN[o]}
            for c in KATEGORIER:
                rows.append({**_share_row(p[f"lpr_{c}"], **k, tema="funktionsnedsættelse (LPR)"), "kategori": c})
            ncat = p["lpr_antal_kategorier"]
            lab = pd.Series(np.where(ncat >= 2, "dobbeltdiagnose", "enkeltdiagnose"), index=p.index).where(ncat > 0)
            rows += _distribution(lab, ["enkeltdiagnose", "dobbeltdiagnose"], **k, tema="multisygdom (LPR)")
    return pd.DataFrame(rows)


# ---- Tabel 15 / 16: compensation needs and parallel efforts


def bevillingstyper(b: BrugData) -> pd.DataFrame:
    """5.3.4 / Tabel 15: grants in the period by PA type, HM type and HM art (grant level; art among
    grants with an art)."""
    rows = []
    for niveau, g in _levels(b, b.pgrants):
        pa, hm = g.loc[g["ordning"] == "pa"], g.loc[g["ordning"] == "hm"]
        rows += _distribution(pa["type"], sorted(b.grants.loc[b.grants["ordning"] == "pa", "type"].dropna().unique()),
                              niveau=niveau, ordning=ORDNING_NAVN["pa"], tema="type")
        rows += _distribution(hm["type"], sorted(b.grants.loc[b.grants["ordning"] == "hm", "type"].dropna().unique()),
                              niveau=niveau, ordning=ORDNING_NAVN["hm"], tema="type")
        rows += _distribution(hm["art"], ["arbejdsredskaber", "mindre_arbejdspladsindretning", "undervisningsmateriale"],
                              niveau=niveau, ordning=ORDNING_NAVN["hm"], tema="art")
    return pd.DataFrame(rows)


def _parallel_flags(b: BrugData, ordning: str) -> pd.DataFrame:
    """Per recipient of ``ordning`` in the period: flags for parallel PA/HM/isbryder/mentor/SEL (def. 13)."""
    y0, y1 = b.period
    dec31 = pd.Timestamp(f"{y1}-12-31")
    own = b.grants.loc[(b.grants["ordning"] == ordning) & b.grants["aar"].isin([y0, y1]), ["pnr", "start", "slut"]]
    own = own.assign(slut=own["slut"].fillna(dec31))
    persons = _persons(b, ordning)[["pnr", "kommunekode"]].reset_index(drop=True)
    out = persons.copy()
    others = {
        "pa": b.grants.loc[b.grants["ordning"] == "pa", ["pnr", "start", "slut"]],
        "hm": b.grants.loc[b.grants["ordning"] == "hm", ["pnr", "start", "slut"]],
        "is": b.grants.loc[b.grants["ordning"] == "is", ["pnr", "start", "slut"]],
        "mentor_lab": b.mentor.rename(columns={"startdato": "start", "slutdato": "slut"})[["pnr", "start", "slut"]],
        "sel": b.handic.rename(columns={"ydelse_start": "start", "ydelse_slut": "slut"})[["pnr", "start", "slut"]],
    }
    for key, oth in others.items():
        if key == ordning:
            continue
        oth = oth.loc[oth["pnr"].isin(persons["pnr"])]
        j = own.merge(oth, on="pnr", suffixes=("", "_o"))
        hit = j.loc[M.intervals_overlap(j["start"], j["slut"], j["start_o"], j["slut_o"]).to_numpy(), "pnr"].unique()
        out[key] = out["pnr"].isin(hit)
    keys = [k for k in others if k != ordning]
    out["ingen_parallel"] = ~out[keys].any(axis=1)
    return out


def tabel_16(b: BrugData) -> pd.DataFrame:
    """Tabel 16: share of recipients of each ordning (column population) with a parallel effort of
    each kind; the diagonal (indsats = the ordning itself) is the share with no parallel effort."""
    rows = []
    for o in ("pa", "hm", "is"):
        fl = _parallel_flags(b, o)
        for niveau, p in _levels(b, fl):
            for key in ("pa", "hm", "is", "mentor_lab", "sel"):
                col = "ingen_parallel" if key == o else key
                rows.append(_share_row(p[col], niveau=niveau, population=ORDNING_NAVN[o],
                                       indsats={"pa": "Personlig assistance", "hm": "Hjælpemiddel", "is": "Isbryder",
                                                "mentor_lab": "Mentor (LAB)", "sel": "Indsats under serviceloven (SEL)"}[key]
                                       + (" (eneste indsats)" if key == o else "")))
            rows.append(_share_row(~p["ingen_parallel"], niveau=niveau, population=ORDNING_NAVN[o],
                                   indsats="Mindst én parallelindsats"))
    return pd.DataFrame(rows)


def varighed(b: BrugData) -> pd.DataFrame:
    """5.3.4: mean grant duration in weeks over grants starting in the period with a slutdato (def. 14)."""
    rows = []
    for niveau, g in _levels(b, b.pgrants):
        for o in ("pa", "hm", "is"):
            w = M.varighed_uger(g.loc[g["ordning"] == o, "start"], g.loc[g["ordning"] == o, "slut"]).dropna()
            rows.append({"niveau": niveau, "ordning": ORDNING_NAVN[o], "n": len(w),
                         "gennemsnit_uger": float(w.mean()) if len(w) else np.nan})
    return pd.DataFrame(rows)


# =========================================================================================
# 5.4 Subgrupper


def subgrupper(b: BrugData) -> pd.DataFrame:
    """5.4: per PA type and HM type (grants in the period): ydelsesgruppe at grant, beskæftigelse,
    perspektiv, indsats i jobcentret forud (= rekruttering, def. 12), køn, alder, and the person's
    LPR impairment categories (def. 26)."""
    pcols = ["ordning", "pnr", "lpr_fysisk", "lpr_psykisk", "lpr_sensorisk", "lpr_intellektuel"]
    g = b.pgrants.loc[b.pgrants["ordning"].isin(["pa", "hm"])].merge(b.persons[pcols], on=["ordning", "pnr"], how="left")
    rows = []
    for niveau, s in _levels(b, g):
        for (o, t), st in s.groupby(["ordning", "type"], sort=True):
            k = {"niveau": niveau, "ordning": ORDNING_NAVN[o], "type": t}
            rows += _distribution(st["ydelsesgruppe"], YDELSE_KAT, **k, tema="ydelsesgruppe")
            rows.append({**_share_row(st["beskaeftiget"], **k, tema="ydelse"), "kategori": "beskaeftigelse"})
            rows += _distribution(st["perspektiv"], ["fastholdelse", "rekruttering", "andet"], **k, tema="perspektiv")
            rows.append({**_share_row(st["rekruttering"], **k, tema="indsats forud"), "kategori": "indsats i jobcentret forud"})
            rows += _distribution(st["koen"], ["mand", "kvinde"], **k, tema="køn")
            a = pd.to_numeric(st["alder"], errors="coerce")
            for lab, flag in (("under 30", a < 30), ("over 40", a > 40), ("over 50", a > 50)):
                rows.append({**_share_row(flag.astype("boolean").where(a.notna()), **k, tema="alder"), "kategori": lab})
            for c in ("fysisk", "psykisk", "sensorisk", "intellektuel"):
                rows.append({**_share_row(st[f"lpr_{c}"].astype("boolean"), **k, tema="funktionsnedsættelse (LPR)"),
                             "kategori": c})
    return pd.DataFrame(rows)


def type_efter_ydelse(b: BrugData) -> pd.DataFrame:
    """5.3.4: distribution of PA types within each ydelsesgruppe at grant (e.g. a-dagpenge)."""
    rows = []
    for niveau, g in _levels(b, b.pgrants.loc[b.pgrants["ordning"] == "pa"]):
        types = sorted(b.grants.loc[b.grants["ordning"] == "pa", "type"].dropna().unique())
        for yg, s in g.groupby("ydelsesgruppe", sort=True):
            rows += _distribution(s["type"], types, niveau=niveau, ordning=ORDNING_NAVN["pa"], ydelsesgruppe=yg)
    return pd.DataFrame(rows)


# =========================================================================================
# 5.5 Udgiftsniveau


def udgifter_kommuner(b: BrugData) -> pd.DataFrame:
    """Per kommune: gross expenditure in Y per ordning (kr.), grants in Y, unit prices (def. 17),
    population YK4, and the PA+HM expenditure share minus population share (def. 18)."""
    Y = b.year
    r = b.regnskab.loc[b.regnskab["aar"] == Y]
    u = r.pivot_table(index="kommunekode", columns="ordning", values="bruttoudgift_1000kr", aggfunc="sum").reindex(
        columns=["pa", "hm", "is"]) * 1000
    k = anvendelsesgrad_kommuner(b).set_index("kommunekode")
    df = k[["kommune", "befolkning", "antal_pa", "antal_hm", "antal_is", "strategi", "organisering", "rammevilkaar",
            "kommunestoerrelse", "valgt"]].copy()
    for o in ("pa", "hm", "is"):
        df[f"udgift_{o}"] = u[o].reindex(df.index).fillna(0.0)
        df[f"enhedspris_{o}"] = M.enhedspris(df[f"udgift_{o}"], df[f"antal_{o}"])
        df[f"sager_pr_1000_{o}"] = M.share(df[f"antal_{o}"], df["befolkning"]) * 1000
    df["udgift_pa_hm"] = df["udgift_pa"] + df["udgift_hm"]
    diff = M.udgiftsandel_minus_befolkningsandel(df["udgift_pa_hm"], df["befolkning"])
    df = df.join(diff)
    df["udgift_pr_indbygger"] = M.share(df["udgift_pa_hm"] + df["udgift_is"], df["befolkning"])
    return df.reset_index()


def udgifter_national(b: BrugData) -> pd.DataFrame:
    """5.5: national expenditure per ordning, its share of all HKO expenditure, unit prices (mean of
    kommune prices = the report's yellow dot, and total/total), and share of recipients."""
    k = udgifter_kommuner(b)
    tot = sum(k[f"udgift_{o}"].sum() for o in ("pa", "hm", "is"))
    npers = {o: len(_persons(b, o)) for o in ("pa", "hm", "is")}
    rows = []
    for o in ("pa", "hm", "is"):
        ep = M.enhedspris_national(k.set_index("kommunekode")[f"udgift_{o}"], k.set_index("kommunekode")[f"antal_{o}"])
        rows.append({"ordning": ORDNING_NAVN[o], "udgift_kr": float(k[f"udgift_{o}"].sum()),
                     "udgiftsandel": M.share(k[f"udgift_{o}"].sum(), tot), f"antal_bevillinger_{b.year}": int(k[f"antal_{o}"].sum()),
                     "enhedspris_gns_kommuner": ep["gennemsnit_kommuner"], "enhedspris_samlet": ep["samlet"],
                     "antal_personer_periode": npers[o], "personandel": M.share(npers[o], sum(npers.values()))})
    return pd.DataFrame(rows)


def enhedspriser(b: BrugData) -> pd.DataFrame:
    """Figur 26: mean kommune unit price per ordning for the selected kommuner and the whole country
    (mean of kommune prices over kommuner with grants), with the number of kommuner and grants."""
    k = udgifter_kommuner(b)
    rows = []
    for niveau, s in _levels(b, k):
        for o in ("pa", "hm", "is"):
            ep = M.enhedspris_national(s.set_index("kommunekode")[f"udgift_{o}"], s.set_index("kommunekode")[f"antal_{o}"])
            rows.append({"niveau": niveau, "ordning": ORDNING_NAVN[o], "antal_bevillinger": int(s[f"antal_{o}"].sum()),
                         "kommuner_i_alt": int((s[f"antal_{o}"] > 0).sum()),
                         "enhedspris_gns_kommuner": ep["gennemsnit_kommuner"], "enhedspris_samlet": ep["samlet"]})
    return pd.DataFrame(rows)


def enhedspris_sammenhaenge(b: BrugData) -> pd.DataFrame:
    """5.5: Spearman correlation between kommune unit price and grants per inhabitant (PA, HM)."""
    from scipy import stats

    k = udgifter_kommuner(b)
    rows = []
    for o in ("pa", "hm"):
        d = k.dropna(subset=[f"enhedspris_{o}", f"sager_pr_1000_{o}"])
        if len(d) >= 3:
            rho, p = stats.spearmanr(d[f"sager_pr_1000_{o}"], d[f"enhedspris_{o}"])
        else:
            rho, p = np.nan, np.nan
        rows.append({"ordning": ORDNING_NAVN[o], "kommuner_i_alt": len(d), "spearman_rho": float(rho), "p_vaerdi": float(p)})
    return pd.DataFrame(rows)


def udgifter_grupper(b: BrugData) -> pd.DataFrame:
    """5.5 (l.1576-1580): mean kommune unit price and expenditure per inhabitant by strategi."""
    k = udgifter_kommuner(b)
    rows = []
    for v in ("proaktiv", "reaktiv", "diffus"):
        s = k.loc[k["strategi"] == v]
        rows.append({"strategi": v, "kommuner": len(s), "enhedspris_pa": s["enhedspris_pa"].mean(),
                     "enhedspris_hm": s["enhedspris_hm"].mean(), "udgift_pr_indbygger": s["udgift_pr_indbygger"].mean()})
    return pd.DataFrame(rows)


def uddannelse_rammevilkaar(b: BrugData) -> pd.DataFrame:
    """5.3.1 (l.1328): share of PA and HM recipients with lang videregående uddannelse by the
    kommune's rammevilkår band, plus a Spearman test at kommune level (share vs rank)."""
    from scipy import stats

    info = b.kommuneinfo.set_index("kommunekode")
    rows = []
    for o in ("pa", "hm"):
        p = _persons(b, o).copy()
        p["rammevilkaar"] = p["kommunekode"].map(info["rammevilkaar"])
        p["lvu"] = p["uddannelse"] == "lang_videregaaende"
        p["vu"] = p["uddannelse"].isin(["kort_videregaaende", "mellemlang_videregaaende", "lang_videregaaende"])
        for band in ("vanskelige", "mellem", "gode"):
            s = p.loc[p["rammevilkaar"] == band]
            rows.append({**_share_row(s["lvu"], ordning=ORDNING_NAVN[o], rammevilkaar=band), "kategori": "lang_videregaaende"})
        per_k = p.groupby("kommunekode")["vu"].mean()
        d = pd.DataFrame({"vu": per_k, "rang": info["rang"].reindex(per_k.index)}).dropna()
        rho, pv = stats.spearmanr(d["rang"], d["vu"]) if len(d) >= 3 else (np.nan, np.nan)
        rows.append({"ordning": ORDNING_NAVN[o], "rammevilkaar": "alle (Spearman, kommuneniveau)",
                     "kategori": "videregaaende vs. rang", "n": len(d), "spearman_rho": float(rho), "p_vaerdi": float(pv)})
    return pd.DataFrame(rows)


# =========================================================================================
# 5.6 Bevillingsprocessen (case review)


def _sager_weeks(s: pd.DataFrame) -> pd.DataFrame:
    s = s.copy()
    s["uger"] = M.sagsbehandlingstid_uger(s["ansoegningsdato"], s["bevillingsdato"]).astype(float).to_numpy()
    s["over4"] = M.over_4_uger(s["ansoegningsdato"], s["bevillingsdato"]).to_numpy()
    return s


def figur_29_30(b: BrugData) -> pd.DataFrame:
    """Figur 29-30: mean case processing time (weeks) and share over 4 weeks by ordning and year
    (cases with both dates, def. 21)."""
    rows = []
    for niveau, s in _case_levels(b, _sager_weeks(b.sager)):
        for (o, aar), st in s.groupby(["ordning", "aar"], sort=True):
            w = st["uger"].dropna()
            f = st["over4"].astype("boolean")
            k = int(f.fillna(False).sum())
            n = int(f.notna().sum())
            rows.append({"niveau": niveau, "ordning": ORDNING_NAVN[o], "aar": int(aar), "n": n,
                         "kommuner_med_sager": int(st.loc[st["uger"].notna(), "kommunekode"].nunique()),
                         "gennemsnit_uger": float(w.mean()) if len(w) else np.nan, "antal_over_4_uger": k,
                         "andel_over_4_uger": M.share(k, n)})
    return pd.DataFrame(rows)


def tabel_17(b: BrugData) -> pd.DataFrame:
    """Tabel 17: mean case processing time (weeks) by the kommune's organisering and strategi, per
    ordning (def. 24), with the number of kommuner and cases."""
    s = _sager_weeks(b.sager).merge(b.kommuneinfo[["kommunekode", "strategi", "organisering"]], on="kommunekode", how="left")
    rows = []
    for dim in ("organisering", "strategi"):
        for v, sv in s.groupby(dim, sort=True):
            for o in ("pa", "hm", "fa", "is"):
                st = sv.loc[sv["ordning"] == o]
                w = st["uger"].dropna()
                rows.append({"dimension": dim, "gruppe": v, "ordning": ORDNING_NAVN[o], "n": len(w),
                             "kommuner": int(sv["kommunekode"].nunique()), "antal_sager_gruppe": len(sv),
                             "gennemsnit_uger": float(w.mean()) if len(w) else np.nan})
    return pd.DataFrame(rows)


def tabel_18(b: BrugData) -> pd.DataFrame:
    """Tabel 18: key persons' estimated hours per case: mean of the casekommuners' averages, range =
    lowest minimum to highest maximum (def. 25)."""
    rows = []
    for niveau, r in _case_levels(b, b.ressource):
        for o in ("pa", "hm", "is", "fa"):
            s = r.loc[r["ordning"] == o]
            rows.append({"niveau": niveau, "ordning": ORDNING_NAVN[o], "kommuner_i_alt": int(s["timer_gns"].notna().sum()),
                         "timer_gns": float(s["timer_gns"].mean()), "timer_min": float(s["timer_min"].min()),
                         "timer_max": float(s["timer_max"].max())})
    return pd.DataFrame(rows)


def tabel_19(b: BrugData) -> pd.DataFrame:
    """Tabel 19 (def. 23): PA time-limited or not (recorded), duration of the time-limited (< 12,
    = 12, > 12 months); HM udlån / tilskud."""
    rows = []
    for niveau, s in _case_levels(b, b.sager):
        pa, hm = s.loc[s["ordning"] == "pa"], s.loc[s["ordning"] == "hm"]
        t = pa["tidsbegraenset"].astype("boolean")
        lab = pd.Series(np.where(t.fillna(False), "tidsbegrænset", "ikke tidsbegrænset"), index=pa.index).where(t.notna())
        rows += _distribution(lab, ["tidsbegrænset", "ikke tidsbegrænset"], niveau=niveau, ordning=ORDNING_NAVN["pa"], tema="bevilling")
        mdr = pd.to_numeric(pa.loc[t.fillna(False).to_numpy(bool), "varighed_mdr"], errors="coerce")
        vlab = pd.Series(np.select([mdr < 12, mdr == 12, mdr > 12], ["under 12 mdr.", "12 mdr.", "over 12 mdr."], default=""),
                         index=mdr.index).replace("", pd.NA).where(mdr.notna())
        rows += _distribution(vlab, ["under 12 mdr.", "12 mdr.", "over 12 mdr."], niveau=niveau,
                              ordning=ORDNING_NAVN["pa"], tema="varighed (tidsbegrænsede)")
        rows += _distribution(hm["udlaan_tilskud"], ["tilskud", "udlaan"], niveau=niveau, ordning=ORDNING_NAVN["hm"],
                              tema="udlån/tilskud")
    return pd.DataFrame(rows)


def sagsgennemgang_oversigt(b: BrugData) -> pd.DataFrame:
    """5.1/5.6 key facts of the case review per ordning: cases, afslag, førstegangsbevillinger, LAB/KOL,
    opfølgning uden ændring, søgt uden om jobcentret, mean months of time-limited PA grants."""
    rows = []
    for niveau, s in _case_levels(b, b.sager):
        for o in ("pa", "hm", "is", "fa"):
            so = s.loc[s["ordning"] == o]
            k = {"niveau": niveau, "ordning": ORDNING_NAVN[o]}
            rows.append({**k, "maal": "sager", "antal": len(so), "n": len(so), "andel": np.nan})
            rows.append({**_share_row(so["afgoerelse"] == "afslag", **k), "maal": "afslag"})
            rows.append({**_share_row(so["foerstegangsbevilling"].astype("boolean"), **k), "maal": "førstegangsbevilling"})
            rows.append({**_share_row((so["lov"].astype("string") == "KOL").astype("boolean").where(so["lov"].notna()), **k), "maal": "KOL"})
            rows.append({**_share_row((~so["opfoelgning_med_aendring"].astype("boolean")), **k), "maal": "opfølgning uden ændring"})
            rows.append({**_share_row(so["soegt_uden_om_jobcenter"].astype("boolean"), **k), "maal": "søgt uden om jobcentret"})
            t = so["tidsbegraenset"].astype("boolean").fillna(False).to_numpy(bool)
            mdr = pd.to_numeric(so.loc[t, "varighed_mdr"], errors="coerce").dropna()
            rows.append({**k, "maal": "gns. varighed tidsbegrænsede (mdr.)", "n": len(mdr),
                         "gennemsnit": float(mdr.mean()) if len(mdr) else np.nan})
    out = pd.DataFrame(rows)
    return out.loc[out["n"] > 0].reset_index(drop=True)  # n == 0: the field is not recorded for that ordning


def kommune_andele(b: BrugData, ordning: str, kommunekoder: Iterable[int]) -> float:
    """Share of the period's grants of ``ordning`` made by the given kommuner (5.2, l.1248)."""
    g = b.pgrants.loc[b.pgrants["ordning"] == ordning]
    return M.share(int(g["kommunekode"].isin(list(kommunekoder)).sum()), len(g))


def rekrutteringsgrad_strategi(b: BrugData) -> pd.DataFrame:
    """5.3.2 (l.1379): rekrutteringsgrad (def. 11) per casekommune for PA and HM over the period's
    grants, averaged (unweighted) over the kommuner of each strategi."""
    g = b.pgrants.merge(b.kommuneinfo[["kommunekode", "strategi"]], on="kommunekode").dropna(subset=["strategi"])
    rows = []
    for o in ("pa", "hm"):
        per_k = g.loc[g["ordning"] == o].groupby(["strategi", "kommunekode"]).apply(
            lambda s: M.rekrutteringsgrad(s["ydelsesgruppe"], s["perspektiv"]), include_groups=False)
        for v in ("proaktiv", "reaktiv", "diffus"):
            vals = per_k.get(v, pd.Series(dtype=float)) if len(per_k) else pd.Series(dtype=float)
            rows.append({"ordning": ORDNING_NAVN[o], "strategi": v, "kommuner": int(pd.Series(vals).notna().sum()),
                         "rekrutteringsgrad": float(pd.Series(vals).mean())})
    return pd.DataFrame(rows)


def profil_ekstra(b: BrugData, ordninger=("pa", "hm", "is")) -> pd.DataFrame:
    """Person-level shares used in 5.3.1 and 5.7 that are not partitions of Tabel 13: age 18-29 and
    over 40, any videregående uddannelse, and ydelsesgruppe at the index grant."""
    rows = []
    for o in ordninger:
        for niveau, p in _levels(b, _persons(b, o)):
            k = {"niveau": niveau, "ordning": ORDNING_NAVN[o]}
            a = pd.to_numeric(p["alder"], errors="coerce")
            for lab, flag in (("18-29", (a >= 18) & (a <= 29)), ("over 40", a > 40)):
                rows.append({**_share_row(flag.astype("boolean").where(a.notna()), **k, tema="alder"), "kategori": lab})
            rows.append({**_share_row(p["uddannelse"].isin(["kort_videregaaende", "mellemlang_videregaaende",
                                                            "lang_videregaaende"]), **k, tema="uddannelse"),
                         "kategori": "videregaaende"})
            rows += _distribution(p["ydelsesgruppe"], YDELSE_KAT, **k, tema="ydelsesgruppe (person)")
    return pd.DataFrame(rows)


def kommune_fakta(b: BrugData) -> pd.DataFrame:
    """Kommune shares the report names (5.2 l.1248, 5.3.4 l.1481): every kommune's share of the
    period's isbryder grants, and the branche distribution of each kommune's PA recipients."""
    rows = []
    g = b.pgrants.loc[b.pgrants["ordning"] == "is"]
    n = len(g)
    for kode, a in g["kommunekode"].value_counts().items():
        rows.append({"maal": "andel af isbryderforløb", "kommunekode": int(kode), "kategori": "",
                     "antal": int(a), "n": n, "andel": M.share(int(a), n)})
    p = _persons(b, "pa")
    for kode, s in p.groupby("kommunekode"):
        nb = int(s["branchegruppe"].notna().sum())
        for kat, a in s["branchegruppe"].value_counts().items():
            rows.append({"maal": "PA-modtagere efter branche", "kommunekode": int(kode), "kategori": kat,
                         "antal": int(a), "n": nb, "andel": M.share(int(a), nb)})
    return pd.DataFrame(rows, columns=["maal", "kommunekode", "kategori", "antal", "n", "andel"])


def resultater(b: BrugData, done: dict[str, pd.DataFrame] | None = None) -> dict[str, pd.DataFrame]:
    """Every builder's table, keyed by builder name (what :func:`reproduction_values` reads); tables
    already in ``done`` (e.g. built by the notebook) are reused, not rebuilt."""
    done = dict(done or {})
    names = ["tabel_11", "udvikling", "tabel_12", "anvendelsesgrad_kommuner", "anvendelsesgrad_grupper",
             "anvendelsesgrad_sammenhaenge", "trend", "tabel_13", "tabel_13_indkomst", "profil_ekstra",
             "antal_modtagere", "ydelsesforhold", "figur_22_23", "rekrutteringsgrad_strategi", "tabel_14",
             "diagnose_andele", "tabel_14_lpr", "bevillingstyper", "tabel_16", "varighed", "subgrupper",
             "type_efter_ydelse", "udgifter_kommuner", "udgifter_national", "enhedspriser", "enhedspris_sammenhaenge",
             "udgifter_grupper", "uddannelse_rammevilkaar", "figur_29_30", "tabel_17", "tabel_18", "tabel_19",
             "sagsgennemgang_oversigt", "kommune_fakta", "fuldtid_udvikling"]
    out = {n: done[n] if n in done else globals()[n](b) for n in names}
    out["survey_kommuner"] = pd.DataFrame({"kommuner": [survey_kommuner(b)]})
    return out


def fuldtid_udvikling(b: BrugData) -> pd.DataFrame:
    """Fuldtidspersoner on public support (all groups), Y-1 and Y, and the relative change — the
    nearest available measure of 5.2's «antallet af borgere på offentlig forsørgelse» (fn. 26 counts
    persons, jobindsats.dk; the pipeline only has fuldtidspersoner)."""
    y0, y1 = b.period
    rows = []
    for niveau, f in _levels(b, b.fuldtid):
        a0 = float(f.loc[f["aar"] == y0, "fuldtidspersoner"].sum())
        a1 = float(f.loc[f["aar"] == y1, "fuldtidspersoner"].sum())
        rows.append({"niveau": niveau, f"fuldtidspersoner_{y0}": a0, f"fuldtidspersoner_{y1}": a1,
                     "relativ_aendring": M.share(a1, a0) - 1 if a0 else np.nan})
    return pd.DataFrame(rows)


# =========================================================================================
# reproduction of the report's numbers (report setting only)

# report names -> impairment codes (funktionsnedsaettelser.csv) for the Tabel 14 top-5 ids
_DIAG = {"ryg_nakke": "ryg_nakke", "ben_foedder": "ben_foedder", "arme_haender": "arme_haender", "stress": "stress",
         "kognitiv_lidelse": "kognitiv_lidelse", "ordblindhed": "ordblindhed", "nedsat_hoerelse": "doev_nedsat_hoerelse",
         "depression": "depression", "asperger": "asperger", "bipolar": "bipolar", "sklerose": "sklerose"}
_TOP5 = {"fa": ["ryg_nakke", "ben_foedder", "stress", "sklerose", "kognitiv_lidelse"],
         "hm": ["ryg_nakke", "ben_foedder", "arme_haender", "ordblindhed", "nedsat_hoerelse"],
         "is": ["depression", "asperger", "ryg_nakke", "bipolar", "arme_haender"],
         "pa": ["ryg_nakke", "arme_haender", "kognitiv_lidelse", "ben_foedder", "nedsat_hoerelse"]}
# target-id kommune names -> DST names
_KOMMUNER_FIG25 = {"koebenhavn": "København", "aarhus": "Aarhus", "aalborg": "Aalborg", "odense": "Odense",
                   "herning": "Herning", "kolding": "Kolding", "ringkoebing_skjern": "Ringkøbing-Skjern",
                   "guldborgsund": "Guldborgsund", "skanderborg": "Skanderborg", "faaborg_midtfyn": "Faaborg-Midtfyn",
                   "svendborg": "Svendborg", "hoeje_taastrup": "Høje-Taastrup", "vejle": "Vejle"}


class _Picker:
    """Reads one national value from a result table after the table has been through the same
    disclosure step as every published table (a masked cell gives NaN)."""

    def __init__(self, results: dict[str, pd.DataFrame], min_cell_size: int):
        self.r = results
        self.min = int(min_cell_size)
        self._protected: dict[str, pd.DataFrame] = {}

    def table(self, name: str) -> pd.DataFrame:
        if name not in self._protected:
            from .disclosure import protect_table

            df = self.r[name]
            self._protected[name] = protect_table(df, min_cell_size=self.min, basis=basis(df), sums=SUMS.get(name),
                                                  keys=table_keys(df), complement=COMPLEMENT)
        return self._protected[name]

    def row(self, table: str, **kw) -> pd.Series | None:
        df = self.table(table)
        m = pd.Series(True, index=df.index)
        for k, v in kw.items():
            m &= df[k] == v
        if "niveau" in df.columns and "niveau" not in kw:
            m &= df["niveau"].isin([LANDET, ALLE_CASE])
        hit = df.loc[m]
        return None if len(hit) != 1 else hit.iloc[0]

    def __call__(self, table: str, col: str = "andel", **kw) -> float:
        r = self.row(table, **kw)
        if r is None or col not in r.index:
            return float("nan")
        v = r[col]
        return float(v) if pd.notna(v) else float("nan")


def reproduction_values(results: dict[str, pd.DataFrame], params) -> dict[str, float]:
    """Computed numbers keyed by delanalyse-3 target id of ``reference/report_targets.csv``.

    Only for the report's own setting (``params.is_report_setting``: 2019, all kommuner); otherwise
    an empty dict. The mapping id -> computed quantity was written by reading the target list as a
    developer; this code never reads the report's values. National values ("Hele landet"; for the
    case review "Alle casekommuner"); a value whose count is below ``min_cell_size`` is NaN.
    """
    if not getattr(params, "is_report_setting", False):
        return {}
    P = _Picker(results, getattr(params, "min_cell_size", 5))
    Y = int(params.year)
    y0 = Y - 1
    out: dict[str, float] = {}
    ON = ORDNING_NAVN
    full = {"pa": "pa", "hm": "hm", "is": "is", "fa": "fa"}

    # ---- 5.1 / 5.2 Omfang (Tabel 11)
    for o in ("pa", "hm", "is"):
        a0 = P("tabel_11", "antal", ordning=ON[o], periode=f"Bevilliget i {y0}")
        a1 = P("tabel_11", "antal", ordning=ON[o], periode=f"Bevilliget i {Y}")
        tot = P("tabel_11", "antal", ordning=ON[o], periode="I alt")
        out[f"d3_tabel11_{o}_{y0}"] = a0
        out[f"d3_tabel11_{o}_{Y}"] = a1
        out[f"d3_tabel11_{o}_{y0}_{Y}"] = tot
        out[f"d3_s52_bevillinger_{o}_{y0}_{Y}"] = tot
        out[f"d3_dk_bevillinger_{o}"] = tot
    out["d3_s51_is_sager_register"] = out[f"d3_tabel11_is_{y0}_{Y}"]
    fa_tot = P("tabel_11", "antal", ordning=ON["fa"], periode="I alt")
    out[f"d3_tabel11_fa_{y0}_{Y}"] = fa_tot
    out["d3_s51_fa_sager_landsdaekkende"] = fa_tot
    nk = float(P.table("survey_kommuner")["kommuner"].iloc[0])
    out["d3_tabel11_fa_kommuner"] = nk
    out["d3_s51_fa_jobcentre_landsdaekkende"] = nk
    out["d3_s52_stigning_pa"] = P("udvikling", "relativ_aendring", ordning="pa")
    out["d3_s52_stigning_hm"] = P("udvikling", "relativ_aendring", ordning="hm")
    out["d3_dk_stigning_pa_hm"] = P("udvikling", "relativ_aendring", ordning="pa+hm")
    out["d3_s52_fald_offentlig_forsoergelse"] = P("fuldtid_udvikling", "relativ_aendring")
    kf = P.table("kommune_fakta")
    navn2kode = {v: k for k, v in reference.kommune_navne().items()}
    for key, name in (("esbjerg", "Esbjerg"), ("viborg", "Viborg")):
        r = kf.loc[(kf["maal"] == "andel af isbryderforløb") & (kf["kommunekode"] == navn2kode[name])]
        out[f"d3_s52_is_{key}"] = float(r["andel"].iloc[0]) if len(r) else 0.0

    # ---- Tabel 12 and anvendelsesgrad relationships
    for band in ("lav", "mellem", "hoej"):
        v = P("tabel_12", "andel", anvendelsesgrad=band)
        out[f"d3_tabel12_anvendelsesgrad_{band}"] = v
        out[f"d3_s52_anvendelsesgrad_{band}_tekst"] = v
    ag = P.table("anvendelsesgrad_grupper").set_index(["dimension", "gruppe"])
    out["d3_s52_anvendelsesgrad_hm_gode_rammevilkaar"] = float(ag.loc[("rammevilkaar", "gode"), "anvendelsesgrad_hm"])
    out["d3_s52_anvendelsesgrad_hm_daarlige_rammevilkaar"] = float(ag.loc[("rammevilkaar", "vanskelige"), "anvendelsesgrad_hm"])
    for org, key in (("specialiseret_team", "specialiseret"), ("spredt_specialisering", "spredt"),
                     ("generel_specialisering", "generel")):
        out[f"d3_s52_anvendelsesgrad_org_{key}"] = float(ag.loc[("organisering", org), "anvendelsesgrad"])
    for s in ("proaktiv", "reaktiv", "diffus"):
        out[f"d3_s52_anvendelsesgrad_pa_{s}"] = float(ag.loc[("strategi", s), "anvendelsesgrad_pa"])
        out[f"d3_s52_anvendelsesgrad_hm_{s}"] = float(ag.loc[("strategi", s), "anvendelsesgrad_hm"])
    # The lowest/highest kommune is found on the unprotected rates; its value is published only if
    # its own cell survived disclosure control (a min over published cells would name another kommune).
    raw = results["anvendelsesgrad_kommuner"]["anvendelsesgrad"]
    ak = P.table("anvendelsesgrad_kommuner")["anvendelsesgrad"]
    out["d3_dk_anvendelsesgrad_min"] = float(ak.loc[raw.idxmin()])
    out["d3_dk_anvendelsesgrad_max"] = float(ak.loc[raw.idxmax()])

    # ---- Tabel 13 / 5.3.1
    t13 = "tabel_13"
    for o in ("pa", "hm"):
        q = lambda tema, kat, o=o: P(t13, ordning=ON[o], tema=tema, kategori=kat)  # noqa: E731
        kv, ma = q("køn", "kvinde"), q("køn", "mand")
        over50 = q("alder", "over 50")
        gym = q("uddannelse", "gymnasial_erhvervsfaglig")
        grund = q("uddannelse", "grundskole")
        vu = P("profil_ekstra", ordning=ON[o], tema="uddannelse", kategori="videregaaende")
        inc300 = q("indkomst", "over 300.000 kr.")
        gns = P("tabel_13_indkomst", "gennemsnitsindkomst", ordning=ON[o])
        out.update({f"d3_tabel13_{o}_kvinder": kv, f"d3_tabel13_{o}_maend": ma, f"d3_tabel13_{o}_over50": over50,
                    f"d3_tabel13_{o}_gym_erhverv": gym, f"d3_tabel13_{o}_videregaaende": vu,
                    f"d3_tabel13_{o}_gns_indkomst": gns, f"d3_tabel13_{o}_indkomst_over300k": inc300,
                    f"d3_tabel13_{o}_branche_handel": q("branche", "handel_transport"),
                    f"d3_tabel13_{o}_branche_industri": q("branche", "industri"),
                    f"d3_tabel13_{o}_branche_offentlig": q("branche", "offentlig_adm_undervisning_sundhed"),
                    f"d3_s531_{o}_indkomst_over300k": inc300, f"d3_dk_{o}_gns_indkomst": gns,
                    f"d3_dk_{o}_indkomst_over300k": inc300, f"d3_dk_{o}_grundskole": grund})
        npers = P("antal_modtagere", "antal_personer", ordning=ON[o])
        out[f"d3_tabel13_n_{o}"] = npers
        out[f"d3_tabel15_n_{o}"] = npers
        out[f"d3_tabel16_n_{o}"] = npers
        sek = "offentlig"
        out[f"d3_s534_{o}_offentlig_sektor"] = q("sektor", sek)
    out["d3_s531_hm_kvinder"] = out["d3_tabel13_hm_kvinder"]
    out["d3_s531_hm_maend"] = out["d3_tabel13_hm_maend"]
    out["d3_s531_pa_maend"] = out["d3_tabel13_pa_maend"]
    out["d3_s531_pa_over50"] = out["d3_tabel13_pa_over50"]
    out["d3_s531_hm_over50"] = out["d3_tabel13_hm_over50"]
    out["d3_dk_hm_over50"] = out["d3_tabel13_hm_over50"]
    out["d3_s531_hm_grundskole"] = out["d3_dk_hm_grundskole"]
    out["d3_s531_hm_gym_erhverv"] = out["d3_tabel13_hm_gym_erhverv"]
    out["d3_dk_hm_gym_erhverv"] = out["d3_tabel13_hm_gym_erhverv"]
    out["d3_s531_pa_videregaaende"] = out["d3_tabel13_pa_videregaaende"]
    out["d3_dk_pa_maend"] = out["d3_tabel13_pa_maend"]
    out["d3_dk_pa_over50"] = out["d3_tabel13_pa_over50"]
    out["d3_tabel16_n_is"] = P("antal_modtagere", "antal_personer", ordning=ON["is"])
    out["d3_s534_is_privat_sektor"] = P(t13, ordning=ON["is"], tema="sektor", kategori="privat")
    ur = P.table("uddannelse_rammevilkaar")
    for band, key in (("gode", "top32"), ("vanskelige", "bund32")):
        r = ur.loc[(ur["ordning"] == ON["pa"]) & (ur["rammevilkaar"] == band)]
        out[f"d3_s531_pa_lang_videregaaende_{key}"] = float(r["andel"].iloc[0]) if len(r) else float("nan")
    # isbryder profile (5.7)
    out["d3_dk_is_kvinder"] = P(t13, ordning=ON["is"], tema="køn", kategori="kvinde")
    out["d3_dk_is_18_29"] = P("profil_ekstra", ordning=ON["is"], tema="alder", kategori="18-29")
    out["d3_dk_is_gym_erhverv"] = P(t13, ordning=ON["is"], tema="uddannelse", kategori="gymnasial_erhvervsfaglig")
    out["d3_dk_is_lang_videregaaende"] = P(t13, ordning=ON["is"], tema="uddannelse", kategori="lang_videregaaende")
    out["d3_dk_is_selvforsoergelse"] = P("profil_ekstra", ordning=ON["is"], tema="ydelsesgruppe (person)", kategori="selvforsoerget")
    out["d3_dk_is_adagpenge"] = P("profil_ekstra", ordning=ON["is"], tema="ydelsesgruppe (person)", kategori="a_dagpenge")
    esb = kf.loc[(kf["maal"] == "PA-modtagere efter branche") & (kf["kommunekode"] == navn2kode["Esbjerg"])].set_index("kategori")
    for key, kat in (("bygge", "bygge_anlaeg"), ("industri", "industri")):
        out[f"d3_s534_esbjerg_pa_{key}"] = float(esb.loc[kat, "andel"]) if kat in esb.index else 0.0

    # ---- 5.3.2 Ydelsesforhold
    yf = "ydelsesforhold"
    shares = {}
    for o in ("pa", "hm"):
        fast = P(yf, ordning=ON[o], tema="perspektiv", kategori="fastholdelse")
        rekr = P(yf, ordning=ON[o], tema="perspektiv", kategori="rekruttering")
        selv = P(yf, ordning=ON[o], tema="ydelsesgruppe", kategori="selvforsoerget")
        out.update({f"d3_s532_{o}_fastholdelse": fast, f"d3_dk_{o}_fastholdelse": fast, f"d3_s54_{o}_indsats_forud": rekr,
                    f"d3_dk_{o}_selvforsoergende": selv, f"d3_dk_{o}_selvforsoergede_v2": selv})
        g = lambda k, o=o: P(yf, ordning=ON[o], tema="ydelsesgruppe", kategori=k)  # noqa: E731
        shares[o] = {"fleks": g("fleksjob") + g("ledighedsydelse"), "syg": g("sygedagpenge"), "jaf": g("jobafklaring")}
    for key, nm in (("fleks", "fleks_ledigh"), ("syg", "sygedagpenge"), ("jaf", "jobafklaring")):
        vals = [shares["pa"][key], shares["hm"][key]]
        out[f"d3_dk_ydelse_{nm}_min"] = float(min(vals))
        out[f"d3_dk_ydelse_{nm}_max"] = float(max(vals))
    f22 = "figur_22_23"
    out["d3_fig22_hm_fleksjob"] = P(f22, ordning=ON["hm"], ydelsesgruppe="FLEKS")
    out["d3_fig22_hm_kontanthjaelp"] = P(f22, ordning=ON["hm"], ydelsesgruppe="KTH")
    out["d3_fig23_pa_fleksjob"] = P(f22, ordning=ON["pa"], ydelsesgruppe="FLEKS")
    out["d3_fig23_pa_kontanthjaelp"] = P(f22, ordning=ON["pa"], ydelsesgruppe="KTH")
    rs = P.table("rekrutteringsgrad_strategi").set_index(["ordning", "strategi"])["rekrutteringsgrad"]
    for s in ("proaktiv", "reaktiv", "diffus"):
        out[f"d3_s532_rekrutteringsgrad_pa_{s}"] = float(rs[(ON["pa"], s)])
    hm_r = [float(rs[(ON["hm"], s)]) for s in ("proaktiv", "reaktiv", "diffus")]
    out["d3_s532_rekrutteringsgrad_hm_min"] = min(hm_r)
    out["d3_s532_rekrutteringsgrad_hm_max"] = max(hm_r)

    # ---- Tabel 14 / 5.3.3 (case review)
    t14 = "tabel_14"
    da = P.table("diagnose_andele")
    for o in ("pa", "hm", "is", "fa"):
        for c in KATEGORIER:
            out[f"d3_tabel14_{o}_{c}"] = P(t14, ordning=ON[o], tema="funktionsnedsættelse", kategori=c)
        out[f"d3_tabel14_{o}_enkeltdiagnose"] = P(t14, ordning=ON[o], tema="multisygdom", kategori="enkeltdiagnose")
        out[f"d3_tabel14_{o}_dobbeltdiagnose"] = P(t14, ordning=ON[o], tema="multisygdom", kategori="dobbeltdiagnose")
        out[f"d3_s533_dobbelt_{o}"] = out[f"d3_tabel14_{o}_dobbeltdiagnose"]
        n = float((P.table("sagsgennemgang_oversigt").query("maal == 'sager' and niveau == @ALLE_CASE")
                   .set_index("ordning").loc[ON[o], "antal"]))
        for key in (f"d3_tabel14_n_{o}", f"d3_tabel19_n_{o}", f"d3_fig29_n_{o}"):
            out[key] = n
        for rank, diag in enumerate(_TOP5[o], start=1):
            r = da.loc[(da["ordning"] == o) & (da["kode"] == _DIAG[diag])]
            out[f"d3_tabel14_{o}_top{rank}_{diag}"] = float(r["andel"].iloc[0]) if len(r) else 0.0
    out["d3_s51_sagsgennemgang_n"] = float(sum(out[f"d3_tabel14_n_{o}"] for o in ("pa", "hm", "is", "fa")))
    out["d3_s51_fa_sager_casekommuner"] = out["d3_tabel14_n_fa"]
    out["d3_s51_is_sager_casekommuner"] = out["d3_tabel14_n_is"]
    out["d3_s51_hm_sager_casekommuner"] = out["d3_tabel14_n_hm"]
    for key, src in (("d3_s533_hm_fysisk", "hm_fysisk"), ("d3_s533_hm_intellektuel", "hm_intellektuel"),
                     ("d3_s533_is_psykisk", "is_psykisk"), ("d3_s533_pa_fysisk", "pa_fysisk"),
                     ("d3_s533_pa_intellektuel", "pa_intellektuel"), ("d3_s533_pa_sensorisk", "pa_sensorisk"),
                     ("d3_dk_pa_fysisk", "pa_fysisk"), ("d3_dk_pa_intellektuel", "pa_intellektuel"),
                     ("d3_dk_hm_fysisk", "hm_fysisk"), ("d3_dk_is_intellektuel", "is_intellektuel")):
        out[key] = out[f"d3_tabel14_{src}"]
    out["d3_dk_is_fysisk_psykisk"] = out["d3_tabel14_is_fysisk"] + out["d3_tabel14_is_psykisk"]

    def diag(o, code):
        r = da.loc[(da["ordning"] == o) & (da["kode"] == code)]
        if not len(r):
            return 0.0
        return float(r["andel"].iloc[0])  # NaN when masked by the disclosure step

    out["d3_dk_is_asperger"] = diag("is", "asperger")
    out["d3_dk_is_bipolar"] = diag("is", "bipolar")
    out["d3_dk_is_depression"] = diag("is", "depression")
    out["d3_dk_is_ryg_arme"] = diag("is", "ryg_nakke") + diag("is", "arme_haender")
    so = "sagsgennemgang_oversigt"
    kol = P(so, ordning=ON["hm"], maal="KOL")
    out["d3_s51_hm_kol_andel"] = kol
    out["d3_s51_hm_lab_andel"] = 1 - kol

    # ---- Tabel 15 / 16 and 5.3.4
    bt = "bevillingstyper"
    for key, t in (("fysisk_aflastning", "fysisk_aflastning"), ("saerlig_stoette", "saerlig_personlig_stoette"),
                   ("strukturering", "strukturering_kvalitetssikring"), ("tegnsprog", "tegnsprogstolkning")):
        v = P(bt, ordning=ON["pa"], tema="type", kategori=t)
        out[f"d3_s534_pa_{key}"] = v
        if key != "tegnsprog":
            out[f"d3_tabel15_pa_{key}"] = v
    vaerk = P(bt, ordning=ON["hm"], tema="type", kategori="vaerktoej_udstyr")
    out["d3_tabel15_hm_arbejdsredskaber"] = vaerk
    out["d3_s534_hm_type_vaerktoej"] = vaerk
    out["d3_s534_hm_type_arbejdspladsindretning"] = P(bt, ordning=ON["hm"], tema="type", kategori="arbejdspladsindretning")
    out["d3_s534_hm_art_arbejdsredskaber"] = P(bt, ordning=ON["hm"], tema="art", kategori="arbejdsredskaber")
    out["d3_s534_hm_art_mindre_indretning"] = P(bt, ordning=ON["hm"], tema="art", kategori="mindre_arbejdspladsindretning")
    out["d3_s534_hm_art_undervisningsmateriale"] = P(bt, ordning=ON["hm"], tema="art", kategori="undervisningsmateriale")
    t16 = "tabel_16"
    ind = {"pa": "Personlig assistance", "hm": "Hjælpemiddel", "is": "Isbryder", "mentor_lab": "Mentor (LAB)",
           "sel": "Indsats under serviceloven (SEL)"}
    for o in ("pa", "hm", "is"):
        for key, lab in ind.items():
            lab = lab + (" (eneste indsats)" if key == o else "")
            out[f"d3_tabel16_{o}_{key}"] = P(t16, population=ON[o], indsats=lab)
    out["d3_tabel15_pa_parallel"] = 1 - out["d3_tabel16_pa_pa"]
    out["d3_tabel15_pa_parallel_hm"] = out["d3_tabel16_pa_hm"]
    out["d3_tabel15_pa_parallel_sel"] = out["d3_tabel16_pa_sel"]
    out["d3_tabel15_hm_parallel"] = 1 - out["d3_tabel16_hm_hm"]
    out["d3_dk_hm_parallel"] = out["d3_tabel15_hm_parallel"]
    out["d3_tabel15_hm_parallel_mentor"] = out["d3_tabel16_hm_mentor_lab"]
    out["d3_tabel15_hm_parallel_pa"] = out["d3_tabel16_hm_pa"]
    out["d3_s533_pa_eneste"] = out["d3_tabel16_pa_pa"]
    out["d3_s533_pa_hm"] = out["d3_tabel16_pa_hm"]
    out["d3_s533_pa_mentor"] = out["d3_tabel16_pa_mentor_lab"]
    out["d3_s533_pa_sel"] = out["d3_tabel16_pa_sel"]
    out["d3_s533_hm_eneste"] = out["d3_tabel16_hm_hm"]
    out["d3_s533_hm_mentor"] = out["d3_tabel16_hm_mentor_lab"]
    out["d3_s533_hm_pa"] = out["d3_tabel16_hm_pa"]
    out["d3_s533_hm_sel"] = out["d3_tabel16_hm_sel"]
    for o in ("pa", "hm", "is"):
        out[f"d3_s534_{o}_varighed"] = P("varighed", "gennemsnit_uger", ordning=ON[o])

    # ---- 5.4 Subgrupper (grant level within type)
    sg = "subgrupper"

    def s(o, t, tema, kat):
        return P(sg, ordning=ON[o], type=t, tema=tema, kategori=kat)

    fa_ = "fysisk_aflastning"
    out["d3_s534_pa_fysisk_aflastning_beskaeftigelse"] = s("pa", fa_, "ydelse", "beskaeftigelse")
    out["d3_s534_pa_fysisk_aflastning_fleksjob"] = s("pa", fa_, "ydelsesgruppe", "fleksjob")
    out["d3_s534_pa_fysisk_aflastning_delvis_syg"] = s("pa", fa_, "ydelsesgruppe", "delvis_sygemeldt")
    out["d3_s54_pa_fysisk_aflastning_selvforsoergede"] = s("pa", fa_, "ydelsesgruppe", "selvforsoerget")
    out["d3_s54_pa_saerlig_stoette_selvforsoergede"] = s("pa", "saerlig_personlig_stoette", "ydelsesgruppe", "selvforsoerget")
    st_ = "strukturering_kvalitetssikring"
    out["d3_s54_pa_strukturering_maend"] = s("pa", st_, "køn", "mand")
    out["d3_s54_pa_strukturering_selvforsoergede"] = s("pa", st_, "ydelsesgruppe", "selvforsoerget")
    out["d3_s54_pa_strukturering_fleks_ledigh"] = s("pa", st_, "ydelsesgruppe", "fleksjob") + s("pa", st_, "ydelsesgruppe", "ledighedsydelse")
    tg = "tegnsprogstolkning"
    out["d3_s54_pa_tegnsprog_selvforsoergede"] = s("pa", tg, "ydelsesgruppe", "selvforsoerget")
    out["d3_s54_pa_tegnsprog_adagpenge"] = s("pa", tg, "ydelsesgruppe", "a_dagpenge")
    out["d3_s54_pa_tegnsprog_fleksjob"] = s("pa", tg, "ydelsesgruppe", "fleksjob")
    out["d3_s54_pa_tegnsprog_ingen_indsats"] = 1 - s("pa", tg, "indsats forud", "indsats i jobcentret forud")
    out["d3_s54_pa_tegnsprog_fysisk"] = s("pa", tg, "funktionsnedsættelse (LPR)", "fysisk")
    fo = "fastholdelse_i_opgaven"
    out["d3_s54_pa_fastholdelse_opgave_selvforsoergede"] = s("pa", fo, "ydelsesgruppe", "selvforsoerget")
    out["d3_s54_pa_fastholdelse_opgave_under30"] = s("pa", fo, "alder", "under 30")
    out["d3_s54_pa_fastholdelse_opgave_indsats_forud"] = s("pa", fo, "indsats forud", "indsats i jobcentret forud")
    out["d3_s54_pa_fastholdelse_opgave_fysisk"] = s("pa", fo, "funktionsnedsættelse (LPR)", "fysisk")
    out["d3_s54_pa_fastholdelse_opgave_psykisk"] = s("pa", fo, "funktionsnedsættelse (LPR)", "psykisk")
    out["d3_s54_hm_vaerktoej_ledige"] = s("hm", "vaerktoej_udstyr", "perspektiv", "rekruttering")
    ai = "arbejdspladsindretning"
    out["d3_s54_hm_indretning_fastholdelse"] = s("hm", ai, "perspektiv", "fastholdelse")
    out["d3_s54_hm_indretning_rekruttering"] = s("hm", ai, "perspektiv", "rekruttering")
    out["d3_s54_hm_indretning_over40"] = s("hm", ai, "alder", "over 40")
    out["d3_s54_hm_indretning_fysisk"] = s("hm", ai, "funktionsnedsættelse (LPR)", "fysisk")
    out["d3_s54_hm_it_fastholdelse"] = s("hm", "it_udstyr", "perspektiv", "fastholdelse")
    out["d3_s54_hm_it_fastholdelse_boks"] = out["d3_s54_hm_it_fastholdelse"]
    out["d3_s54_hm_it_fysisk"] = s("hm", "it_udstyr", "funktionsnedsættelse (LPR)", "fysisk")
    um = "undervisningsmateriale"
    out["d3_s54_hm_undervisning_offentlig_forsoergede"] = s("hm", um, "perspektiv", "rekruttering")
    out["d3_s54_hm_undervisning_fysisk"] = s("hm", um, "funktionsnedsættelse (LPR)", "fysisk")
    out["d3_s54_hm_undervisning_psykisk"] = s("hm", um, "funktionsnedsættelse (LPR)", "psykisk")
    te = P.table("type_efter_ydelse")
    for key, t in (("strukturering", st_), ("tegnsprog", tg)):
        r = te.loc[(te["niveau"] == LANDET) & (te["ydelsesgruppe"] == "a_dagpenge") & (te["kategori"] == t)]
        out[f"d3_s534_pa_forsikrede_{key}"] = float(r["andel"].iloc[0]) if len(r) else float("nan")

    # ---- 5.5 Udgiftsniveau
    un = P.table("udgifter_national").set_index("ordning")
    for o in ("pa", "hm", "is"):
        out[f"d3_s55_udgift_{o}_{Y}"] = float(un.loc[ON[o], "udgift_kr"])
        out[f"d3_s55_udgiftsandel_{o}_{Y}"] = float(un.loc[ON[o], "udgiftsandel"])
        out[f"d3_fig26_enhedspris_{o}"] = float(un.loc[ON[o], "enhedspris_gns_kommuner"])
        out[f"d3_s55_borgerandel_{o}"] = float(un.loc[ON[o], "personandel"])
    out["d3_s55_udgiftsandel_hm_v2"] = out[f"d3_s55_udgiftsandel_hm_{Y}"]
    out["d3_s55_udgiftsandel_is_v2"] = out[f"d3_s55_udgiftsandel_is_{Y}"]
    uk = P.table("udgifter_kommuner").set_index("kommune")
    for key, name in _KOMMUNER_FIG25.items():
        out[f"d3_fig25_{key}_udgiftsandel"] = float(uk.loc[name, "udgiftsandel"])
        out[f"d3_fig25_{key}_befolkningsandel"] = float(uk.loc[name, "befolkningsandel"])
    out["d3_s55_kommuner_hoejere_udgifter"] = float(uk["hoejere_end_forventet"].astype(float).mean())
    ug = P.table("udgifter_grupper").set_index("strategi")
    for s_ in ("proaktiv", "reaktiv"):
        out[f"d3_s55_enhedspris_pa_{s_}"] = float(ug.loc[s_, "enhedspris_pa"])
        out[f"d3_s55_enhedspris_hm_{s_}"] = float(ug.loc[s_, "enhedspris_hm"])

    # ---- 5.6 Bevillingsprocessen
    f29 = "figur_29_30"
    for o in ("pa", "hm", "fa"):
        for aar in (2018, 2019, 2020):
            out[f"d3_fig29_{o}_{aar}"] = P(f29, "gennemsnit_uger", ordning=ON[o], aar=aar)
    del out["d3_fig29_pa_2019"], out["d3_fig29_fa_2019"]  # not printed in the report
    for o in ("pa", "fa"):
        for aar in (2018, 2020):
            out[f"d3_fig29_{o}_{aar}_rep"] = out[f"d3_fig29_{o}_{aar}"]
    out["d3_fig29_hm_2020_sager"] = P(f29, "n", ordning=ON["hm"], aar=2020)
    out["d3_fig29_hm_2020_kommuner"] = P(f29, "kommuner_med_sager", ordning=ON["hm"], aar=2020)
    out["d3_fig30_hm_over4uger_2018"] = P(f29, "andel_over_4_uger", ordning=ON["hm"], aar=2018)
    out["d3_fig30_hm_over4uger_2020"] = P(f29, "andel_over_4_uger", ordning=ON["hm"], aar=2020)
    for aar in (2019, 2020):
        v = P(f29, "andel_over_4_uger", ordning=ON["pa"], aar=aar)
        out[f"d3_fig30_pa_over4uger_{aar}"] = v
        out[f"d3_fig30_pa_over4uger_{aar}_rep"] = v
    m18 = [out["d3_fig29_pa_2018"], out["d3_fig29_hm_2018"], out["d3_fig29_fa_2018"]]
    out["d3_dk_sagsbehandlingstid_2018_min"] = float(np.nanmin(m18))
    out["d3_dk_sagsbehandlingstid_2018_max"] = float(np.nanmax(m18))
    for o in ("pa", "hm", "fa"):
        out[f"d3_dk_sagsbehandlingstid_{o}_2020"] = out[f"d3_fig29_{o}_2020"]
    out["d3_dk_forkortet_faktor"] = float(np.nanmax([out[f"d3_fig29_{o}_2018"] / out[f"d3_fig29_{o}_2020"]
                                                     for o in ("pa", "hm", "fa")]))
    t17 = P.table("tabel_17")
    for dim, groups in (("organisering", ["specialiseret_team", "spredt_specialisering", "generel_specialisering"]),
                        ("strategi", ["proaktiv", "diffus", "reaktiv"])):
        for g in groups:
            for o in ("pa", "hm", "fa"):
                out[f"d3_tabel17_{o}_{g}"] = P("tabel_17", "gennemsnit_uger", dimension=dim, gruppe=g, ordning=ON[o])
            r = t17.loc[(t17["dimension"] == dim) & (t17["gruppe"] == g)]
            nk_ = float(r["kommuner"].iloc[0]) if len(r) else 0.0
            ns_ = float(r["antal_sager_gruppe"].iloc[0]) if len(r) else 0.0
            if dim == "strategi":
                out[f"d3_s56_{g}_count"] = nk_
            elif g == "specialiseret_team":
                out["d3_s56_specialiseret_count_13"] = nk_
            elif g == "spredt_specialisering":
                out["d3_s56_spredt_count_4"] = nk_
                out["d3_s56_spredt_count_4b"] = nk_
                out["d3_s56_spredt_sager"] = ns_
            else:
                out["d3_s56_generel_count_3"] = nk_
                out["d3_s56_generel_sager"] = ns_
    for o in ("pa", "hm", "is", "fa"):
        out[f"d3_tabel18_{o}_gns"] = P("tabel_18", "timer_gns", ordning=ON[o])
        out[f"d3_tabel18_{o}_min"] = P("tabel_18", "timer_min", ordning=ON[o])
        out[f"d3_tabel18_{o}_max"] = P("tabel_18", "timer_max", ordning=ON[o])
    out["d3_s56_pa_timer_min"] = out["d3_tabel18_pa_min"]
    out["d3_s56_pa_timer_max"] = out["d3_tabel18_pa_max"]
    out["d3_s56_is_timer_max"] = out["d3_tabel18_is_max"]
    t19 = "tabel_19"
    out["d3_tabel19_pa_tidsbegraenset"] = P(t19, ordning=ON["pa"], tema="bevilling", kategori="tidsbegrænset")
    out["d3_tabel19_pa_ikke_tidsbegraenset"] = P(t19, ordning=ON["pa"], tema="bevilling", kategori="ikke tidsbegrænset")
    vt = "varighed (tidsbegrænsede)"
    out["d3_tabel19_pa_under12mdr"] = P(t19, ordning=ON["pa"], tema=vt, kategori="under 12 mdr.")
    out["d3_tabel19_pa_12mdr"] = P(t19, ordning=ON["pa"], tema=vt, kategori="12 mdr.")
    out["d3_tabel19_pa_over12mdr"] = P(t19, ordning=ON["pa"], tema=vt, kategori="over 12 mdr.")
    out["d3_tabel19_hm_tilskud"] = P(t19, ordning=ON["hm"], tema="udlån/tilskud", kategori="tilskud")
    out["d3_tabel19_hm_udlaan"] = P(t19, ordning=ON["hm"], tema="udlån/tilskud", kategori="udlaan")
    out["d3_s56_pa_opfoelgning_ingen_aendring"] = P(so, ordning=ON["pa"], maal="opfølgning uden ændring")
    out["d3_s56_pa_tidsbestemt_gns_varighed"] = P(so, "gennemsnit", ordning=ON["pa"], maal="gns. varighed tidsbegrænsede (mdr.)")
    return {k: (float(v) if v is not None else float("nan")) for k, v in out.items()}
