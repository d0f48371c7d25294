"""Tables the notebooks of delanalyse 1 and 4 show without some columns: the page marks a
suppressed cell "·" and a not-applicable one "–", and the note explains both (as every table)."""
from __future__ import annotations

import re

import numpy as np
import pandas as pd

from hko_research.analyses import visning
from hko_research.publishing.disclosure import protect_table


def test_shown_table_marks_suppressed_and_not_applicable_cells_distinctly():
    df = pd.DataFrame({
        "niveau": ["Alle casekommuner"] * 3,
        "ordning": ["is", "fa", "pa"],
        "kode": ["k1", "k2", "k3"],
        "antal_borgere": [3, 12, 20],           # 3 is a small cell: suppressed
        "n_borgere": [48, 48, 48],
        "andel_borgere": [3 / 48, 12 / 48, np.nan],  # no share for PA here: not applicable
    })
    shown = protect_table(df, min_cell_size=5, keys=["kode"])
    shown.attrs.update(title="Tabel X: Gevinster", note="Andel af alle interviewede i gruppen.")
    html = visning.table_html(shown, "d4_interviews", drop=("kode",))

    rows = re.findall(r"<tr>(.*?)</tr>", html)
    cells = [re.findall(r"<t[dh][^>]*>(.*?)</t[dh]>", r) for r in rows]
    head, body = cells[0], cells[1:]
    assert "Ordning" in head and not any("kode" in h.lower() for h in head)
    assert [r[head.index("Ordning")] for r in body] == ["Isbryderordning", "Fortrinsadgang", "Personlig assistance"]
    i_antal = next(i for i, h in enumerate(head) if h.startswith("Borgere") and "alt" not in h)
    assert body[0][i_antal] == "·" and body[1][i_antal] == "12"
    assert 'title="undertrykt">·<' in html and 'title="ikke relevant">–<' in html
    note = re.search(r'<p class="hko-note">(.*?)</p>', html).group(1)
    assert note.startswith("Anm.: Andel af alle interviewede i gruppen.")
    assert "·: undertrykt" in note and "–: ikke relevant" in note
