"""The pipeline on the default synthetic survey: the report's numbers at their printed precision
(reproduction rows for every delanalyse-2 and 9.4/9.4.1 target), the relationships chapter 4 states,
the tallies side by side, and a selection without casekommuner."""
from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from hko_research.analyses.d2_medarbejdere import ANALYSIS
from hko_research.analyses.d2_medarbejdere import tables as T
from hko_research.analyses.d2_medarbejdere import targets as TG
from hko_research.analyses.d2_medarbejdere.respondenter import regneeksempel
from hko_research.levels import ALLE_CASE
from hko_research.paths import PACKAGE_DIR
from hko_research.publishing import reproduction
from hko_research.publishing.targets import load_spec, not_computed, record

# one worker builds the module fixtures once (xdist would otherwise build them on both)
pytestmark = pytest.mark.xdist_group("d2_tables")


@pytest.fixture(scope="module")
def anvendelse(default_data_dir):
    from hko_research.analyses.d3_brug import tables as d3
    from hko_research.params import validate_params

    P = validate_params({"year": 2019, "kommuner": "alle", "data_dir": str(default_data_dir), "output_dir": "/tmp/x"},
                        check_data=True)
    return d3.anvendelsesgrad_kommuner(d3.load(P))


@pytest.fixture(scope="module")
def results(default_data_dir, anvendelse):
    from hko_research.kommuner import kommunekoder

    S = T.load_dir(default_data_dir, 2019, kommunekoder(), all_kommuner=True, anvendelse=anvendelse)
    R = T.resultater(S)
    R["bilag_941_regneeksempel"] = regneeksempel({"X": ["meget_hoej", "hoej", "hoej", "hverken", "lav", "lav"]})
    return S, R


def _rows(R, min_cell_size: int = 5):
    spec = load_spec(PACKAGE_DIR / "analyses" / "d2_medarbejdere" / "targets.yaml")
    values, details = record(spec, R, min_cell_size, TG.computed, sums=T.SUMS, basis=ANALYSIS.basis,
                             keys=ANALYSIS.keys, notebook=ANALYSIS.notebook, analysis=ANALYSIS.name,
                             prefixes=ANALYSIS.target_prefixes)
    rows = reproduction.compare([(i, repr(v)) for i, v in values.items()], details=[details], complete=True)
    mine = [r for r in rows if r["id"].startswith(ANALYSIS.target_prefixes)]
    return spec, details, mine


def test_reproduction_rows_for_every_target_at_printed_precision(results):
    """Every delanalyse-2 and 9.4/9.4.1 target is accounted for; at least 100 are compared with the
    report at its printed precision (publishing/reproduction.py) and at least 95 pct. of them agree."""
    S, R = results
    spec, details, rows = _rows(R)
    ids = {i for i in reproduction.load_targets() if i.startswith(ANALYSIS.target_prefixes)}
    assert set(details["targets"]) == ids == {r["id"] for r in rows}
    compared = [r for r in rows if r["status"] in (reproduction.STATUS_OK, reproduction.STATUS_DEVIATION)]
    ok = [r for r in compared if r["status"] == reproduction.STATUS_OK]
    bad = [(r["id"], r["printed"], r["pipeline_value"]) for r in compared if r["status"] != reproduction.STATUS_OK]
    assert len(compared) >= 100 and len(ok) >= 0.95 * len(compared), bad
    # suppressed: only an extreme across kommuner whose column has a suppressed kommune (the
    # extreme of the others would be a wrong value), and every one agrees without suppression
    suppressed = {r["id"] for r in rows if r["status"] == reproduction.STATUS_SUPPRESSED}
    assert all(i.endswith(("_kommune_max", "_kommune_min")) for i in suppressed), suppressed
    unprotected = {r["id"]: r for r in _rows(R, min_cell_size=1)[2]}
    assert all(unprotected[i]["status"] == reproduction.STATUS_OK for i in suppressed), \
        [(i, unprotected[i]["printed"], unprotected[i]["pipeline_value"]) for i in suppressed
         if unprotected[i]["status"] != reproduction.STATUS_OK]
    skipped = [r for r in rows if r["status"] in (reproduction.STATUS_NOT_COMPUTED, reproduction.STATUS_CONFLICT)]
    assert all(r["reason"].strip() for r in skipped)
    assert set(not_computed(spec)) <= {r["id"] for r in skipped}


def _value(t: pd.DataFrame, col: str = "andel", **kw) -> float:
    d = t.loc[t["niveau"] == ALLE_CASE] if "niveau" in t.columns else t
    for k, v in kw.items():
        d = d.loc[d[k] == v]
    assert len(d) == 1, kw
    return float(d[col].iloc[0])


def test_the_relationships_chapter_four_states(results):
    S, R = results
    tro = R["figur_19_viden_tro"]
    # knowledge raises belief in the citizen (Figur 19), for every disability type
    for t in ("fysisk", "psykisk", "sensorisk", "intellektuel"):
        assert _value(tro, "gennemsnit", handicaptype=t, viden_hko="hoej") > _value(tro, "gennemsnit", handicaptype=t,
                                                                                      viden_hko="lav")
    tilgang = R["bilag_43_forhold_holdninger"]
    for maal in ("omplacering", "godt_match"):  # 1 = meget enig: less favourable rammevilkår, more agreement
        mindst = _value(tilgang, "gennemsnit", maal=maal, dimension="rammevilkaar", gruppe="mindst_favorable")
        for other in ("mellem", "mest_favorable"):
            assert mindst < _value(tilgang, "gennemsnit", maal=maal, dimension="rammevilkaar", gruppe=other)
    f_tro = R["bilag_44_forhold_tro"]  # more favourable rammevilkår, lower belief
    t = [_value(f_tro, "gennemsnit", dimension="rammevilkaar", gruppe=g) for g in ("mindst_favorable", "mellem",
                                                                                  "mest_favorable")]
    assert t[0] > t[1] > t[2]
    # belief in Hanne rises with an HKO, whatever her ydelse (Figur 20 -> 21)
    for y in ("kontanthjaelp", "dagpenge", "sygedagpenge", "ledighedsydelse"):
        assert _value(R["figur_21_hanne_med_hko"], ydelse=y, kategori="hoej_grad") > \
            _value(R["figur_20_hanne_uden_hko"], ydelse=y, kategori="gode_chancer")
    # the arms are randomised: about a quarter each
    assert S.resp["hanne"].value_counts(normalize=True).between(0.23, 0.27).all()
    viden = R["bilag_42_forhold_viden"]  # anciennitet raises knowledge (l.1119, l.1123)
    for maal in ("viden_hko", "viden_handicap", "erfaringsniveau"):
        assert _value(viden, "gennemsnit", maal=maal, dimension="anciennitet_3", gruppe="over_10_aar") > \
            _value(viden, "gennemsnit", maal=maal, dimension="anciennitet_3", gruppe="0-5_aar")


def test_the_tallies_differ_and_the_report_uses_the_weighted_kommune_level(results):
    S, R = results
    t = R["bilag_941_fire_opgoerelser"]
    t = t.loc[t["niveau"] == ALLE_CASE].set_index("vaegtning")
    assert t["andel"].round(4).nunique() == 4  # the choice matters on these data
    assert (t["n"] == 1163).all()               # n is unweighted respondents, whatever the tally
    assert (t["ci_nedre"] < t["andel"]).all() and (t["andel"] < t["ci_oevre"]).all()
    fig15 = _value(R["figur_15_screening"], kategori="ja")
    assert fig15 == pytest.approx(t.loc["kommune_vaegtet", "andel"])
    # the respondent-level tally is the plain share
    resp = S.resp
    assert t.loc["respondent", "andel"] == pytest.approx((resp["q12"] == 1).mean())


def test_a_selection_without_casekommuner_shows_all_casekommuner(default_data_dir, anvendelse):
    S = T.load_dir(default_data_dir, 2019, (101,), all_kommuner=False, anvendelse=anvendelse)  # København
    assert not S.har_casekommuner
    t = T.BUILDERS["figur_15_screening"](S)
    assert set(t["niveau"]) == {ALLE_CASE}
    k = T.BUILDERS["figur_16_screening_kommuner"](S)
    assert (k["valgt"] == "nej").all()


def test_the_generator_never_reads_the_report_targets():
    folder = Path(T.__file__).parent / "synth"
    for p in folder.rglob("*.py"):
        assert "report_targets" not in p.read_text(encoding="utf-8"), p


def test_ved_ikke_is_in_the_denominator_unless_told_otherwise(results):
    from hko_research.analyses.d2_medarbejdere import measures as M
    from hko_research.analyses.d2_medarbejdere.estimat import fordeling

    S, _ = results
    collapse = lambda s: M.sammenlaeg_5_3(s)  # noqa: E731
    kept = fordeling(S, "q7c", collapse, M.ORDER_5_3, maal="x")
    left_out = fordeling(S, "q7c", collapse, M.ORDER_5_3, maal="x", ved_ikke_i_naevner=False)
    kept, left_out = (t.loc[t["niveau"] == ALLE_CASE].set_index("kategori") for t in (kept, left_out))
    vi = int((S.resp["q7c"] == 6).sum())
    assert vi > 0 and "ved_ikke" not in left_out.index
    assert kept.loc["hoej", "n"] - left_out.loc["hoej", "n"] == vi
    assert left_out["andel"].sum() == pytest.approx(1.0) and kept["andel"].sum() == pytest.approx(1.0)
    assert left_out.loc["hoej", "andel"] > kept.loc["hoej", "andel"]
