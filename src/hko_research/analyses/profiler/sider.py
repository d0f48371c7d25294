"""The profile pages and their overview, rendered from the protected tables only.

:class:`Profiler` takes the protected overview table (``S.table``'s return value: masked cells NaN,
``attrs["disclosure"]`` marking them) and, for casekommuner, the protected survey table, prepares
what every page shares once (the country's, regions' and bands' values, the published kommune
values per indicator for spine charts and ranks, the map) and then writes one page per kommune
(:meth:`Profiler.side`) and the overview (:meth:`Profiler.oversigt`) with jinja2
(``templates/``). A page is a few table look-ups and string formatting: no matplotlib, no
disclosure step, nothing recomputed. Public figures (population, fuldtidspersoner, expenditure)
come from :class:`~.beregning.Indikatorramme` and are shown only where the indicator's value is
shown.

File names: ``<kode>_<navn>.html`` with the name in lower-case ASCII (``825_laesoe.html``,
``101_koebenhavn.html``), so links work in every browser, archive and file system.
"""
from __future__ import annotations

import math
import os
import re
import unicodedata
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any, Iterable, Mapping, Sequence

import numpy as np
import pandas as pd

from ...kommuner import REGIONS
from ...publishing.disclosure import is_protected, masked_cells
from ...publishing.labels import NOT_APPLICABLE, SUPPRESSED, fmt_num, labels
from . import kort
from . import sammenligning as C
from .beregning import I_ALT, Indikatorramme, niveau
from .metadata import AFSNIT, Indikator

TEMPLATES = Path(__file__).with_name("templates")
OVERSIGT = "index.html"
SPINE_W, SPINE_H = 220, 22
TREND_W, TREND_H = 300, 150


def filnavn(kode: int, navn: str) -> str:
    """``<kode>_<navn>.html``, the name in lower-case ASCII (æ -> ae, ø -> oe, å -> aa)."""
    s = navn.lower().replace("æ", "ae").replace("ø", "oe").replace("å", "aa")
    s = unicodedata.normalize("NFKD", s).encode("ascii", "ignore").decode("ascii")
    s = re.sub(r"[^a-z0-9]+", "-", s).strip("-")
    return f"{int(kode)}_{s}.html"


@lru_cache(maxsize=1)
def _env():
    import jinja2

    from ...publishing.html import TEMPLATES_DIR

    env = jinja2.Environment(
        loader=jinja2.ChoiceLoader([jinja2.FileSystemLoader(str(TEMPLATES)), jinja2.FileSystemLoader(str(TEMPLATES_DIR))]),
        autoescape=jinja2.select_autoescape(["html", "j2"]), undefined=jinja2.StrictUndefined,
        trim_blocks=True, lstrip_blocks=True)
    return env


def tal(x: Any, kind: str) -> str:
    """One number the Danish way for the profiles: shares in pct. with two decimals under 10 pct.,
    procentpoint with two decimals, kroner and counts whole."""
    if x is None or (isinstance(x, float) and math.isnan(x)) or pd.isna(x):
        return ""
    v = float(x)
    if kind == "share":
        p = 100 * v
        return fmt_num(p, 2 if abs(p) < 10 else 1)
    if kind == "points":
        return fmt_num(100 * v, 2)
    if kind in ("money", "count"):
        return fmt_num(v, 0)
    return fmt_num(v, 1)


ENHED = {"share": "pct.", "points": "procentpoint", "money": "kr.", "count": ""}
# What the numbers in "Tæller / nævner" count (tooltip), by column name prefix.
TAELLER_TEKST = (("antal_rekruttering", "bevillinger til rekruttering"), ("n_rekruttering", "bevillinger med kendt ydelse"),
                 ("antal_fuldtid", "modtagere på en jobindsats-ydelse"), ("fuldtidspersoner", "fuldtidspersoner"),
                 ("antal_fastholdelse", "fastholdte"), ("n_fastholdelse", "modtagere med løntimer før"),
                 ("antal_oeget", "modtagere med flere løntimer"), ("n_oeget", "modtagere i populationen"),
                 ("antal_", "bevillinger"), ("befolkning", "indbyggere"), ("udgift", "kr. i bruttoudgift"))


def enhed_for(col: str) -> str:
    return next((t for p, t in TAELLER_TEKST if col.startswith(p)), "")


@dataclass
class Celle:
    """One published number as a page shows it."""

    vaerdi: float | None
    undertrykt: bool

    def tekst(self, kind: str) -> str:
        if self.undertrykt:
            return SUPPRESSED
        if self.vaerdi is None:
            return NOT_APPLICABLE
        return tal(self.vaerdi, kind)


class Profiler:
    """Everything the pages share, prepared once from the protected table(s)."""

    def __init__(self, table: pd.DataFrame, ramme: Indikatorramme, *, synthetic: bool,
                 casekommuner: pd.DataFrame | None = None, run_index: str | None = "../index.html",
                 min_cell_size: int = 5):
        if not is_protected(table):
            raise ValueError("Profiler: the table must be the protected frame returned by S.table()")
        if casekommuner is not None and not is_protected(casekommuner):
            raise ValueError("Profiler: the casekommune table must be the protected frame returned by S.table()")
        self.t = table.reset_index(drop=True)
        self.t.attrs = {}  # a page reads plain arrays: pandas would copy attrs on every access
        self.masked = masked_cells(table).reset_index(drop=True)
        self._v = {c: self.t[c].to_numpy() for c in self.t.columns}
        self._m = {c: self.masked[c].to_numpy(bool) for c in self.masked.columns}
        self.R = ramme
        self.inds = ramme.indikatorer
        self.synthetic = bool(synthetic)
        self.run_index = run_index
        self.min_cell_size = int(min_cell_size)
        self.lab = labels("profiler")
        self.Y = ramme.year
        self.years = ramme.years
        self.niveau = self.t.apply(niveau, axis=1)
        self._rows: dict[tuple[int, str, str], int] = {}
        for i, r in self.t[["aar", "kommunekode", "region", "rammevilkaar"]].iterrows():
            lvl = self.niveau.iloc[i]
            key = r["kommunekode"] if lvl == "kommune" else (r["region"] if lvl == "region" else
                                                             (r["rammevilkaar"] if lvl == "rammevilkaar" else I_ALT))
            self._rows[(int(r["aar"]), lvl, str(key))] = i
        self.fakta = ramme.fakta
        self.navne = {int(k): str(n) for k, n in self.fakta["kommune"].items()}
        self.offentlige = ({c: ramme.offentlige[c].to_numpy(float) for c in ramme.offentlige.columns}
                           if ramme.offentlige is not None else None)
        # the published kommune values of each indicator in Y: spine charts and ranks
        kom = self.t.index[(self.t["aar"] == self.Y) & (self.niveau == "kommune")]
        self._kommune_rows = kom
        self.fordeling = {ind.id: C._finite(self.t.loc[kom, ind.id].to_numpy(float)) for ind in self.inds}
        land = self.row(self.Y, "landet", I_ALT)
        self._spine = {ind.id: C.spine(self.fordeling[ind.id], self.celle(land, ind.id).vaerdi)
                       if self.celle(land, ind.id).vaerdi is not None else None for ind in self.inds}
        self._kode = {int(self.t.at[i, "kommunekode"]): i for i in kom}
        self.case = self._case_table(casekommuner)
        self.mangler = dict(ramme.mangler)
        self.mangler_navne = self._mangler_navne()

    # -- look-ups ------------------------------------------------------------------------

    def row(self, year: int, lvl: str, key: Any) -> int | None:
        return self._rows.get((int(year), lvl, str(key)))

    def celle(self, r: int | None, col: str) -> Celle:
        if r is None or col not in self._v:
            return Celle(None, False)
        v = self._v[col][r]
        masked = bool(self._m[col][r]) if col in self._m else False
        return Celle(None if _nan(v) else float(v), masked)

    def offentlig(self, r: int | None, col: str) -> float | None:
        if r is None or self.offentlige is None or col not in self.offentlige:
            return None
        v = self.offentlige[col][r]
        return None if _nan(v) else float(v)

    def _mangler_navne(self) -> list[dict[str, str]]:
        from .metadata import indikatorer

        return [{"navn": i.navn, "grund": self.mangler[i.id], "kilde": i.kilde, "afsnit": i.afsnit}
                for i in indikatorer() if i.id in self.mangler]

    # -- one indicator for one kommune ------------------------------------------------------

    def _n_tekst(self, ind: Indikator, r: int | None, shown: bool) -> str:
        """Numerator / denominator as the page shows them: counts from the protected table, public
        figures only when the indicator's value is shown."""
        parts = []
        for cols in (ind.taeller, (ind.naevner,)):
            counts = [c for c in cols if c in ind.tal]
            if counts:
                cells = [self.celle(r, c) for c in counts]
                if any(c.undertrykt for c in cells):
                    parts.append(SUPPRESSED)
                elif any(c.vaerdi is None for c in cells):
                    parts.append(NOT_APPLICABLE)
                else:
                    parts.append(tal(sum(c.vaerdi for c in cells), "count"))
            else:
                v = self.offentlig(r, cols[0]) if shown else None
                parts.append(NOT_APPLICABLE if not shown else (tal(v, "count") if v is not None else NOT_APPLICABLE))
        return " / ".join(parts)

    def indikator(self, ind: Indikator, kode: int | None, region: str | None, band: str | None,
                  year: int | None = None) -> dict[str, Any]:
        Y = self.Y if year is None else year
        rk = self.row(Y, "kommune", kode) if kode is not None else None
        rl = self.row(Y, "landet", I_ALT)
        v = self.celle(rk, ind.id) if rk is not None else Celle(None, False)
        land = self.celle(rl, ind.id)
        reg = self.celle(self.row(Y, "region", region), ind.id) if region else Celle(None, False)
        ram = self.celle(self.row(Y, "rammevilkaar", band), ind.id) if band else Celle(None, False)
        lo = self.celle(rk, ind.ci_nedre) if ind.har_ci else Celle(None, False)
        hi = self.celle(rk, ind.ci_oevre) if ind.har_ci else Celle(None, False)
        code = C.sammenligning(v.vaerdi, lo.vaerdi, hi.vaerdi, land.vaerdi, polaritet=ind.polaritet,
                               har_ci=ind.har_ci, undertrykt=v.undertrykt)
        base = self._spine[ind.id] if Y == self.Y else (C.spine(self.fordeling[ind.id], land.vaerdi)
                                                          if land.vaerdi is not None else None)
        sp = base.med(v.vaerdi) if base is not None else None
        rg = C.rang(self.fordeling[ind.id], v.vaerdi)
        k = ind.kind
        ci = f"{tal(lo.vaerdi, k)}–{tal(hi.vaerdi, k)}" if ind.har_ci and lo.vaerdi is not None and hi.vaerdi is not None \
            else (SUPPRESSED if v.undertrykt and ind.har_ci else NOT_APPLICABLE)
        return {
            "id": ind.id, "navn": ind.navn, "definition": ind.definition, "enhed": ENHED.get(k, ""),
            "vaerdi": v.tekst(k), "vaerdi_tal": v.vaerdi, "undertrykt": v.undertrykt,
            "n": self._n_tekst(ind, rk, v.vaerdi is not None) if rk is not None else "",
            "n_tekst": f"{enhed_for(ind.taeller[0])} / {enhed_for(ind.naevner)}",
            "ci": ci, "landet": land.tekst(k), "region": reg.tekst(k), "rammevilkaar": ram.tekst(k),
            "rang": f"{rg[0]} af {rg[1]}" if rg else (SUPPRESSED if v.undertrykt else NOT_APPLICABLE),
            "sammenligning": code, "sammenligning_tekst": C.TEKST[code], "farve": C.FARVE[code],
            "spine": self._spine_svg(sp, code, ind) if sp else None,
            "polaritet": ind.polaritet,
        }

    def _spine_svg(self, sp: C.Spine, code: str, ind: Indikator) -> dict[str, Any]:
        k = ind.kind
        W = SPINE_W

        def x(p: float) -> float:
            return round(4 + p * (W - 8), 1)

        return {"w": W, "h": SPINE_H, "lo": x(sp.laveste), "q1": x(sp.q1), "q3": x(sp.q3), "hi": x(sp.hoejeste),
                "mid": x(0.5), "v": None if sp.vaerdi is None else x(sp.vaerdi), "farve": C.FARVE[code],
                "tekst": (f"Laveste {tal(sp.min_vaerdi, k)}, 25 %-fraktil {tal(sp.q1_vaerdi, k)}, 75 %-fraktil "
                          f"{tal(sp.q3_vaerdi, k)}, højeste {tal(sp.max_vaerdi, k)} {ENHED.get(k, '')}").strip()}

    def sammenligninger(self, ind_id: str) -> pd.Series:
        """Every kommune's comparison with the country on one indicator (the Danish label; NaN where
        the value is suppressed or missing), indexed by kommunekode: the notebook's map."""
        ind = next(i for i in self.inds if i.id == ind_id)
        out = {}
        for k in self._kode:
            f = self.fakta.loc[k]
            code = self.indikator(ind, k, str(f["region"]), None)["sammenligning"]
            out[k] = C.TEKST[code] if code not in (C.UNDERTRYKT, C.INGEN_VAERDI) else np.nan
        return pd.Series(out, dtype=object).sort_index()

    # -- trend ----------------------------------------------------------------------------

    def trend(self, ind: Indikator, kode: int, region: str) -> dict[str, Any] | None:
        years = [y for y in self.years if self.row(y, "landet", I_ALT) is not None]
        if len(years) < 2:
            return None
        series = {
            "kommune": [self.celle(self.row(y, "kommune", kode), ind.id) for y in years],
            "region": [self.celle(self.row(y, "region", region), ind.id) for y in years],
            "landet": [self.celle(self.row(y, "landet", I_ALT), ind.id) for y in years],
        }
        vals = [c.vaerdi for s in series.values() for c in s if c.vaerdi is not None]
        if not vals:
            return None
        top = max(vals) * 1.15 or 1.0
        left, right, tb, bottom = 46, 18, 12, 26
        W, H = TREND_W, TREND_H

        def px(i: int) -> float:
            return round(left + i * (W - left - right) / (len(years) - 1), 1)

        def py(v: float) -> float:
            return round(tb + (1 - v / top) * (H - tb - bottom), 1)

        lines = {}
        for name, cells in series.items():
            segs, cur, pts = [], [], []
            for i, c in enumerate(cells):
                if c.vaerdi is None:
                    if cur:
                        segs.append(cur)
                    cur = []
                    continue
                cur.append(f"{px(i)},{py(c.vaerdi)}")
                pts.append({"x": px(i), "y": py(c.vaerdi), "aar": years[i], "tekst": tal(c.vaerdi, ind.kind)})
            if cur:
                segs.append(cur)
            lines[name] = {"segmenter": [" ".join(s) for s in segs], "punkter": pts,
                           "undertrykt": [years[i] for i, c in enumerate(cells) if c.undertrykt]}
        ticks = [{"y": py(top * f / 1.15), "tekst": tal(top * f / 1.15, ind.kind)} for f in (0, 0.5, 1.0)]
        return {"w": W, "h": H, "left": left, "bottom": H - bottom, "right": W - right,
                "aar": [{"x": px(i), "tekst": str(y)} for i, y in enumerate(years)], "ticks": ticks, "linjer": lines,
                "navn": ind.navn, "enhed": ENHED.get(ind.kind, ""),
                "alt": f"{ind.navn} {years[0]}-{years[-1]}: kommunen, regionen og hele landet"}

    # -- casekommuner -------------------------------------------------------------------------

    def _case_table(self, t: pd.DataFrame | None):
        if t is None:
            return None
        return {"t": t.reset_index(drop=True), "masked": masked_cells(t).reset_index(drop=True)}

    def casekommune(self, kode: int) -> dict[str, Any] | None:
        f = self.fakta.loc[int(kode)]
        if pd.isna(f.get("strategi")):
            return None
        out = {"strategi": self.lab.value(str(f["strategi"])), "organisering": self.lab.value(str(f["organisering"])),
               "survey": []}
        if self.case is None:
            return out
        t, m = self.case["t"], self.case["masked"]
        navn = self.navne[int(kode)]
        for maal, g in t.groupby("maal", sort=False):
            own = g.index[g["kommune"] == navn]
            tot = g.index[g["kommune"] == I_ALT]
            others = g.index[(g["kommune"] != I_ALT) & (g["kommune"] != navn)]
            vals = [t.at[i, "gennemsnit"] for i in g.index[g["kommune"] != I_ALT] if not _nan(t.at[i, "gennemsnit"])]

            def cell(ix, col, t=t, m=m):
                if not len(ix):
                    return NOT_APPLICABLE
                i = ix[0]
                if bool(m.at[i, col]):
                    return SUPPRESSED
                v = t.at[i, col]
                return NOT_APPLICABLE if _nan(v) else (tal(v, "count") if col == "n" else fmt_num(float(v), 2))

            out["survey"].append({
                "maal": self.lab.value(maal), "vaerdi": cell(own, "gennemsnit"), "n": cell(own, "n"),
                "alle": cell(tot, "gennemsnit"), "laveste": fmt_num(min(vals), 2) if vals else NOT_APPLICABLE,
                "hoejeste": fmt_num(max(vals), 2) if vals else NOT_APPLICABLE, "andre": len(others)})
        return out

    # -- pages ----------------------------------------------------------------------------

    def side(self, kode: int) -> str:
        kode = int(kode)
        f = self.fakta.loc[kode]
        region, band = str(f["region"]), f["rammevilkaar"]
        band = None if pd.isna(band) else str(band)
        sections = []
        for afsnit, titel in AFSNIT.items():
            rows = [self.indikator(i, kode, region, band) for i in self.inds if i.afsnit == afsnit]
            pending = [m for m in self.mangler_navne if m["afsnit"] == afsnit]
            if rows or pending:
                sections.append({"titel": titel, "rækker": rows, "mangler": pending})
        trends = [tr for i in self.inds if i.trend for tr in [self.trend(i, kode, region)] if tr]
        ctx = {
            "title": f"Kommuneprofil: {self.navne[kode]}", "navn": self.navne[kode], "kode": kode,
            "synthetic": self.synthetic, "data_dir": None, "aar": self.Y, "periode": f"{self.Y - 1}-{self.Y}",
            "fakta": {"region": f"Region {region}" if region in REGIONS else region,
                      "befolkning": tal(f["befolkning"], "count"),
                      "stoerrelse": self.lab.value(str(f["kommunestoerrelse"])) if not pd.isna(f["kommunestoerrelse"]) else NOT_APPLICABLE,
                      "rammevilkaar": self.lab.value(band) if band else NOT_APPLICABLE,
                      "rang": "" if pd.isna(f["rang"]) else str(int(f["rang"]))},
            "kort": kort.lokator(kode, self.navne[kode]), "afsnit": sections, "trends": trends,
            "casekommune": self.casekommune(kode), "oversigt": OVERSIGT, "run_index": self.run_index,
            "min_cell_size": self.min_cell_size, "farver": C.FARVE, "tekster": C.TEKST,
            "region_navn": region, "band_navn": self.lab.value(band) if band else "",
        }
        return _env().get_template("profil.html.j2").render(**ctx)

    def oversigt(self, kommuner: Sequence[int]) -> str:
        kommuner = [int(k) for k in kommuner]
        main = list(self.inds)
        rows = []
        for k in sorted(kommuner, key=lambda c: dansk_orden(self.navne[c])):
            f = self.fakta.loc[k]
            band = None if pd.isna(f["rammevilkaar"]) else str(f["rammevilkaar"])
            cells = [self.indikator(i, k, str(f["region"]), band) for i in main]
            rows.append({"kode": k, "navn": self.navne[k], "fil": filnavn(k, self.navne[k]), "region": str(f["region"]),
                         "rammevilkaar": self.lab.value(band) if band else NOT_APPLICABLE, "celler": cells})
        landet = [self.indikator(i, None, None, None) for i in main]
        first = main[0]
        shown = {k: self._v[first.id][i] for k, i in self._kode.items()}
        farver, titler = _farveskala(shown, first.kind)
        for k, v in shown.items():
            titler[k] = f"{self.navne[k]}: " + (f"{tal(v, first.kind)} {ENHED.get(first.kind, '')}".strip()
                                                if not _nan(v) else "undertrykt")
        links = {k: filnavn(k, self.navne[k]) for k in kommuner}
        ctx = {
            "title": f"Kommuneprofiler {self.Y}", "synthetic": self.synthetic, "data_dir": None, "aar": self.Y,
            "indikatorer": [{"id": i.id, "navn": i.navn, "enhed": ENHED.get(i.kind, "")} for i in main],
            "rækker": rows, "landet": landet, "run_index": self.run_index,
            "kort": kort.koropleth(farver, links, titler, titel=f"{first.navn} pr. kommune, {self.Y}"),
            "kort_titel": f"{first.navn} pr. kommune, {self.Y}", "legende": _legende(shown, first.kind),
            "funnel": [fp for i in self.inds if i.beregning in ("forhold", "andel") and i.har_ci
                       for fp in [self.funnel(i)] if fp],
            "mangler": self.mangler_navne, "antal": len(rows), "min_cell_size": self.min_cell_size,
            "farver": C.FARVE, "tekster": C.TEKST,
        }
        return _env().get_template("oversigt.html.j2").render(**ctx)

    # -- funnel plot ------------------------------------------------------------------------

    def funnel(self, ind: Indikator) -> dict[str, Any] | None:
        """Published kommune values against their denominator with the country's 95 % and 99,8 %
        control limits (binomial, normal approximation): a proportion indicator's funnel plot."""
        land = self.celle(self.row(self.Y, "landet", I_ALT), ind.id).vaerdi
        if land is None:
            return None
        pts = []
        for r in self._kommune_rows:
            v = self.celle(r, ind.id)
            if v.vaerdi is None:
                continue
            if ind.naevner in ind.tal:
                d = self.celle(r, ind.naevner)
                n = d.vaerdi if not d.undertrykt else None
            else:
                n = self.offentlig(r, ind.naevner)
            if n is None or n <= 0:
                continue
            pts.append((int(self._v["kommunekode"][r]), float(n), v.vaerdi))
        if len(pts) < 3:
            return None
        W, H, left, right, top_, bottom = 460, 280, 56, 12, 12, 34
        nmax = max(n for _, n, _ in pts) * 1.05
        lo_n = max(1.0, min(n for _, n, _ in pts) * 0.8)
        grid = np.geomspace(lo_n, nmax, 60)
        limits = {z: (land - z * np.sqrt(land * (1 - land) / grid), land + z * np.sqrt(land * (1 - land) / grid))
                  for z in (1.96, 3.09)}
        ymax = max(max(v for *_, v in pts), float(limits[3.09][1][0])) * 1.08
        ymin = min(0.0, min(v for *_, v in pts))

        def px(n: float) -> float:
            return round(left + (math.log(n) - math.log(lo_n)) / (math.log(nmax) - math.log(lo_n)) * (W - left - right), 1)

        def py(v: float) -> float:
            v = min(max(v, ymin), ymax)
            return round(top_ + (ymax - v) / (ymax - ymin) * (H - top_ - bottom), 1)

        def line(vals) -> str:
            return " ".join(f"{px(n)},{py(v)}" for n, v in zip(grid, vals))

        return {"id": ind.id, "navn": ind.navn, "w": W, "h": H, "left": left, "bottom": H - bottom,
                "right": W - right, "top": top_, "landet_y": py(land),
                "graenser": [line(limits[1.96][0]), line(limits[1.96][1]), line(limits[3.09][0]), line(limits[3.09][1])],
                "punkter": [{"x": px(n), "y": py(v), "navn": self.navne[k], "tekst": tal(v, ind.kind),
                             "uden": v > limits[3.09][1][np.searchsorted(grid, n).clip(0, len(grid) - 1)] or
                             v < limits[3.09][0][np.searchsorted(grid, n).clip(0, len(grid) - 1)]}
                            for k, n, v in pts],
                "yticks": [{"y": py(x), "tekst": tal(x, ind.kind)} for x in np.linspace(ymin, ymax / 1.08, 4)],
                "xticks": [{"x": px(x), "tekst": tal(x, "count")} for x in np.geomspace(lo_n, nmax / 1.05, 4)],
                "enhed": ENHED.get(ind.kind, ""), "alt": f"Tragtdiagram: {ind.navn} mod nævneren, {self.Y}"}

    # -- writing --------------------------------------------------------------------------

    def skriv(self, out_dir: Path, kommuner: Iterable[int]) -> list[Path]:
        """Write ``<kode>_<navn>.html`` for each of ``kommuner`` and ``index.html`` (atomically);
        returns the paths."""
        out_dir = Path(out_dir)
        out_dir.mkdir(parents=True, exist_ok=True)
        kommuner = sorted(int(k) for k in kommuner)
        paths = []
        for k in kommuner:
            paths.append(_write(out_dir / filnavn(k, self.navne[k]), self.side(k)))
        paths.append(_write(out_dir / OVERSIGT, self.oversigt(kommuner)))
        return paths


def dansk_orden(navn: str) -> str:
    """Sort key in Danish alphabetical order: æ, ø, å after z, and aa as å (Aabenraa after Vordingborg)."""
    s = navn.lower().replace("aa", "å")
    return s.translate(str.maketrans({"æ": "{", "ø": "|", "å": "}"}))


def _nan(x) -> bool:
    try:
        return x is None or pd.isna(x) or (isinstance(x, float) and math.isnan(x))
    except (TypeError, ValueError):
        return False


_SKALA = ("#deebf7", "#9ecae1", "#6baed6", "#3182bd", "#08519c")


def _klasser(values: Mapping[int, float]) -> list[float]:
    v = np.asarray([x for x in values.values() if not _nan(x)], float)
    if not len(v):
        return []
    return [float(x) for x in np.quantile(v, [0.2, 0.4, 0.6, 0.8])]


def _farveskala(values: Mapping[int, float], kind: str) -> tuple[dict[int, str], dict[int, str]]:
    """Five quantile classes of the published values (blues); suppressed kommuner stay grey."""
    cuts = _klasser(values)
    out = {}
    for k, v in values.items():
        if not _nan(v):
            out[k] = _SKALA[int(np.searchsorted(cuts, float(v), side="right"))]
    return out, {}


def _legende(values: Mapping[int, float], kind: str) -> list[dict[str, str]]:
    cuts = _klasser(values)
    if not cuts:
        return []
    v = [x for x in values.values() if not _nan(x)]
    bounds = [min(v), *cuts, max(v)]
    return [{"farve": _SKALA[i], "tekst": f"{tal(bounds[i], kind)}–{tal(bounds[i + 1], kind)}"} for i in range(5)] + \
        [{"farve": "#d0d0d0", "tekst": "undertrykt"}]


def _write(path: Path, text: str) -> Path:
    tmp = path.with_name(f".{path.name}.tmp-{os.getpid()}")
    tmp.write_text(text, encoding="utf-8")
    os.replace(tmp, path)
    return path


__all__ = ["Profiler", "filnavn", "tal", "dansk_orden", "OVERSIGT"]
