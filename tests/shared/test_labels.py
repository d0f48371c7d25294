"""The label dictionary and the reader's version of a table: Danish words, numbers by kind,
distinct marks for suppressed and not applicable, wide tables in parts."""
from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from hko_research.publishing import labels as L
from hko_research.publishing.disclosure import protect_table
from hko_research.publishing.publisher import display_frame, split_columns, table_html


def test_numbers_are_written_by_kind():
    lab = L.labels()
    assert lab.format(0.0004, "pvalue") == "< 0,001" and lab.format(0.0123, "pvalue") == "0,012"
    assert lab.format(2019, "year") == "2019"  # no thousands separator in a year
    assert lab.format(0.123, "share") == "12,3" and lab.format(0.0004, "share") == "0,04"
    assert lab.format(1234567.4, "money") == "1.234.567" and lab.format(3.84, "weeks") == "3,8"
    assert lab.format(12345, "count") == "12.345" and lab.format(0.012, "points") == "1,2"


def test_kinds_and_headers_from_names_and_the_dictionary():
    lab = L.labels("d3_brug")
    assert [lab.kind(c) for c in ("n", "antal_pa", "andel", "andel_over_4_uger", "gennemsnit_uger", "spearman_p",
                                  "aar", "rang", "udgift_pa", "anvendelsesgrad_hm")] == \
        ["count", "count", "share", "share", "weeks", "pvalue", "year", "rank", "money", "share"]
    assert lab.header("ci_oevre") == "95 %-KI, øvre (pct.)"
    assert lab.header("rang") == "Rammevilkår (rang 1-98)"  # not an unlabelled "rang"
    assert lab.value("hoej") == "Høj" and lab.value("kort_videregaaende") == "Kort videregående"
    assert lab.value("pa+hm") == "Personlig assistance og hjælpemidler"
    assert lab.value("Bevilliget i 2019") == "Bevilliget i 2019"  # a label already
    assert lab.value(True) == "Ja"


def test_an_analysis_adds_its_labels_in_its_own_file(tmp_path, monkeypatch):
    """The fixed format: columns / values / kinds (+ colours, verbatim); the running analysis's
    entries win, another analysis adds codes but does not relabel shared ones."""
    mine = tmp_path / "mine.yaml"
    mine.write_text("columns:\n  niveau: Sammenligning\n  ny_kolonne: Ny kolonne\nvalues:\n  hoej: HØJ\n"
                    "kinds:\n  ny_kolonne: money\n", encoding="utf-8")
    other = tmp_path / "other.yaml"
    # "gennemsnit" is a shared column: the profiles' 1-5 scale means (three decimals) once made
    # every page's gennemsnit read "12,400" (months) because another analysis set its kind
    other.write_text("columns:\n  niveau: Andet navn\n  anden: Anden kolonne\n"
                     "kinds:\n  gennemsnit: scale\n  anden: ratio\n", encoding="utf-8")
    monkeypatch.setattr(L, "label_files", lambda analysis=None: [L.SHARED_FILE, other, mine])
    L._merged.cache_clear()
    try:
        lab = L._merged("mine")
        assert lab.header("niveau") == "Sammenligning" and lab.header("anden") == "Anden kolonne"
        assert lab.header("ny_kolonne") == "Ny kolonne (kr.)" and lab.value("hoej") == "HØJ"
        assert L._merged(None).header("niveau") == "Niveau"  # the shared one: no analysis relabels it
        assert lab.kind("gennemsnit") == "mean" and lab.format(12.4, lab.kind("gennemsnit")) == "12,4"
        assert lab.kind("anden") == "ratio"  # the other analysis's own code keeps its kind
    finally:
        L._merged.cache_clear()


def test_a_broken_labels_file_says_where(tmp_path):
    bad = tmp_path / "labels.yaml"
    bad.write_text("columns:\n  a: [b\nvalues: {}\n", encoding="utf-8")
    with pytest.raises(ValueError, match=r"labels\.yaml, line \d+"):
        L._read(bad)
    bad.write_text("kinds:\n  x: thousands\n", encoding="utf-8")
    with pytest.raises(ValueError, match="unknown kinds.*thousands"):
        L._read(bad)


def test_the_readers_table_has_danish_headers_values_and_distinct_marks():
    df = pd.DataFrame({"niveau": ["Hele landet"] * 3, "ordning": ["pa"] * 3, "kategori": ["hoej", "lav", "mellem"],
                       "antal": [3, 10, 0], "n": [13, 13, 13], "gennemsnit_uger": [np.nan, 2.5, np.nan]})
    prot = protect_table(df, min_cell_size=5, basis={"gennemsnit_uger": ["n"]})
    frame, kinds = display_frame(prot)
    assert list(frame.columns) == ["Niveau", "Ordning", "Kategori", "Antal", "Antal i alt (n)", "Gennemsnit (uger)"]
    assert frame["Ordning"].tolist() == ["Personlig assistance"] * 3
    assert frame["Kategori"].tolist() == ["Høj", "Lav", "Mellem"]
    # 3 and its partner 10 are suppressed (·: the categories sum to the published n); the empty means
    # are not applicable (–); 0 is shown
    assert frame["Antal"].tolist() == [L.SUPPRESSED, L.SUPPRESSED, "0"]
    assert frame["Gennemsnit (uger)"].tolist() == [L.NOT_APPLICABLE, "2,5", L.NOT_APPLICABLE]
    assert L.SUPPRESSED != L.NOT_APPLICABLE
    html = table_html(prot, title="T", note="Kilde: x.")
    assert "·: undertrykt" in html and "–: ikke relevant" in html


def test_a_wide_table_is_shown_in_parts_with_its_row_labels_repeated():
    df = pd.DataFrame({"kommune": [f"Kommune {i}" for i in range(98)],
                       **{f"udgift_{k}": np.arange(98) * 1e6 for k in "abcdefghijklmnop"}})
    frame, kinds = display_frame(protect_table(df, min_cell_size=5))
    parts = split_columns(frame, kinds)
    assert len(parts) >= 2 and all(p[0] == 0 for p in parts)  # kommune in every part
    assert sorted({i for p in parts for i in p}) == list(range(frame.shape[1]))
    narrow = split_columns(frame.iloc[:, :4], kinds[:4])
    assert narrow == [[0, 1, 2, 3]]
