"""Delanalyse 3, report sections 5.3.3-5.4: impairments, grant types, parallel efforts, subgroups."""
from __future__ import annotations

import numpy as np
import pandas as pd

from ...codelists import funktionsnedsaettelse_kategori
from ...inputs.readers import read_mapping
from ...levels import case_levels, levels
from ...paths import MAPPINGS_DIR
from ...stats import distribution_rows, proportion_ci, share, share_row
from ...vocabulary import FUNKTIONSNEDSAETTELSE_KATEGORIER as KATEGORIER
from ...vocabulary import ORDNING_NAVN
from . import measures as M
from .load import BrugData, persons_of
from .maalgruppe import YDELSE_KAT


def _sager_flags(s: pd.DataFrame) -> pd.DataFrame:
    f1 = s["funktionsnedsaettelse_1"].astype("string")
    f2 = s["funktionsnedsaettelse_2"].astype("string")
    k1, k2 = funktionsnedsaettelse_kategori(f1), funktionsnedsaettelse_kategori(f2)
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
    for niveau, s in case_levels(b.sager, b):
        for o in ("pa", "hm", "is", "fa"):
            so = s.loc[s["ordning"] == o]
            fl = _sager_flags(so)
            n = len(so)
            k = {"niveau": niveau, "ordning": ORDNING_NAVN[o]}
            for c in KATEGORIER:
                rows.append({**share_row(fl[c], **k, tema="funktionsnedsættelse"), "kategori": c})
            top_ = M.top_funktionsnedsaettelser(so["funktionsnedsaettelse_1"], so["funktionsnedsaettelse_2"], n)
            for r in top_.head(top).itertuples():
                lo, hi = proportion_ci(int(r.antal), n)
                rows.append({**k, "tema": f"top-{top}", "kategori": f"{r.rang}. {navne.get(r.kode, r.kode)}",
                             "kode": r.kode, "rang": int(r.rang), "antal": int(r.antal), "n": n, "andel": r.andel,
                             "ci_nedre": lo, "ci_oevre": hi})
            d = so["dobbeltdiagnose"].astype("boolean")
            lab = pd.Series(np.where(d.fillna(False), "dobbeltdiagnose", "enkeltdiagnose"), index=so.index).where(d.notna())
            for r in distribution_rows(lab, ["enkeltdiagnose", "dobbeltdiagnose"], **k, tema="multisygdom"):
                rows.append(r)
    return pd.DataFrame(rows)

def diagnose_andele(b: BrugData) -> pd.DataFrame:
    """Share of all reviewed cases per ordning with each impairment of the code list (zero where no
    case has it), with its rank among the specific impairments (def. 22; ``andet`` is not ranked)."""
    koder = list(read_mapping(MAPPINGS_DIR / "funktionsnedsaettelser.csv")["kode"])
    rows = []
    s = b.sager
    for o in ("pa", "hm", "is", "fa"):
        so = s.loc[s["ordning"] == o]
        n = len(so)
        f1 = so["funktionsnedsaettelse_1"].astype("string")
        f2 = so["funktionsnedsaettelse_2"].astype("string")
        counts = pd.concat([f1, f2.where(f2 != f1)]).dropna().value_counts()
        rang = M.top_funktionsnedsaettelser(f1, f2, n).set_index("kode")["rang"]
        for code in koder:
            a = int(counts.get(code, 0))
            rows.append({"ordning": o, "kode": code, "antal": a, "n": n, "andel": share(a, n),
                         "rang": int(rang[code]) if code in rang.index else np.nan})
    return pd.DataFrame(rows, columns=["ordning", "kode", "antal", "n", "andel", "rang"])

def tabel_14_lpr(b: BrugData) -> pd.DataFrame:
    """Register version of Tabel 14 (def. 26): recipients with LPR diagnoses mapping to each impairment
    category in the 5 years before the index grant; dobbeltdiagnose = >= 2 categories (among persons
    with at least one)."""
    rows = []
    for o in ("pa", "hm", "is"):
        for niveau, p in levels(persons_of(b, o), b):
            k = {"niveau": niveau, "ordning": ORDNING_NAVN[o]}
            for c in KATEGORIER:
                rows.append({**share_row(p[f"lpr_{c}"], **k, tema="funktionsnedsættelse (LPR)"), "kategori": c})
            ncat = p["lpr_antal_kategorier"]
            lab = pd.Series(np.where(ncat >= 2, "dobbeltdiagnose", "enkeltdiagnose"), index=p.index).where(ncat > 0)
            rows += distribution_rows(lab, ["enkeltdiagnose", "dobbeltdiagnose"], **k, tema="multisygdom (LPR)")
    return pd.DataFrame(rows)

def grant_types(ordning: str) -> list[str]:
    """The grant types of an ordning as its DFDG contract lists them (a type no grant has is a
    share of 0, not a missing row)."""
    from ...inputs.contracts import load_contracts

    name, col = {"pa": ("dfdg_personlig_assistance", "pa_type"), "hm": ("dfdg_hjaelpemidler", "hjaelpemiddel_type")}[ordning]
    return list(load_contracts()[name].column(col).allowed)


def bevillingstyper(b: BrugData) -> pd.DataFrame:
    """5.3.4 / Tabel 15: grants in the period by PA type, HM type and HM art (grant level; art among
    grants with an art)."""
    rows = []
    for niveau, g in levels(b.pgrants, b):
        pa, hm = g.loc[g["ordning"] == "pa"], g.loc[g["ordning"] == "hm"]
        rows += distribution_rows(pa["type"], grant_types("pa"), niveau=niveau, ordning=ORDNING_NAVN["pa"], tema="type")
        rows += distribution_rows(hm["type"], grant_types("hm"), niveau=niveau, ordning=ORDNING_NAVN["hm"], tema="type")
        rows += distribution_rows(hm["art"], ["arbejdsredskaber", "mindre_arbejdspladsindretning", "undervisningsmateriale"],
                              niveau=niveau, ordning=ORDNING_NAVN["hm"], tema="art")
    return pd.DataFrame(rows)

def _parallel_flags(b: BrugData, ordning: str) -> pd.DataFrame:
    """Per recipient of ``ordning`` in the period: flags for parallel PA/HM/isbryder/mentor/SEL (def. 13)."""
    y0, y1 = b.period
    dec31 = pd.Timestamp(f"{y1}-12-31")
    own = b.grants.loc[(b.grants["ordning"] == ordning) & b.grants["aar"].isin([y0, y1]), ["pnr", "start", "slut"]]
    own = own.assign(slut=own["slut"].fillna(dec31))
    persons = persons_of(b, ordning)[["pnr", "kommunekode"]].reset_index(drop=True)
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
        for niveau, p in levels(fl, b):
            for key in ("pa", "hm", "is", "mentor_lab", "sel"):
                col = "ingen_parallel" if key == o else key
                rows.append(share_row(p[col], niveau=niveau, population=ORDNING_NAVN[o],
                                       indsats={"pa": "Personlig assistance", "hm": "Hjælpemiddel", "is": "Isbryder",
                                                "mentor_lab": "Mentor (LAB)", "sel": "Indsats under serviceloven (SEL)"}[key]
                                       + (" (eneste indsats)" if key == o else "")))
            rows.append(share_row(~p["ingen_parallel"], niveau=niveau, population=ORDNING_NAVN[o],
                                   indsats="Mindst én parallelindsats"))
    return pd.DataFrame(rows)

def varighed(b: BrugData) -> pd.DataFrame:
    """5.3.4: mean grant duration in weeks over grants starting in the period with a slutdato (def. 14)."""
    rows = []
    for niveau, g in levels(b.pgrants, b):
        for o in ("pa", "hm", "is"):
            w = M.varighed_uger(g.loc[g["ordning"] == o, "start"], g.loc[g["ordning"] == o, "slut"]).dropna()
            rows.append({"niveau": niveau, "ordning": ORDNING_NAVN[o], "n": len(w),
                         "gennemsnit_uger": float(w.mean()) if len(w) else np.nan})
    return pd.DataFrame(rows)

def subgrupper(b: BrugData) -> pd.DataFrame:
    """5.4: per PA type and HM type, the recipients (persons) of that type in the period (def. 27:
    «60 pct. af borgerne var selvforsørgede», l.1508), each at their first grant of the type:
    ydelsesgruppe at grant, beskæftigelse, perspektiv, indsats i jobcentret forud (= rekruttering,
    def. 12), køn, alder, and the person's LPR impairment categories (def. 26)."""
    pcols = ["ordning", "pnr", "lpr_fysisk", "lpr_psykisk", "lpr_sensorisk", "lpr_intellektuel"]
    g = b.pgrants.loc[b.pgrants["ordning"].isin(["pa", "hm"])]
    g = (g.sort_values(["ordning", "type", "pnr", "start", "grant_id"])
         .drop_duplicates(["ordning", "type", "pnr"], keep="first"))
    g = g.merge(b.persons[pcols], on=["ordning", "pnr"], how="left")
    rows = []
    for niveau, s in levels(g, b):
        for (o, t), st in s.groupby(["ordning", "type"], sort=True):
            k = {"niveau": niveau, "ordning": ORDNING_NAVN[o], "type": t}
            rows += distribution_rows(st["ydelsesgruppe"], YDELSE_KAT, **k, tema="ydelsesgruppe")
            rows.append({**share_row(st["beskaeftiget"], **k, tema="ydelse"), "kategori": "beskaeftigelse"})
            rows += distribution_rows(st["perspektiv"], ["fastholdelse", "rekruttering", "andet"], **k, tema="perspektiv")
            rows.append({**share_row(st["rekruttering"], **k, tema="indsats forud"), "kategori": "indsats i jobcentret forud"})
            rows += distribution_rows(st["koen"], ["mand", "kvinde"], **k, tema="køn")
            a = pd.to_numeric(st["alder"], errors="coerce")
            for lab, flag in (("under 30", a < 30), ("over 40", a > 40), ("over 50", a > 50)):
                rows.append({**share_row(flag.astype("boolean").where(a.notna()), **k, tema="alder"), "kategori": lab})
            for c in ("fysisk", "psykisk", "sensorisk", "intellektuel"):
                rows.append({**share_row(st[f"lpr_{c}"].astype("boolean"), **k, tema="funktionsnedsættelse (LPR)"),
                             "kategori": c})
    return pd.DataFrame(rows)

def type_efter_ydelse(b: BrugData) -> pd.DataFrame:
    """5.3.4 (l.1479 «De forsikrede ledige modtager i højere grad personlig assistance til
    strukturering ... (19 pct.)»): distribution of the PA recipients in each ydelsesgruppe over the
    type of their grant, at their first grant in the period (def. 27)."""
    rows = []
    pa = b.pgrants.loc[b.pgrants["ordning"] == "pa"]
    pa = pa.sort_values(["pnr", "start", "grant_id"]).drop_duplicates("pnr", keep="first")
    for niveau, g in levels(pa, b):
        types = grant_types("pa")
        for yg, s in g.groupby("ydelsesgruppe", sort=True):
            rows += distribution_rows(s["type"], types, niveau=niveau, ordning=ORDNING_NAVN["pa"], ydelsesgruppe=yg)
    return pd.DataFrame(rows)


def fysisk_kommuner(b: BrugData) -> pd.DataFrame:
    """5.3.3 (l.1416): per kommune, the share of its PA and HM recipients in the period with a
    physical impairment in LPR (def. 26); a person with both ordninger counts once (the first
    index grant's kommune)."""
    p = b.persons.loc[b.persons["ordning"].isin(["pa", "hm"])].sort_values(["pnr", "start", "ordning"])
    p = p.drop_duplicates("pnr")
    rows = [share_row(s["lpr_fysisk"].astype("boolean"), kommunekode=int(k)) for k, s in p.groupby("kommunekode")]
    return pd.DataFrame(rows)


def hm_type_kommuner(b: BrugData) -> pd.DataFrame:
    """5.3.4 (l.1469): per kommune, the share of its HM grants in the period that are
    'Værktøj, udstyr og andre arbejdsredskaber'."""
    g = b.pgrants.loc[b.pgrants["ordning"] == "hm"]
    rows = [{**share_row((s["type"] == "vaerktoej_udstyr").astype("boolean").where(s["type"].notna()),
                         kommunekode=int(k)), "type": "vaerktoej_udstyr"} for k, s in g.groupby("kommunekode")]
    return pd.DataFrame(rows)
