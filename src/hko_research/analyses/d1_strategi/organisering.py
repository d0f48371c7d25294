"""Report section 3.4, organisering af nøglepersonordningen: Tabel 6 (the organisation typology and
its criteria), Tabel 7-9 (one example kommune per form, rendered from its coding), the nuances of
3.4.4, Tabel 10 (pros and cons) and the strategy x organisation cross-tab (l.698)."""
from __future__ import annotations

import pandas as pd

from ...inputs.contracts import load_contracts
from ...vocabulary import ORGANISERINGSTYPER, STRATEGITYPER
from . import measures as m
from .load import D1
from .prioritering import kriterie_matrix

TABEL6_GRENE = {"specialiseret_team": "tabel6_specialiseret", "spredt_specialisering": "tabel6_spredt",
                "generel_specialisering": "tabel6_generel"}
# Tabel 7-9: the characteristics of the example, in the report's order (l.622-664), then the rest.
EKSEMPEL_EGENSKABER = ("antal_noeglepersoner", "faglig_baggrund", "forankring", "antal_teams", "fysisk_placering",
                       "antal_kontorer", "antal_fuld_bevillingskompetence", "hm_bevillingsgraense_kr",
                       "pa_bevillingsgraense_timer", "hm_orienteringsgraense_kr", "strategi", "fagsystem")
EKSEMPEL_TABELLER = {"specialiseret_team": 7, "spredt_specialisering": 8, "generel_specialisering": 9}


def tabel_6_fordeling(B: D1) -> pd.DataFrame:
    """Kommuner per organisation type (3.4.1-3.4.3), per level."""
    rows = []
    for niveau, f in B.levels():
        for org in ORGANISERINGSTYPER:
            k = m.kommuner_med_vaerdi(f, "organisering", org)
            rows.append({"niveau": niveau, "organisering": org, "kommuner": k, "kommuner_i_alt": len(f),
                         "andel": m.andel_kommuner(k, len(f))})
    return pd.DataFrame(rows)


def tabel_6_kriterier(B: D1) -> pd.DataFrame:
    """Tabel 6 as a matrix: the criteria of the three organisation types by the coded type."""
    return kriterie_matrix(B, "organisering", ORGANISERINGSTYPER, TABEL6_GRENE)


def eksempel(B: D1, organisering: str) -> pd.Series | None:
    """The example kommune for an organisation type among the selected casekommuner: the one coded
    as the report's example (``organisering_eksempel``, Tabel 7-9), else the first by kommunekode."""
    f = B.selected
    f = f.loc[f["organisering"] == organisering]
    if f.empty:
        return None
    marked = f.loc[f["organisering_eksempel"].astype(bool)] if "organisering_eksempel" in f.columns else f.iloc[0:0]
    return (marked if len(marked) else f).iloc[0]


def tabel_eksempel(B: D1, organisering: str) -> pd.DataFrame:
    """Tabel 7, 8 or 9: the example kommune's organisation, one row per characteristic: the number
    (``tal``) for an attribute, the coded category as text for a code."""
    ex = eksempel(B, organisering)
    cols = ["kommune", "kommunekode", "egenskab", "beskrivelse", "tal", "tekst"]
    if ex is None:
        return pd.DataFrame(columns=cols)
    contract = load_contracts()["casekommune_sager"]
    rows = []
    for e in EKSEMPEL_EGENSKABER:
        if e in B.book.ids:
            v = ex.get(e)
            if v is None or (isinstance(v, float) and pd.isna(v)):
                continue
            rows.append({"egenskab": e, "beskrivelse": B.book.label(e), "tal": float("nan"),
                         "tekst": B.book.value_labels(e).get(v, v)})
        elif e in contract.column_names():
            v = pd.to_numeric(pd.Series([ex.get(e)]), errors="coerce").iloc[0]
            if pd.isna(v):
                continue
            rows.append({"egenskab": e, "beskrivelse": contract.column(e).label, "tal": float(v),
                         "tekst": f"{int(v):,}".replace(",", ".")})
    out = pd.DataFrame(rows, columns=cols[2:])
    out.insert(0, "kommunekode", int(ex["kommunekode"]))
    out.insert(0, "kommune", ex["kommune"])
    return out


def tabel_6b_nuancer(B: D1) -> pd.DataFrame:
    """The nuances of 3.4.4 (l.670-686): kommuner per characteristic of the key-person scheme."""
    rows = []
    for niveau, f in B.levels():
        n = len(f)

        def add(egenskab, vaerdi, beskrivelse, k, niveau=niveau, n=n):
            rows.append({"niveau": niveau, "egenskab": egenskab, "vaerdi": vaerdi, "beskrivelse": beskrivelse,
                         "kommuner": int(k), "kommuner_i_alt": n, "andel": m.andel_kommuner(k, n)})

        add("noeglepersoner", "en", "Én nøgleperson til at administrere HKO", m.en_noegleperson(f))
        add("noeglepersoner", "flere", "Mere end én nøgleperson", n - m.en_noegleperson(f))
        for kode in ("forankring", "fysisk_placering", "faglig_baggrund"):
            for v, label in B.book.value_labels(kode).items():
                add(kode, v, f"{B.book.label(kode)}: {label}", m.kommuner_med_vaerdi(f, kode, v))
            if kode == "fysisk_placering":
                add(kode, "taet", "Fysisk placering: tæt på hinanden (samme kontor, gang eller matrikel)",
                    m.kommuner_med_vaerdi(f, kode, m.FYSISK_TAET))
        for kode in ("hm_mindre_alle_medarbejdere", "proaktiv_formidling"):
            add(kode, "ja", B.book.label(kode), m.kommuner_med(f, kode))
    return pd.DataFrame(rows)


def tabel_6c_kommuner(B: D1) -> pd.DataFrame:
    """The selected casekommuner's number of key persons next to their population (l.670: the number
    "knytter sig til den lokale prioritering og organisering ... snarere end kommunens størrelse")."""
    f = B.selected.copy()
    out = pd.DataFrame({
        "kommune": f["kommune"], "kommunekode": f["kommunekode"], "organisering": f["organisering"],
        "strategi": f["strategi"],
        # key persons are jobcentre staff, not the persons the study is about: not a person count
        "noeglepersoner": pd.to_numeric(f["antal_noeglepersoner"], errors="coerce").astype(float),
        "befolkning": f["kommunekode"].map(B.befolkning).astype(float),
    })
    return out.sort_values(["befolkning", "kommune"], ascending=[False, True]).reset_index(drop=True)


def tabel_6d_interval(B: D1) -> pd.DataFrame:
    """Fewest and most key persons per kommune (l.670), per level."""
    rows = []
    for niveau, f in B.levels():
        lo, hi = m.noeglepersoner_interval(f)
        rows.append({"niveau": niveau, "kommuner": len(f), "faerrest_noeglepersoner": lo, "flest_noeglepersoner": hi})
    return pd.DataFrame(rows)


def tabel_10(B: D1) -> pd.DataFrame:
    """Tabel 10: kommuner pointing to each pro and con of the two forms, all and by the kommune's own
    organisation (specialised team vs spredt/generel)."""
    rows = []
    for niveau, f in B.levels():
        spec = f.loc[f["organisering"] == "specialiseret_team"]
        other = f.loc[f["organisering"] != "specialiseret_team"]
        for gren in B.book.children("tabel10"):
            for kode in B.book.children(gren):
                rows.append({"niveau": niveau, "organiseringsform": B.book.label(gren),
                             "type": "fordel" if kode.startswith("f_") else "ulempe", "kode": kode,
                             "punkt": B.book.label(kode).split(": ", 1)[-1],
                             "kommuner": m.kommuner_med(f, kode),
                             "kommuner_specialiseret_team": m.kommuner_med(spec, kode),
                             "kommuner_spredt_generel": m.kommuner_med(other, kode)})
    return pd.DataFrame(rows)


def krydstabel(B: D1) -> pd.DataFrame:
    """Strategy x organisation: kommuner per combination and the share of each strategy group with
    each organisation (l.698), including the group reaktiv + diffus."""
    rows = []
    groups = [(s, (s,)) for s in STRATEGITYPER] + [("reaktiv_diffus", ("reaktiv", "diffus"))]
    for niveau, f in B.levels():
        for name, sts in groups:
            for org in ORGANISERINGSTYPER:
                k, n, a = m.andel_organisering_i_strategi(f, sts, org)
                rows.append({"niveau": niveau, "strategi": name, "organisering": org, "kommuner": k,
                             "kommuner_i_strategi": n, "andel": a})
    return pd.DataFrame(rows)
