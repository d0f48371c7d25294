"""Delanalyse 5 — the monthly løntimer panel around each recipient's grant (definitions.md, def. 1-6).

One row per recipient of personlig assistance or hjælpemidler in the period (delanalyse 3's
recipients, def. 3 there: the person's first grant in the period is the index grant, in its
kommune). For each, the løntimer of the month before and the third month after the index grant's
month, read from ``loentimer`` for these persons only (:func:`hko_research.inputs.registers.person_rows`,
DuckDB over Parquet), residence from ``bef``, and the two outcome flags of :mod:`.measures`.

A recipient's outcome is *observable* when both months lie inside the løntimer panel and the person
is in BEF (resident at the end of the year) in both months' years; otherwise the hours are <NA>
with the reason in ``grund``, never 0.
"""
from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

from ...inputs.registers import period_span, person_rows
from . import measures as M

ORDNINGER = ("pa", "hm")
GRUNDE = {
    "": "",
    "uden_for_panel": "måneden før eller tredje måned efter ligger uden for løntimepanelet",
    "ikke_bosat": "ikke i BEF (bosat) ultimo året for måneden før eller efter",
    "bef_mangler_aar": "BEF dækker ikke året for måneden før eller efter",
}


def _span_nr(span) -> tuple[int, int] | None:
    if span is None:
        return None
    (y0, m0), (y1, m1) = span
    return y0 * 12 + m0 - 1, y1 * 12 + m1 - 1


def panel(data_dir, recipients: pd.DataFrame) -> tuple[pd.DataFrame, dict]:
    """The outcome frame for ``recipients`` (columns ``ordning, pnr, kommunekode, start`` and any
    others, carried through) and facts about the panel (``{"loentimer": (first, last month nr),
    "bef": ...}``).

    Added columns: ``maaned_foer``, ``maaned_efter`` (month numbers, :func:`.measures.maaned_nr`),
    ``timer_foer``, ``timer_efter`` (<NA> when not observable), ``observerbar``, ``grund``,
    ``koen`` (``mand``/``kvinde``) and ``alder`` from BEF in the index grant's year,
    ``loentimer_foer`` (hours > 0 before), ``fastholdt``, ``oeget_alle``, ``oeget_med_loentimer``.
    """
    data_dir = Path(data_dir)
    out = recipients.copy().reset_index(drop=True)
    out["maaned_foer"] = M.maaned_foer(out["start"]).to_numpy()
    out["maaned_efter"] = M.maaned_efter(out["start"]).to_numpy()
    lt_span = _span_nr(period_span(data_dir, "loentimer"))
    bef_span = _span_nr(period_span(data_dir, "bef", month_column=None))
    facts = {"loentimer": lt_span, "bef": bef_span}
    n = len(out)
    if n == 0:
        for c in ("timer_foer", "timer_efter", "alder"):
            out[c] = pd.Series(dtype="Float64")
        out["observerbar"] = pd.Series(dtype=bool)
        out["grund"] = pd.Series(dtype=object)
        out["koen"] = pd.Series(dtype="string")
        return _flags(out), facts
    pnr = out["pnr"].astype("string")
    f_nr = out["maaned_foer"].astype("Int64")
    e_nr = out["maaned_efter"].astype("Int64")
    years = (int(f_nr.min()) // 12, int(e_nr.max()) // 12)

    # løntimer: one row per person and month with hours; no row in a covered month = 0 hours
    lt = person_rows(data_dir, "loentimer", pnr.unique(), ["aar", "maaned", "loentimer"], years=years)
    hours = pd.DataFrame({"pnr": lt["pnr"].astype(str).to_numpy(),
                          "m": M.maaned_nr(lt["aar"], lt["maaned"]).astype("int64").to_numpy(),
                          "t": lt["loentimer"].astype(float).to_numpy()})
    hours = hours.groupby(["pnr", "m"], as_index=False)["t"].sum()  # the key is unique; sum guards a split delivery
    key = pd.DataFrame({"pnr": pnr.astype(str).to_numpy()})

    def at(month: pd.Series) -> pd.Series:
        k = key.assign(m=month.astype("int64").to_numpy())
        t = k.merge(hours, on=["pnr", "m"], how="left")["t"].fillna(0.0).to_numpy()
        return pd.Series(t, index=out.index)

    timer_foer, timer_efter = at(f_nr), at(e_nr)
    in_panel = pd.Series(False, index=out.index) if lt_span is None else \
        ((f_nr >= lt_span[0]) & (e_nr <= lt_span[1])).astype(bool)

    # residence: in BEF at the end of both months' years
    start_year = pd.to_datetime(out["start"]).dt.year
    bef = person_rows(data_dir, "bef", pnr.unique(), ["aar", "koen", "alder"],
                      years=(min(years[0], int(start_year.min())), max(years[1], int(start_year.max()))))
    b = pd.DataFrame({"pnr": bef["pnr"].astype(str).to_numpy(), "aar": bef["aar"].astype("int64").to_numpy(),
                      "koen": bef["koen"].astype(float).to_numpy(), "alder": bef["alder"].astype(float).to_numpy()})
    b = b.drop_duplicates(["pnr", "aar"])
    y_f, y_e = (f_nr // 12).astype("int64"), (e_nr // 12).astype("int64")

    def bosat_i(year: pd.Series) -> np.ndarray:
        k = key.assign(aar=year.to_numpy()).merge(b[["pnr", "aar"]].assign(_i=True), on=["pnr", "aar"], how="left")
        return k["_i"].fillna(False).to_numpy(dtype=bool)

    bosat = bosat_i(y_f) & bosat_i(y_e)
    bef_years = set(range(bef_span[0] // 12, bef_span[1] // 12 + 1)) if bef_span else set()
    bef_covers = (y_f.isin(bef_years) & y_e.isin(bef_years)).to_numpy(dtype=bool)
    grund = np.where(~in_panel.to_numpy(dtype=bool), "uden_for_panel",
                     np.where(~bef_covers, "bef_mangler_aar", np.where(~bosat, "ikke_bosat", "")))
    out["observerbar"] = grund == ""
    out["grund"] = grund
    out["timer_foer"] = pd.array(timer_foer.where(out["observerbar"]).to_numpy(), dtype="Float64")
    out["timer_efter"] = pd.array(timer_efter.where(out["observerbar"]).to_numpy(), dtype="Float64")

    # køn and alder (person-level controls) from BEF in the index grant's year
    kb = key.assign(aar=start_year.to_numpy()).merge(b, on=["pnr", "aar"], how="left")
    out["koen"] = pd.Series(kb["koen"].to_numpy()).map({1.0: "mand", 2.0: "kvinde"}).astype("string").to_numpy()
    out["alder"] = pd.array(kb["alder"].to_numpy(dtype=float), dtype="Float64")
    return _flags(out), facts


def _flags(out: pd.DataFrame) -> pd.DataFrame:
    out["loentimer_foer"] = M.har_loentimer(out["timer_foer"]).to_numpy()
    out["fastholdt"] = M.fastholdelse(out["timer_foer"], out["timer_efter"]).to_numpy()
    for p in M.POPULATIONER:
        out[f"oeget_{p}"] = M.oegede_loentimer(out["timer_foer"], out["timer_efter"], population=p).to_numpy()
    return out


def oeget(frame: pd.DataFrame, population: str | None = None) -> pd.Series:
    """Each row's øgede-løntimer flag in the population used for its ordning (the report's choice
    per ordning unless ``population`` is given: :func:`.measures.population_for`)."""
    res = pd.Series(pd.NA, index=frame.index, dtype="boolean")
    for o in frame["ordning"].unique():
        m = frame["ordning"] == o
        res[m] = frame.loc[m, f"oeget_{M.population_for(o, population)}"].astype("boolean")
    return res
