"""Independent of the generator: a hand-made tiny data set with traps (tests/fixtures/d3_traps)
runs through the same target computation as notebook 03 and must give the values worked out by
hand; and plausible wrong definitions, monkeypatched in, must be caught by that comparison."""
from __future__ import annotations

import importlib.util
import math
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from hko_research.analyses import d3_brug
from hko_research.analyses.d3_brug import load as L
from hko_research.analyses.d3_brug import maalgruppe, omfang
from hko_research.analyses.d3_brug import measures as M
from hko_research.analyses.d3_brug import tables as d3
from hko_research.analyses.d3_brug import targets as d3_targets
from hko_research.kommuner import kommunekoder
from hko_research.paths import PACKAGE_DIR
from hko_research.publishing.targets import load_spec, record

FIXTURE = Path(__file__).resolve().parents[1] / "fixtures" / "d3_traps" / "traps.py"
_spec = importlib.util.spec_from_file_location("d3_traps", FIXTURE)
traps = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(traps)
SPEC = load_spec(PACKAGE_DIR / "analyses" / "d3_brug" / "targets.yaml")


@pytest.fixture(scope="module")
def traps_dir(tmp_path_factory):
    return traps.write(tmp_path_factory.mktemp("d3_traps"))


def load_traps(data_dir):
    return d3.load_dir(data_dir, traps.Y, kommunekoder(), all_kommuner=True, covered_years=(2018, 2019))


def target_values(b, done=None) -> dict[str, float]:
    """The notebook's target computation (Session.reproduce) on the traps, min_cell_size 1;
    result tables in ``done`` are reused."""
    A = d3_brug.ANALYSIS
    values, _ = record(SPEC, d3.resultater(b, done=done), 1, d3_targets.computed, sums=d3.SUMS, basis=A.basis,
                       keys=A.keys)
    return values


def mismatches(values: dict[str, float]) -> dict[str, tuple[float, float]]:
    """{id: (expected, got)} where the pipeline's value differs from the hand-computed one."""
    out = {}
    for tid, want in traps.EXPECTED.items():
        got = values.get(tid, math.nan)
        same = (math.isnan(want) and math.isnan(got)) or (not math.isnan(got) and math.isclose(
            got, want, rel_tol=1e-9, abs_tol=1e-12))
        if not same:
            out[tid] = (want, got)
    return out


@pytest.fixture(scope="module")
def traps_data(traps_dir):
    b = load_traps(traps_dir)
    return b, d3.resultater(b)


def test_the_expected_values_name_real_targets():
    assert set(traps.EXPECTED) <= set(SPEC)
    assert len(traps.EXPECTED) >= 150


def test_traps_give_the_hand_computed_values(traps_data):
    bad = mismatches(target_values(*traps_data))
    assert not bad, "\n".join(f"{k}: hand {w}, pipeline {g}" for k, (w, g) in sorted(bad.items()))


def test_traps_published_tables_leave_the_residual_out_of_the_top_5(traps_data):
    t14 = traps_data[1]["tabel_14"]
    top = t14.loc[(t14["tema"] == "top-5") & (t14["ordning"] == "Hjælpemidler")]
    assert list(top["kode"]) == ["ryg_nakke", "ben_foedder", "arme_haender", "ordblindhed"]
    assert not top["kategori"].str.contains("Anden").any()


# ---- mutations: a plausible wrong definition must make the comparison fail ------------------------

def _over_4_uger_from_28(a, b):
    d = M._days(a, b)
    return (d >= M.OVER_4_UGER_DAGE).astype("boolean").where(d.notna())


def _always_overlap(a_start, a_end, b_start, b_end):
    a0 = pd.to_datetime(pd.Series(a_start), errors="coerce")
    return pd.Series(True, index=a0.index) & a0.notna()


def _previous_year_population(orig):
    return lambda bef, kvartal: orig(bef, f"{int(kvartal[:4]) - 1}{kvartal[4:]}")


def _weighted_unit_price(orig):
    def wrong(u, b):
        out = orig(u, b)
        return {**out, "gennemsnit_kommuner": out["samlet"]}
    return wrong


def _person_by_kommune(pgrants):
    return (pgrants.sort_values(["ordning", "pnr", "start", "grant_id"])
            .drop_duplicates(["ordning", "pnr", "kommunekode"], keep="first").reset_index(drop=True))


def _last_grant_as_index(pgrants):
    return (pgrants.sort_values(["ordning", "pnr", "start", "grant_id"])
            .drop_duplicates(["ordning", "pnr"], keep="last").reset_index(drop=True))


def _branche_exclusive():
    from hko_research.codelists import _mapping

    def wrong(branche):
        m = _mapping("branche_db07.csv")
        two = pd.to_numeric(pd.Series(branche, dtype="string").str.zfill(6).str[:2], errors="coerce")
        out = pd.Series(pd.NA, index=two.index, dtype="string")
        for row in m.itertuples(index=False):
            out[(two > int(row.fra)) & (two < int(row.til))] = row.branchegruppe
        return out
    return wrong


def _su_as_fastholdelse(orig):
    def wrong(codes):
        out = orig(codes)
        out.loc[out["ydelsesgruppe"] == "su", "perspektiv"] = "fastholdelse"
        return out
    return wrong


def _over_50_from_50(a):
    a = pd.to_numeric(a, errors="coerce")
    return pd.Series(np.select([a < 30, a >= 50, a.notna()], ["under 30", "over 50", "30-50"], default=""),
                     index=a.index).replace("", pd.NA).astype("string")


def _band_edges_exclusive(rate):
    r = pd.to_numeric(pd.Series([rate] if np.ndim(rate) == 0 else rate), errors="coerce").astype(float)
    out = pd.Series(np.select([r <= 0.002, r >= 0.005, r.notna()], ["lav", "hoej", "mellem"], default=""),
                    index=r.index, dtype=object).replace("", None)
    return out.iloc[0] if np.ndim(rate) == 0 else out


def _rekruttering_l392(orig):
    return lambda g, p=None, *, definition="l1342": orig(g, p, definition="l392")


PERSON_TABLES = ("tabel_13", "tabel_13_indkomst", "profil_ekstra", "antal_modtagere", "tabel_16", "subgrupper",
                 "tabel_14_lpr", "udgifter_national", "uddannelse_rammevilkaar", "kommune_fakta", "fysisk_kommuner",
                 "type_efter_ydelse", "ydelsesforhold", "rekrutteringsgrad_strategi", "figur_22_23")
USAGE_TABLES = ("anvendelsesgrad_kommuner", "tabel_12", "anvendelsesgrad_grupper", "udgifter_kommuner",
                "udgifter_national", "udgifter_grupper", "enhedspriser")
# (id, what is wrong, apply(monkeypatch), reload the inputs, result tables to rebuild). Only the
# tables that read the definition are rebuilt (the rest are reused): a table left out can only hide
# a catch, never fake one.
MUTATIONS = [
    ("over_4_uger_fra_28", "'over 4 uger' as >= 28 days (def. 21: > 28)",
     lambda mp: mp.setattr(M, "over_4_uger", _over_4_uger_from_28), False, ("figur_29_30", "tabel_17")),
    ("parallel_uden_overlap", "any other effort counts as parallel, overlapping or not (def. 13)",
     lambda mp: mp.setattr(M, "intervals_overlap", _always_overlap), False, ("tabel_16",)),
    ("befolkning_aaret_foer", "anvendelsesgrad on the previous year's population (def. 15: YK4)",
     lambda mp: mp.setattr(omfang, "kvartal_befolkning", _previous_year_population(omfang.kvartal_befolkning)),
     False, USAGE_TABLES),
    ("enhedspris_vaegtet", "national unit price as total / total, not the mean of kommune prices",
     lambda mp: mp.setattr(M, "enhedspris_national", _weighted_unit_price(M.enhedspris_national)), False,
     ("udgifter_national", "enhedspriser")),
    ("person_x_kommune", "a recipient per (person, kommune): one who moves counts twice (def. 3)",
     lambda mp: mp.setattr(L, "index_grants", _person_by_kommune), True, PERSON_TABLES),
    ("indeksbevilling_sidste", "the person's last grant as the index grant (def. 3: the first)",
     lambda mp: mp.setattr(L, "index_grants", _last_grant_as_index), True, PERSON_TABLES),
    ("andet_i_top5", "the residual 'andet' ranked in Tabel 14's top-5 (def. 22)",
     lambda mp: mp.setattr(M, "IKKE_SPECIFIKKE_FUNKTIONSNEDSAETTELSER", ()), False, ("tabel_14", "diagnose_andele")),
    ("branche_graenser_eksklusive", "DB07 ranges without their end divisions (39, 41, 56)",
     lambda mp: mp.setattr(L, "branchegruppe", _branche_exclusive()), True, PERSON_TABLES),
    ("su_som_fastholdelse", "SU counted as fastholdelse (l.1332, not the definition box l.1340)",
     lambda mp: mp.setattr(L, "ydelsesgruppe_ved_bevilling", _su_as_fastholdelse(L.ydelsesgruppe_ved_bevilling)),
     True, PERSON_TABLES),
    ("over_50_fra_50", "'over 50' as >= 50 years (def. 5: alder > 50)",
     lambda mp: mp.setattr(maalgruppe, "_alder_kat", _over_50_from_50), False, ("tabel_13",)),
    ("baandgraenser_eksklusive", "0,2 pct. in the 'lav' band (Tabel 12 note: 0,2-0,5 is mellem)",
     lambda mp: mp.setattr(M, "anvendelsesgrad_band", _band_edges_exclusive), False, USAGE_TABLES),
    ("lpr_uden_vindue", "LPR diagnoses counted at any time before the grant (def. 26: 5 years)",
     lambda mp: mp.setattr(L, "LPR_AAR_FOER", 100), True, PERSON_TABLES),
    ("rekruttering_l392", "rekrutteringsgrad as 'offentlig forsørgelse' (l.392: SU and fleksjob count)",
     lambda mp: mp.setattr(M, "er_rekruttering", _rekruttering_l392(M.er_rekruttering)), True, PERSON_TABLES),
]


@pytest.mark.parametrize("name, wrong, apply, reload, rebuild", MUTATIONS, ids=[m[0] for m in MUTATIONS])
def test_a_wrong_definition_is_caught(name, wrong, apply, reload, rebuild, traps_dir, traps_data, monkeypatch):
    b, results = traps_data
    apply(monkeypatch)
    if reload:
        b = load_traps(traps_dir)
    bad = mismatches(target_values(b, done={k: v for k, v in results.items() if k not in rebuild}))
    print(f"\n{name} ({wrong}) caught by: {', '.join(sorted(bad))}")
    assert bad, f"the wrong definition '{wrong}' passed every hand-computed target"
