"""Delanalyse 4's bases and shares on hand-made interviews with traps: the sector base leaves out
citizens without a workplace, the isbryder base holds citizens and employers, the
fortrinsadgang base only citizens, a theme counts once per interview."""
from __future__ import annotations

from dataclasses import dataclass

import pandas as pd
import pytest

from hko_research.analyses.d4_interviews import deltagere, gevinster, krydsreference
from hko_research.analyses.d4_interviews import measures as m
from hko_research.analyses.d4_interviews.load import D4, wide_coding
from hko_research.inputs import coding
from hko_research.levels import ALLE_CASE, VALGTE_CASE


@dataclass
class Sel:
    kommuner: tuple
    all_kommuner: bool = False


ALL = Sel(kommuner=(101, 147, 316), all_kommuner=True)


def data(sel=ALL) -> D4:
    kb = coding.project("interviews").kodebog()
    cols = coding.project("interviews").sager_contract().column_names()
    recs = [
        # sag, gruppe, kommune, pa, hm, is, fa, sektor, selvstaendig, branche, funk, koen, alder
        ("B1", "borger", 101, True, False, False, False, "privat", True, "landbrug", "fysisk", "mand", 40),
        ("B2", "borger", 101, False, True, True, False, "offentlig", False, None, "psykisk", "kvinde", 50),
        ("B3", "borger", 147, False, False, False, True, None, False, None, "fysisk", "kvinde", 30),  # job seeker
        ("B4", "borger", 316, True, True, False, True, "privat", False, None, "sensorisk", "mand", 60),
        ("A1", "arbejdsgiver", 147, True, False, True, False, "privat", None, None, None, None, None),
    ]
    rows = []
    for r in recs:
        d = dict(zip(["sag", "gruppe", "kommunekode", "ordning_pa", "ordning_hm", "ordning_is", "ordning_fa", "sektor",
                      "selvstaendig", "selvstaendig_branche", "funktionsnedsaettelse", "koen", "alder"], r))
        d["koder"] = "AK"
        rows.append({c: d.get(c) for c in cols})
    sager = pd.DataFrame(rows)
    kod = pd.DataFrame([
        ("B3", "fa_ikke_igen", "AK"), ("B3", "fa_ikke_igen", "AK"),  # two passages, one interview
        ("B4", "fa_ikke_igen", "MJ"),  # not the responsible coder
        ("B2", "is_vise_vaerd", "AK"), ("A1", "is_vise_vaerd", "AK"),
        ("A1", "pa_fastholde_medarbejdere", "AK"), ("B1", "jc_taet_kontakt", "AK"),
    ], columns=["sag", "kode", "koder"]).assign(vaerdi="ja")
    return D4(P=sel, kodebog=kb, sager=sager, kodning=kod, wide=wide_coding(kb, sager, kod))


def test_bases():
    B = data()
    assert m.andel(B.wide, "borgere_fa", m.tema("fa_ikke_igen")) == (1, 2, 0.5)
    assert m.andel(B.wide, "isbryder", m.tema("is_vise_vaerd")) == (2, 2, 1.0)  # a citizen and an employer
    assert m.andel(B.wide, "borgere_pa_hm", m.attribut("selvstaendig", True)) == (1, 3, pytest.approx(1 / 3))
    assert m.andel(B.wide, "selvstaendige", m.attribut("selvstaendig_branche", "landbrug")) == (1, 1, 1.0)
    assert m.gennemsnitsalder(B.wide) == (4, 45.0)  # the employer has no age
    prof = deltagere.tabel_61b_profil(B).set_index(["egenskab", "kategori"])
    assert (prof.at[("sektor", "privat"), "antal"], prof.at[("sektor", "privat"), "n"]) == (2, 3)  # B3 has no workplace
    assert prof.at[("selvstaendig", "ja"), "n"] == 4


def test_tabel_20_and_the_crosswalk_count_interviews():
    B = data()
    t20 = gevinster.tabel_20(B).set_index("kode")
    assert (t20.at["is_vise_vaerd", "antal_borgere"], t20.at["is_vise_vaerd", "antal_arbejdsgivere"]) == (1, 1)
    assert t20.at["fa_ikke_igen", "antal_borgere"] == 1 and t20.at["fa_ikke_igen", "n_borgere"] == 4
    x = krydsreference.tabel_65(B)
    job = x.loc[x["anbefaling"] == "anbefaling_jobmuligheder"].set_index("kode")
    assert job.at["is_vise_vaerd", "antal"] == 2
    assert job.at["i_alt", "antal"] == 2 and job.at["i_alt", "n"] == 5  # interviews with any of its themes
    beh = x.loc[x["anbefaling"] == "anbefaling_behovsstyret"].set_index("kode")
    assert beh.at["jc_taet_kontakt", "antal_borgere"] == 1


def test_levels_for_a_selection_and_none():
    B = data(Sel(kommuner=(101,)))
    d = deltagere.tabel_61_deltagere(B)
    assert d.loc[(d["niveau"] == VALGTE_CASE) & (d["gruppe"] == "borger"), "antal"].item() == 2
    assert d.loc[(d["niveau"] == ALLE_CASE) & (d["gruppe"] == "borger"), "antal"].item() == 4
    B = data(Sel(kommuner=(851,)))
    assert set(deltagere.tabel_61_deltagere(B)["niveau"]) == {ALLE_CASE}


def test_targets_suppressed_by_default_are_consistent_at_min_cell_size_1(default_data_dir):
    """The farmers among the self-employed (4 of 11) are suppressed in the default run; compared
    with min_cell_size 1 they are consistent with the report's "en tredjedel" (l.1827)."""
    from hko_research import registry
    from hko_research.analyses.d4_interviews import tables
    from hko_research.params import load_params
    from hko_research.paths import PACKAGE_DIR, PARAMS_DIR
    from hko_research.publishing import reproduction
    from hko_research.publishing.targets import load_spec, record

    P = load_params(PARAMS_DIR / "default.yaml")
    R = tables.resultater(tables.load(P))
    spec = load_spec(PACKAGE_DIR / "analyses" / "d4_interviews" / "targets.yaml")
    A = registry.get("d4_interviews")
    by_min = {}
    for size in (5, 1):
        values, _ = record(spec, R, size, sums=tables.SUMS, basis=A.basis, notebook=A.notebook, analysis=A.name,
                           prefixes=A.target_prefixes)
        by_min[size] = {r["id"]: r for r in reproduction.compare([(k, repr(v)) for k, v in values.items()])}
    hidden = [i for i, r in by_min[5].items() if r["status"] == reproduction.STATUS_SUPPRESSED]
    assert hidden == ["d4_s622_selvstaendige_landmaend"]
    assert by_min[1]["d4_s622_selvstaendige_landmaend"]["status"] == reproduction.STATUS_OK
    assert by_min[1]["d4_s622_selvstaendige_landmaend"]["pipeline_value"] == pytest.approx(4 / 11)
