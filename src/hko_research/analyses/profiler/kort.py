"""The kommune map as inline SVG: DAGI boundaries projected and simplified once per process.

Every page's locator map and the overview's choropleth use the same path data
(:func:`stier`): the shipped DAGI GeoJSON (``kommuner.geojson``, WGS84) projected like the
project's matplotlib maps (x = lon * cos 56°, y = lat), scaled to a 1000-unit-wide view box,
simplified with matplotlib's path simplification at :data:`TOLERANCE` units and written with
whole-unit coordinates; islands smaller than :data:`MIN_AREA` square units are left out (a kommune
always keeps its largest one). A page then only adds its own highlight and a marker, so 98 maps
cost one projection.
"""
from __future__ import annotations

import html
import math
from functools import lru_cache
from typing import Mapping

import numpy as np

WIDTH = 1000
TOLERANCE = 1.5     # view-box units (at 1000 wide): a reader's map is 300-700 px wide
MIN_AREA = 4.0      # square units
_LAT0 = 56.0


def _ring_area(xy: np.ndarray) -> float:
    x, y = xy[:, 0], xy[:, 1]
    return 0.5 * abs(float(np.dot(x, np.roll(y, 1)) - np.dot(y, np.roll(x, 1))))


@lru_cache(maxsize=1)
def _geometri() -> tuple[dict[int, str], dict[int, tuple[float, float]], float]:
    import matplotlib as mpl
    from matplotlib.path import Path

    from ...kommuner import geojson

    k = math.cos(math.radians(_LAT0))
    rings: dict[int, list[np.ndarray]] = {}
    for feat in geojson()["features"]:
        code = int(feat["properties"]["kommunekode"])
        rings[code] = [np.column_stack([np.asarray(p[0], float)[:, 0] * k, np.asarray(p[0], float)[:, 1]])
                       for p in feat["geometry"]["coordinates"]]
    allxy = np.concatenate([r for rs in rings.values() for r in rs])
    (x0, y0), (x1, y1) = allxy.min(axis=0), allxy.max(axis=0)
    s = WIDTH / (x1 - x0)
    height = (y1 - y0) * s
    paths: dict[int, str] = {}
    centres: dict[int, tuple[float, float]] = {}
    # matplotlib's threshold is at most 1 (in the path's units): simplify in units of TOLERANCE
    with mpl.rc_context({"path.simplify_threshold": 1.0}):
        for code in sorted(rings):
            parts, best = [], (-1.0, (0.0, 0.0))
            projected = [np.column_stack([(r[:, 0] - x0) * s, (y1 - r[:, 1]) * s]) for r in rings[code]]
            largest = max(range(len(projected)), key=lambda i: _ring_area(projected[i]))
            for i, xy in enumerate(projected):
                area = _ring_area(xy)
                if area < MIN_AREA and i != largest:
                    continue
                if area > best[0]:
                    best = (area, (float(xy[:, 0].mean()), float(xy[:, 1].mean())))
                p = Path(xy / TOLERANCE).cleaned(simplify=True)
                v = (p.vertices if p.codes is None else p.vertices[p.codes != Path.STOP]) * TOLERANCE
                pts = np.rint(v).astype(int)
                keep = np.ones(len(pts), bool)
                keep[1:] = np.any(pts[1:] != pts[:-1], axis=1)  # repeated points after rounding
                pts = pts[keep]
                if len(pts) < 3:
                    pts = np.rint(xy[[0, len(xy) // 3, 2 * len(xy) // 3]]).astype(int)
                parts.append("M" + "L".join(f"{a} {b}" for a, b in pts) + "Z")
            paths[code] = "".join(parts)
            centres[code] = (round(best[1][0], 1), round(best[1][1], 1))
    return paths, centres, round(float(height), 1)


def stier() -> dict[int, str]:
    """kommunekode -> SVG path data (view box ``0 0 1000 <height>``)."""
    return _geometri()[0]


def hoejde() -> float:
    return _geometri()[2]


def centrum(kode: int) -> tuple[float, float]:
    """The centre of the kommune's largest island (the locator's marker)."""
    return _geometri()[1][int(kode)]


@lru_cache(maxsize=1)
def _grundkort() -> str:
    return "".join(f'<path id="k{c}" d="{d}"/>' for c, d in stier().items())


def lokator(kode: int, navn: str) -> str:
    """The whole country in grey with the kommune in colour and a ring around it (small islands
    such as Læsø stay visible)."""
    x, y = centrum(kode)
    t = html.escape(f"{navn} på kortet over Danmarks kommuner")
    return (f'<svg class="hko-kort" role="img" aria-label="{t}" viewBox="0 0 {WIDTH} {hoejde()}" '
            f'xmlns="http://www.w3.org/2000/svg"><title>{t}</title>'
            f'<style>#k{int(kode)}{{fill:#c0392b;stroke:#7b1f16}}</style>'
            f'<g fill="#d9dde2" stroke="#ffffff" stroke-width="1.2">{_grundkort()}</g>'
            f'<circle cx="{x}" cy="{y}" r="26" fill="none" stroke="#c0392b" stroke-width="5"/></svg>')


def koropleth(farver: Mapping[int, str], links: Mapping[int, str], titler: Mapping[int, str], *,
              titel: str) -> str:
    """Every kommune coloured (``farver``; grey when missing), a kommune with a link (``links``)
    clickable, its ``titler`` text as tooltip."""
    parts = []
    for code, d in stier().items():
        fill = farver.get(code, "#d0d0d0")
        tip = f"<title>{html.escape(titler.get(code, ''))}</title>" if code in titler else ""
        path = f'<path d="{d}" fill="{fill}">{tip}</path>'
        if code in links:
            path = f'<a href="{html.escape(links[code])}" data-kommunekode="{code}">{path}</a>'
        parts.append(path)
    t = html.escape(titel)
    return (f'<svg class="hko-koropleth" role="img" aria-label="{t}" viewBox="0 0 {WIDTH} {hoejde()}" '
            f'xmlns="http://www.w3.org/2000/svg"><title>{t}</title>'
            f'<g stroke="#ffffff" stroke-width="1">{"".join(parts)}</g></svg>')
