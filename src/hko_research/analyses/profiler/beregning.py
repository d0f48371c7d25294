"""The indicator frame: every indicator for all 98 kommuner and their aggregates, computed once.

:func:`indikatorramme` calls each frame builder of the metadata table once (:mod:`.rammer`; the
trend indicators' builders once per covered year) and returns the one wide frame the notebook
publishes through disclosure control and renders every page from:

* one row per kommune and year, and one per region, rammevilkår band and the whole country
  ("I alt" in the columns it sums over), so the aggregates a page shows are cells of the same
  protected table;
* key columns ``aar, kommunekode, kommune, region, rammevilkaar`` (``kommunekode`` as text: an
  aggregate row is "I alt" there);
* the counts of every indicator (``antal_*`` / ``n_*``) and its value and Wilson bounds
  (``<id>``, ``ci_nedre_<id>``, ``ci_oevre_<id>``); public denominators (population,
  fuldtidspersoner, expenditure) are used for the values but not published here.

An aggregate's value is the owning analysis's measure of its sums (a rate of summed counts over
summed population; enhedspris: delanalyse 3's ``enhedspris_national(...)["samlet"]``), never a mean
of kommune values, so a group's value is what the country's is for the country. :data:`SUMS`
declares the additive structure to disclosure control: within a year, the kommuner of a region,
of a rammevilkår band and of the country sum to that aggregate's row.
"""
from __future__ import annotations

import warnings
from dataclasses import dataclass, field
from typing import Iterable, Sequence

import numpy as np
import pandas as pd

from ...kommuner import REGIONS, kommune_tabel, rammevilkaar_band
from ...stats import proportion_ci, share
from .metadata import Indikator, andetsteds, indikatorer
from .rammer import Grundlag, IkkeTilgaengelig

I_ALT = "I alt"
KEYS = ("aar", "kommunekode", "kommune", "region", "rammevilkaar")
RAMMEVILKAAR = ("vanskelige", "mellem", "gode")
# Disclosure: within each year, kommuner sum to their region's, band's and the country's row.
SUMS = [["aar", "region"], ["aar", "rammevilkaar"], ["aar"]]
NIVEAUER = ("kommune", "region", "rammevilkaar", "landet")


@dataclass
class Indikatorramme:
    """The unprotected indicator frame and what a page needs besides it (public kommune facts)."""

    frame: pd.DataFrame
    indikatorer: tuple[Indikator, ...]            # the computed ones, in the table's order
    mangler: dict[str, str] = field(default_factory=dict)  # indicator id -> why it is not computed
    fakta: pd.DataFrame | None = None             # per kommune: public facts (befolkning, rang, ...)
    offentlige: pd.DataFrame | None = None        # per row of frame: the public denominators used
    year: int = 0
    years: tuple[int, ...] = ()

    def andetsteds(self, min_cell_size: int) -> pd.DataFrame:
        """The kommune cells of the run's year that another notebook publishes too
        (``indikatorer.yaml``, ``andetsteds``), as that notebook shows them: a count below
        ``min_cell_size`` (its primary suppression) is left out (NaN, unknown). Protected into the
        notebook's ledger *before* the overview table (never published), they are what the attacker
        the overview is protected against already knows: a cell shown there cannot serve as
        secondary suppression here, so a region's, band's or the country's total that would reveal a
        suppressed kommune is suppressed instead."""
        cols = [c for c in andetsteds() if c in self.frame.columns]
        f = self.frame
        rows = (f["aar"] == self.year) & (f["kommunekode"] != I_ALT)
        out = f.loc[rows, [*KEYS, *cols]].reset_index(drop=True)
        for c in cols:
            v = pd.to_numeric(out[c], errors="coerce").astype(float)
            out[c] = v.where(~((v > 0) & (v < min_cell_size)))
        return out

    def basis(self) -> dict[str, list[str]]:
        """Derived column -> the counts it is computed from (``S.table(basis=...)``)."""
        return {c: list(i.basis) for i in self.indikatorer for c in i.kolonner}


def niveau(row: pd.Series | dict) -> str:
    """Which kind of row: kommune, region, rammevilkaar (band) or landet."""
    if row["kommunekode"] != I_ALT:
        return "kommune"
    if row["region"] != I_ALT:
        return "region"
    if row["rammevilkaar"] != I_ALT:
        return "rammevilkaar"
    return "landet"


def _kommuner(G: Grundlag) -> pd.DataFrame:
    info = G.brug.kommuneinfo.set_index("kommunekode")
    k = kommune_tabel().set_index("kommunekode")
    k["rammevilkaar"] = info["rammevilkaar"].reindex(k.index)
    return k


def _groups(k: pd.DataFrame) -> list[tuple[dict, pd.Index]]:
    """(keys, member kommuner) of every aggregate row: regions, bands, the country."""
    out = []
    for r in REGIONS:
        out.append(({"kommunekode": I_ALT, "kommune": I_ALT, "region": r, "rammevilkaar": I_ALT},
                    k.index[k["region"] == r]))
    for band in RAMMEVILKAAR:
        out.append(({"kommunekode": I_ALT, "kommune": I_ALT, "region": I_ALT, "rammevilkaar": band},
                    k.index[k["rammevilkaar"] == band]))
    out.append(({"kommunekode": I_ALT, "kommune": I_ALT, "region": I_ALT, "rammevilkaar": I_ALT}, k.index))
    return out


def _values(ind: Indikator, cols: pd.DataFrame, groups: list[tuple[dict, pd.Index]]):
    """The indicator's value and Wilson bounds for every kommune (``cols``, one row per kommune),
    then for every group of ``groups`` (the owning analysis's measure of the group's sums)."""
    # an "andel" is a share of the flag its measure defines (counted by the frame builder)
    measure = ind.measure() if ind.beregning != "andel" else None
    member = np.array([cols.index.isin(m) for _, m in groups], dtype=float)  # groups x kommuner

    def summed(c: str) -> np.ndarray:
        x = cols[c].to_numpy(float)
        known = np.isfinite(x)
        total = member @ np.where(known, x, 0.0)
        return np.where(member @ known > 0, total, np.nan)  # NaN where no member has the figure

    t_k = cols[list(ind.taeller)].sum(axis=1, min_count=1).to_numpy(float)
    d_k = cols[ind.naevner].to_numpy(float)
    t = np.concatenate([t_k, sum(summed(c) for c in ind.taeller)])
    d = np.concatenate([d_k, summed(ind.naevner)])
    if ind.beregning == "forhold":
        v = np.asarray(measure(pd.Series(t), pd.Series(d)), float)
    elif ind.beregning == "andel":
        v = np.asarray(share(pd.Series(t), pd.Series(d)), float)
    elif ind.beregning == "enhedspris":
        from ..d3_brug.measures import enhedspris_national

        u, b = cols[ind.taeller[0]], cols[ind.naevner]
        v = np.concatenate([np.asarray(measure(u, b), float),
                            [enhedspris_national(u.loc[m], b.loc[m])["samlet"] for _, m in groups]])
    elif ind.beregning == "difference":
        per_k = np.asarray(measure(cols[ind.taeller[0]], cols[ind.naevner])["difference"], float)
        v = np.concatenate([per_k, member @ np.nan_to_num(per_k)])
    else:  # pragma: no cover - metadata.parse refuses it
        raise ValueError(ind.beregning)
    if not ind.har_ci:
        return v, None, None
    ok = np.isfinite(t) & np.isfinite(d) & (d > 0) & (t <= d)  # a rate above 1 is no proportion
    lo, hi = np.full(len(t), np.nan), np.full(len(t), np.nan)
    if ok.any():
        lo[ok], hi[ok] = proportion_ci(t[ok], d[ok])
    return v, lo, hi


def _year_rows(G: Grundlag, inds: Sequence[Indikator], year: int, k: pd.DataFrame,
               built: dict[tuple[str, int], pd.DataFrame]) -> tuple[pd.DataFrame, pd.DataFrame]:
    needed = list(dict.fromkeys(c for i in inds for c in (*i.taeller, i.naevner, *i.basis)))
    cols = pd.DataFrame(index=k.index)
    parts = {}
    for c in needed:
        part = next((built[(i.ramme, year)] for i in inds if c in (*i.taeller, i.naevner, *i.basis)
                     and c in built[(i.ramme, year)].columns), None)
        parts[c] = part[c].reindex(k.index).astype(float) if part is not None else pd.Series(np.nan, index=k.index)
    cols = pd.DataFrame(parts, index=k.index)
    groups = _groups(k)
    member = np.array([k.index.isin(m) for _, m in groups], dtype=float)
    keys = pd.concat([
        pd.DataFrame({"kommunekode": [str(c) for c in k.index], "kommune": k["kommune"].to_numpy(),
                      "region": k["region"].to_numpy(), "rammevilkaar": k["rammevilkaar"].to_numpy()}),
        pd.DataFrame([g for g, _ in groups])], ignore_index=True)
    data: dict[str, np.ndarray] = {"aar": np.full(len(keys), int(year))}
    for c in ("kommunekode", "kommune", "region", "rammevilkaar"):
        data[c] = keys[c].to_numpy()
    for c in dict.fromkeys(c for i in inds for c in i.tal):
        x = cols[c].to_numpy(float)
        data[c] = np.concatenate([x, np.where(member @ np.isfinite(x) > 0, member @ np.nan_to_num(x), np.nan)])
    for ind in inds:
        v, lo, hi = _values(ind, cols, groups)
        data[ind.id] = v
        if ind.har_ci:
            data[ind.ci_nedre], data[ind.ci_oevre] = lo, hi
    public = list(dict.fromkeys(c for i in inds for c in i.offentlige))
    pub = {}
    for c in public:
        x = cols[c].to_numpy(float)
        pub[c] = np.concatenate([x, np.where(member @ np.isfinite(x) > 0, member @ np.nan_to_num(x), np.nan)])
    return pd.DataFrame(data), pd.DataFrame(pub)


def dækkede_aar(G: Grundlag) -> tuple[int, ...]:
    """The years the trend covers: every covered year with a 4th-quarter population."""
    kv = set(G.brug.befolkning["kvartal"])
    return tuple(y for y in sorted(G.brug.covered_years) if f"{y}K4" in kv)


def indikatorramme(G: Grundlag, inds: Iterable[Indikator] | None = None) -> Indikatorramme:
    """The indicator frame of the run (all 98 kommuner, the regions, bands and the country)."""
    inds = tuple(indikatorer() if inds is None else inds)
    Y = G.year
    years = tuple(sorted(set(dækkede_aar(G)) | {Y}))
    k = _kommuner(G)
    built: dict[tuple[str, int], pd.DataFrame] = {}
    mangler: dict[str, str] = {}
    for ind in inds:
        for yr in (years if ind.trend else (Y,)):
            key = (ind.ramme, yr)
            if key in built or ind.id in mangler:
                continue
            try:
                built[key] = ind.frame_builder()(G, yr)
            except IkkeTilgaengelig as exc:
                mangler[ind.id] = str(exc)
    for ind in inds:  # one builder failing leaves all of its indicators out
        if ind.id not in mangler and any((ind.ramme, yr) not in built for yr in (years if ind.trend else (Y,))):
            mangler[ind.id] = next((m for i, m in mangler.items()
                                    if next(x for x in inds if x.id == i).ramme == ind.ramme), "ikke beregnet")
    ok = tuple(i for i in inds if i.id not in mangler)
    parts, pubs = [], []
    for yr in years:
        use = [i for i in ok if yr == Y or i.trend]
        rows, pub = _year_rows(G, use, yr, k, built)
        parts.append(rows)
        pubs.append(pub)
    with warnings.catch_warnings():  # concat of frames with all-NaN columns (trend years)
        warnings.simplefilter("ignore", FutureWarning)
        frame = pd.concat(parts, ignore_index=True)
        offentlige = pd.concat(pubs, ignore_index=True)
    order = [*KEYS, *dict.fromkeys(c for i in ok for c in i.tal), *(c for i in ok for c in i.kolonner)]
    frame = frame[order]
    for c in dict.fromkeys(c for i in ok for c in i.tal):
        frame[c] = frame[c].astype("Int64") if frame[c].notna().all() else frame[c].astype(float)
    return Indikatorramme(frame=frame, indikatorer=ok, mangler=mangler, fakta=fakta(G), offentlige=offentlige,
                          year=Y, years=years)


def fakta(G: Grundlag) -> pd.DataFrame:
    """Public facts per kommune for the page header: region, population in Y K4, VIVE rank and
    rammevilkår band, size band, and (casekommuner) strategy and organisation."""
    info = G.brug.kommuneinfo.set_index("kommunekode")
    pop = G.brug.befolkning
    bef = pop.loc[pop["kvartal"] == f"{G.year}K4"].set_index("kommunekode")["befolkning"]
    out = info[["kommune", "region", "rang", "rammevilkaar", "kommunestoerrelse", "strategi", "organisering"]].copy()
    out["befolkning"] = bef.reindex(out.index)
    out["rammevilkaar"] = rammevilkaar_band(out["rang"]).to_numpy()
    return out



TABEL = "bilag_profiler_indikatorer"


def offentliggoer(S, R: Indikatorramme, *, name: str = TABEL) -> pd.DataFrame:
    """Publish the indicator frame through the notebook's disclosure step and return the protected
    frame every page is rendered from. First the cells other notebooks publish too
    (:meth:`Indikatorramme.andetsteds`) enter the notebook's ledger (protected, not published);
    then the overview table is published with ``S.table``: the additive structure :data:`SUMS`,
    each value's counts (:meth:`Indikatorramme.basis`)."""
    from ...publishing.disclosure import protect_table

    protect_table(R.andetsteds(S.P.min_cell_size), min_cell_size=S.P.min_cell_size, ledger=S.pub.ledger, name=f"{name}_andetsteds")
    note = ("Én række pr. kommune og år og for hver region, rammevilkårsgruppe og hele landet (»I alt«). "
            "Indikatorerne er defineret i analyses/profiler/indikatorer.yaml; konfidensintervaller efter Wilson. "
            "Tidligere år: kun anvendelsesgraderne.")
    return S.table(R.frame, name, f"Kommuneprofilernes indikatorer, {R.year}", note=note, sums=SUMS,
                   basis=R.basis(), show=False)
