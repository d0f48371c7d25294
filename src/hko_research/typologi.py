"""The casekommuner's typologies as this project reproduces them, declared once.

Delanalyse 1 codes every casekommune's strategy (report 3.2) and key-person organisation (3.4);
delanalyse 3 (Tabel 17) and delanalyse 5 group kommuner by the same typologies
(``kommunetypologi``). One kommune has one organisation, so the project can reproduce only one
set of organisation counts, and the report prints three (report_targets_notes.md 1a.2-3):

* 17 specialised teams (l.305, l.618), 2 spredt (l.635, also l.2097 and l.2279), 3 generel (l.650):
  17 + 2 + 3 = 22, more than the 20 casekommuner;
* 15 specialised teams (l.700), which the shares of l.698 also imply (88 pct. of 8 proaktive =
  7, 67 pct. of 12 reaktive/diffuse = 8); with 2 spredt and 3 generel this sums to 20;
* 13 specialised teams, 4 spredt, 3 generel (l.1624, l.1641: Tabel 17, afsnit 5.6).

This project reproduces **13 / 4 / 3**: the only set the report states in full in one place, and
the one delanalyse 3 crosses with sagsbehandlingstider (Tabel 17) — its ``kommunetypologi`` was
calibrated to it first, and chapter 3's coding must agree with it kommune by kommune. Chapter 3's
own counts (17, 15, 2 and the 88/67 pct. that imply 15) are therefore reported as conflicts in
the reproduction, each naming this choice. The strategy counts agree everywhere: 8 / 9 / 3 (l.471,
l.485, l.495). The report never names a kommune's strategy; it names three organisations (l.620,
l.637, l.652).
"""
from __future__ import annotations

from typing import TYPE_CHECKING

from .vocabulary import ORGANISERINGSTYPER, STRATEGITYPER

if TYPE_CHECKING:
    import pandas as pd

STRATEGI_ANTAL = {"proaktiv": 8, "reaktiv": 9, "diffus": 3}
ORGANISERING_ANTAL = {"specialiseret_team": 13, "spredt_specialisering": 4, "generel_specialisering": 3}
ORGANISERING_KILDE = "l.1624 og l.1641 (afsnit 5.6, Tabel 17)"
# The report's other organisation counts, with their lines (shown next to the chosen ones).
ORGANISERING_ALTERNATIVER = (
    {"kilde": "afsnit 3.4.1-3.4.3 (l.618, l.635, l.650)", "specialiseret_team": 17, "spredt_specialisering": 2,
     "generel_specialisering": 3},
    {"kilde": "afsnit 3.4.4 (l.700; l.698's 88 og 67 pct.)", "specialiseret_team": 15, "spredt_specialisering": None,
     "generel_specialisering": None},
)
# The only kommuner whose organisation the report names (Tabel 7-9).
NAVNGIVNE_ORGANISERINGER = {"Høje-Taastrup": "specialiseret_team", "Holbæk": "spredt_specialisering",
                            "Vejen": "generel_specialisering"}

ORGANISERING_VALG = (
    "Rapporten angiver tre forskellige fordelinger af casekommunernes organisering af nøglepersonordningen: "
    "17 specialiserede teams, 2 med spredt og 3 med generel specialisering i afsnit 3.4.1-3.4.3 (i alt 22, "
    "ikke 20); 15 specialiserede teams i afsnit 3.4.4 (som også følger af 88 pct. af 8 proaktive og 67 pct. "
    "af 12 reaktive/diffuse); og 13, 4 og 3 i afsnit 5.6 (Tabel 17). En kommune har én organisering, så "
    "projektet gengiver én fordeling: 13 / 4 / 3 fra afsnit 5.6, den eneste der er angivet fuldt ud ét sted "
    "og den, delanalyse 3 krydser med sagsbehandlingstiderne. Kapitel 3's egne tal (17, 15 og 2 samt 88 og "
    "67 pct.) står derfor som konflikter i sammenligningen med rapporten."
)

assert set(STRATEGI_ANTAL) == set(STRATEGITYPER) and set(ORGANISERING_ANTAL) == set(ORGANISERINGSTYPER)
assert sum(STRATEGI_ANTAL.values()) == sum(ORGANISERING_ANTAL.values()) == 20


def uoverensstemmelser(kodet: "pd.DataFrame", kommunetypologi: "pd.DataFrame",
                       columns: tuple[str, ...] = ("strategi", "organisering", "antal_noeglepersoner")) -> "pd.DataFrame":
    """Kommuner where delanalyse 1's coding and ``kommunetypologi`` disagree: one row per kommune and
    column (kommunekode, kolonne, kodning, kommunetypologi); a kommune in only one of them counts
    too. Empty when they agree kommune by kommune."""
    import pandas as pd

    a = kodet.set_index("kommunekode")
    b = kommunetypologi.set_index("kommunekode")
    rows = []
    for k in sorted(set(a.index) | set(b.index)):
        for c in columns:
            if c not in a.columns or c not in b.columns:
                continue
            va = a.at[k, c] if k in a.index else None
            vb = b.at[k, c] if k in b.index else None
            same = (pd.isna(va) and pd.isna(vb)) if (va is None or vb is None or pd.isna(va) or pd.isna(vb)) \
                else str(va) == str(vb)
            if not same:
                rows.append({"kommunekode": int(k), "kolonne": c, "kodning": va, "kommunetypologi": vb})
    return pd.DataFrame(rows, columns=["kommunekode", "kolonne", "kodning", "kommunetypologi"])
