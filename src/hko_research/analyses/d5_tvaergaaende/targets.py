"""Delanalyse 5's report targets that need code: differences, extremes over groups and the band
definitions the pipeline uses (probed on the band functions, not read from constants). Look-ups,
aliases and conflicts are declared in ``targets.yaml``; values are read through the picker, i.e.
after the same disclosure step as publication. The report's own values are never read here."""
from __future__ import annotations

import math

from ...kommuner import kommunestoerrelse, rammevilkaar_band
from ...vocabulary import ORDNING_NAVN, ORGANISERINGSTYPER, STRATEGITYPER

PA, HM = ORDNING_NAVN["pa"], ORDNING_NAVN["hm"]
GRUPPER = "figur_32_35_strategi_organisering"
BAAND = "figur_39_42_rammevilkaar_stoerrelse"


def _extreme(vals: list[float], fn) -> float:
    """min/max of values that all exist; NaN if any is missing (suppressed or absent)."""
    return fn(vals) if vals and not any(math.isnan(v) for v in vals) else math.nan


def _first(predicate, lo: int, hi: int) -> float:
    """The smallest integer in [lo, hi] where ``predicate`` holds (bisection; it must turn from
    False to True once)."""
    if predicate(lo) or not predicate(hi):
        return math.nan
    while hi - lo > 1:
        mid = (lo + hi) // 2
        lo, hi = (lo, mid) if predicate(mid) else (mid, hi)
    return float(hi)


def computed(pick) -> dict[str, float]:
    def g(ordning, maal, dimension, gruppe, table=GRUPPER):
        return pick(table, ordning=ordning, maal=maal, dimension=dimension, gruppe=gruppe)

    out: dict[str, float] = {}
    # Figur 32 (l.2061): procentpoint differences for personlig assistance
    out["d5_fig32_pa_pp_proaktiv_diffus"] = g(PA, "oegede", "strategi", "proaktiv") - g(PA, "oegede", "strategi", "diffus")
    out["d5_fig32_pa_pp_proaktiv_reaktiv"] = g(PA, "oegede", "strategi", "proaktiv") - g(PA, "oegede", "strategi", "reaktiv")
    # Figur 34 (l.2097): hjælpemidler, spredt specialisering against the two other types
    spredt = g(HM, "oegede", "organisering", "spredt_specialisering")
    out["d5_fig34_hm_pp_spredt_generel_7"] = spredt - g(HM, "oegede", "organisering", "generel_specialisering")
    out["d5_fig34_hm_pp_spredt_specialiseret_6"] = spredt - g(HM, "oegede", "organisering", "specialiseret_team")
    # fastholdelse ranges across the groups and both ordninger (l.2084, l.2101, l.2243)
    for tid, dim, groups, table in (("d5_fig33_fastholdelse_strategi", "strategi", STRATEGITYPER, GRUPPER),
                                    ("d5_fig35_fastholdelse_org", "organisering", ORGANISERINGSTYPER, GRUPPER),
                                    ("d5_fig42_fastholdelse_stoerrelse", "kommunestoerrelse", ("lille", "mellem", "stor"),
                                     BAAND)):
        vals = [g(o, "fastholdelse", dim, x, table) for o in (PA, HM) for x in groups]
        out[f"{tid}_max"] = _extreme(vals, max)
        out[f"{tid}_min"] = _extreme(vals, min)
    # the rammevilkår bands the pipeline uses (Figur 39/40 notes, l.2211), probed on rank 1-98
    for band, name in (("vanskelige", "vanskelige"), ("mellem", "mellem"), ("gode", "gode")):
        ranks = [r for r in range(1, 99) if rammevilkaar_band(r) == band]
        for fig in ("d5_fig39", "d5_fig40"):
            out[f"{fig}_rammevilkaar_{name}_lower"] = float(min(ranks)) if ranks else math.nan
            out[f"{fig}_rammevilkaar_{name}_upper"] = float(max(ranks)) if ranks else math.nan
    # the kommunestørrelse bands (Figur 41/42 notes, l.2235): the first population outside a band
    not_lille = _first(lambda p: kommunestoerrelse(p) != "lille", 1, 10**6)
    stor = _first(lambda p: kommunestoerrelse(p) == "stor", 1, 10**6)
    for fig in ("d5_fig41", "d5_fig42"):
        out[f"{fig}_stoerrelse_lille_upper"] = not_lille          # «Lille: <40.000»
        out[f"{fig}_stoerrelse_mellem_lower"] = not_lille - 1     # «Mellem: >39.999»
        out[f"{fig}_stoerrelse_mellem_upper"] = stor              # «<80.000»
        out[f"{fig}_stoerrelse_stor_lower"] = stor - 1            # «Stor: >79.999»
    return out
