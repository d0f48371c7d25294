"""The runner in the report's own setting (2019, all kommuner; the default run of tests/conftest.py),
notebooks 01 and 04: the run's reproduction.csv has a row for every delanalyse-1 and -4 target (or
the target is declared not computed, with its reason), at least 50 are compared, and at least 95
pct. of those are ok."""
from __future__ import annotations

import pytest

from hko_research.params import load_params
from hko_research.paths import PACKAGE_DIR, PARAMS_DIR
from hko_research.publishing import reproduction
from hko_research.publishing.targets import load_spec


@pytest.mark.slow
@pytest.mark.xdist_group("default_run")
def test_reproduction_csv_of_delanalyse_1_and_4(default_run):
    assert load_params(PARAMS_DIR / "default.yaml").is_report_setting
    result = default_run.result
    rows = [r for r in reproduction.read_csv(result.run_dir / "reproduction.csv") if r["id"].startswith(("d1_", "d4_"))]
    not_computed = {}
    for name in ("d1_strategi", "d4_interviews"):
        spec = load_spec(PACKAGE_DIR / "analyses" / name / "targets.yaml")
        not_computed |= {i: e["ikke_beregnet"] for i, e in spec.items() if "ikke_beregnet" in e}
    targets = {i for i in reproduction.load_targets() if i.startswith(("d1_", "d4_"))}
    assert len(targets) == 80 and {r["id"] for r in rows} == targets  # a row for every target
    skipped = {r["id"]: r["reason"] for r in rows if r["status"] == reproduction.STATUS_NOT_COMPUTED}
    assert set(skipped) == set(not_computed) and all(skipped[i].strip() for i in skipped)
    compared = [r for r in rows if r["status"] in (reproduction.STATUS_OK, reproduction.STATUS_DEVIATION)]
    ok = [r for r in compared if r["ok"]]
    failing = [(r["id"], r["report_value"], r["pipeline_value"]) for r in compared if not r["ok"]]
    print(f"\nd1+d4: {len(compared)} compared, {len(ok)} ok; failing: {failing}")
    assert len(compared) >= 50 and len(ok) / len(compared) >= 0.95, failing
    conflicts = reproduction.load_conflicts()
    assert all(conflicts[r["id"]]["begrundelse"].strip() and r["reason"]
               for r in rows if r["status"] == reproduction.STATUS_CONFLICT)
    by_id = {r["id"]: r for r in rows}
    # chapter 3's organisation counts: the declared 13/4/3 (hko_research.typologi), shown as conflicts
    assert by_id["d1_s341_specialiseret_team_count"]["pipeline_value"] == 13
    assert by_id["d1_s341_specialiseret_team_count"]["status"] == reproduction.STATUS_CONFLICT
    assert by_id["d1_s343_generel_specialisering_count"]["status"] == reproduction.STATUS_OK
    assert by_id["d1_s344_bornholm_indbyggere"]["pipeline_value"] == 39611  # real FOLK1A, 2019K4
    assert by_id["d4_s622_selvstaendige_antal"]["pipeline_value"] == 11
    assert by_id["d4_s622_selvstaendige_landmaend"]["status"] == reproduction.STATUS_SUPPRESSED  # 4 farmers < 5
    assert by_id["d4_s623_arbejdsgivere_fastholde"]["pipeline_value"] == pytest.approx(19 / 24)
    assert (result.run_dir / "html" / "01_prioritering_organisering.html").exists()
    assert (result.run_dir / "html" / "04_borger_virksomhed.html").exists()
