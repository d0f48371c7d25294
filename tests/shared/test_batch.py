"""hko-research batch: grid expansion and validation, one pool and the cache, failure isolation,
the batch folder and its overview, and disclosure across combinations.

Runs use the fixture notebook tests/fixtures/batch/notebooks/b1_kategorier.ipynb (it publishes
"Valgte kommuner" and "Hele landet" counts of two categories from counts.csv, like the real
notebooks' level tables, and fails when $HKO_BATCH_FIXTURE_FEJL names its run) and a fake
validator; the comparison table uses a fixture headline (share of category a) so the numbers can
be computed by hand. One test uses delanalyse 3 on the synthetic data for the real headline.
"""
from __future__ import annotations

import contextlib
import io
import itertools
import json
import re
import time
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from hko_research import batch as B
from hko_research import params as P
from hko_research import runner
from hko_research.kommuner import kommunekoder, region_kommuner

FIXTURES = Path(__file__).parents[1] / "fixtures" / "batch"
NOTEBOOKS = FIXTURES / "notebooks"
COUNTS = pd.read_csv(FIXTURES / "data" / "counts.csv")
OEST, VEST = [101, 147], [461, 751]
DRAGOER = 155

pytestmark = pytest.mark.xdist_group("batch")


class FakeReport:
    ok = True

    def to_text(self):
        return "Validering: alle input er i orden."

    def summary(self):
        return {"ok": True, "inputs": [{"name": "counts", "file": "counts.csv", "rows": len(COUNTS), "failures": 0}]}


def fake_validate(params):
    return FakeReport()


def fixture_counts(data_dir, year):
    df = pd.read_csv(Path(data_dir) / "counts.csv")
    df["i_alt"] = df["a"] + df["b"]
    return df


FIXTURE_HEADLINE = B.Headline("fixture", fixture_counts,
                              (B.Measure("andel_a", "Andel i kategori a", "a", antal="a", n="i_alt",
                                         definition="Andel a: kategori a blandt a og b", enhed="i alt"),))


@pytest.fixture(autouse=True)
def fixture_notebooks(monkeypatch):
    """The batch validates notebook names against the registry; here the fixture notebook is it."""
    monkeypatch.setattr(P, "available_notebooks", lambda: ("b1_kategorier",))


def write_grid(path: Path, data: Path, out: Path, grid: dict, **extra) -> Path:
    import yaml

    path.write_text(yaml.safe_dump({"data_dir": str(data), "output_dir": str(out), **extra, "grid": grid},
                                   allow_unicode=True, sort_keys=False), encoding="utf-8")
    return path


def do_batch(paths, *, headline=FIXTURE_HEADLINE, **kw):
    spec = B.load_batch([str(p) for p in paths])
    buf = io.StringIO()
    with contextlib.redirect_stdout(buf):
        result = B.run_batch(spec, jobs=2, progress=False, notebooks_dir=NOTEBOOKS, validate=fake_validate,
                             headline=headline, **kw)
    return result, buf.getvalue().splitlines()


def published_counts(folder: Path) -> list[tuple[str, frozenset, str, float | None]]:
    """An independent reader of a batch folder: every 'Valgte kommuner'/'Hele landet' count of the
    fixture table and every comparison count, as (quantity, kommuner, year, value or None)."""
    out = []
    for run in sorted(p for p in folder.iterdir() if p.is_dir()):
        params = json.loads((run / "manifest.json").read_text())["params"]
        for f in (run / "tables").glob("*.csv"):
            for _, r in pd.read_csv(f, dtype=str).iterrows():
                pop = frozenset(params["kommuner"]) if r["niveau"] == "Valgte kommuner" else frozenset(kommunekoder())
                out.append((r["kategori"], pop, params["year"], None if r["antal"] == "undertrykt" else float(r["antal"])))
    csv = folder / "sammenligning.csv"
    if csv.exists():
        m = json.loads((folder / "manifest.json").read_text())
        sel = {c["name"]: frozenset(c["params"]["kommuner"]) for c in m["combinations"]}
        for _, r in pd.read_csv(csv, dtype=str).iterrows():
            for col, q in (("antal", "a"), ("n", "i_alt")):
                out.append((q, sel[r["kombination"]], int(r["aar"]), None if r[col] == "undertrykt" else float(r[col])))
    return out


def determined(shown: list[frozenset], target: frozenset) -> bool:
    """Is the count of ``target`` a linear combination of the shown totals (numpy rank test)?"""
    universe = sorted(set().union(target, *shown))
    A = np.array([[k in s for k in universe] for s in shown], float).reshape(len(shown), len(universe))
    t = np.array([[k in target for k in universe]], float)
    return np.linalg.matrix_rank(np.vstack([A, t])) == np.linalg.matrix_rank(A)


# ---- grid expansion and validation (nothing runs) ---------------------------------------------------

def test_grid_expands_in_order_with_names_and_labels(tmp_path):
    grid = write_grid(tmp_path / "regioner.yaml", FIXTURES / "data", tmp_path / "out",
                      {"year": [2019, 2020], "kommuner": {"Øst": OEST, "Hovedstaden": "region:Hovedstaden"}})
    spec = B.load_batch([grid])
    assert spec.name == "regioner" and spec.output_dir == (tmp_path / "out").resolve()
    assert [c.name for c in spec.combinations] == ["2019-oest", "2019-hovedstaden", "2020-oest", "2020-hovedstaden"]
    assert spec.combinations[1].label == "2019 · Hovedstaden"
    c = spec.combinations[3].params
    assert c.year == 2020 and c.kommuner == tuple(sorted(region_kommuner("Hovedstaden"))) and c.min_cell_size == 5
    # a plain params file next to a grid file: one combination each; grid names get the file's prefix
    plain = tmp_path / "enkelt.yaml"
    plain.write_text(f"year: 2019\nkommuner: [751]\ndata_dir: {FIXTURES / 'data'}\noutput_dir: {tmp_path / 'out'}\n")
    spec = B.load_batch([plain, grid])
    assert [c.name for c in spec.combinations][:2] == ["enkelt", "regioner-2019-oest"] and spec.name == "batch"
    # list selections without names get a readable name
    lists = write_grid(tmp_path / "l.yaml", FIXTURES / "data", tmp_path / "out", {"kommuner": [OEST, "alle"]},
                       year=2019)
    assert [c.name for c in B.load_batch([lists]).combinations] == ["kommuner-101-147", "alle"]


def test_invalid_combination_is_named_before_anything_runs(tmp_path, capsys):
    out = tmp_path / "out"
    grid = write_grid(tmp_path / "g.yaml", FIXTURES / "data", out,
                      {"year": [2019, 2021], "kommuner": {"Øst": OEST, "Vest": VEST}})
    with pytest.raises(B.BatchError) as err:
        B.load_batch([grid])
    text = str(err.value)
    assert "2 of 4 combinations are invalid" in text
    for name in ("2021-oest", "2021-vest"):
        assert re.search(rf"combination {name} \(year 2021, kommuner .*\):\n\s+- year 2021 is not covered", text), text
    assert "2019-oest" not in text and "covered years: 2019, 2020" in text
    # the command: exit 2, the message on stderr, nothing written (no folder, no cache, no report)
    from hko_research.cli import main

    assert main(["batch", "-p", str(grid), "--no-progress"]) == 2
    assert "2021-vest" in capsys.readouterr().err
    assert not out.exists()


def test_inputs_of_every_combination_are_validated_before_anything_runs(tmp_path):
    """A combination whose inputs fail validation stops the whole batch before any notebook runs:
    one report next to the batch folders names it; no batch folder, nothing executed."""
    class Bad(FakeReport):
        ok = False

        def to_text(self):
            return "counts.csv | antal | ge(0) | række 3 | værdi -1"

    out = tmp_path / "out"
    grid = write_grid(tmp_path / "g.yaml", FIXTURES / "data", out, {"year": [2019, 2020], "kommuner": {"Øst": OEST}})
    spec = B.load_batch([grid])
    with contextlib.redirect_stdout(io.StringIO()):
        result = B.run_batch(spec, progress=False, notebooks_dir=NOTEBOOKS, headline=None,
                             validate=lambda p: Bad() if p.year == 2020 else FakeReport())
    assert result.exit_code == 1 and result.batch_dir.is_file()
    assert re.fullmatch(r"validering-g-\d{8}-\d{6}\.txt", result.batch_dir.name)
    text = result.batch_dir.read_text(encoding="utf-8")
    assert "1 af 2 kombinationer" in text and "Kombination 2020-oest" in text and "række 3" in text
    assert "2019-oest" not in text
    assert sorted(p.name for p in out.iterdir()) == [".cache", result.batch_dir.name]
    assert not (out / ".cache" / "notebooks").exists()


@pytest.mark.parametrize("body, message", [
    ("year: [2019, 2020]\nkommuner: alle\n", "year is a list; a batch varies parameters under 'grid:'"),
    ("year: 2019\ngrid:\n  data_dir: [a, b]\n", "grid.data_dir cannot vary"),
    ("kommuner: alle\ngrid:\n  year: 2019\n", "grid.year must be a non-empty list"),
    ("year: 2019\ngrid:\n  kommuner: [101, 147]\n", "grid.kommuner lists kommune sets"),
    ("year: 2019\ngrid:\n  kommuner: [alle, alle]\n", "the name 'alle' is used twice"),
    ("year: 2019\ngrid:\n  kommuner: {A: alle, B: alle}\n", "the same parameters as a (kommuner alle)"),
    ("kommuner: alle\ngrid:\n  year: [2019]\n  kommuner: [alle]\n", "kommuner is given both in grid and outside it"),
])
def test_batch_file_mistakes_get_a_clear_message(tmp_path, body, message):
    f = tmp_path / "b.yaml"
    f.write_text(body + f"data_dir: {FIXTURES / 'data'}\noutput_dir: {tmp_path}\n", encoding="utf-8")
    with pytest.raises(B.BatchError, match=re.escape(message)):
        B.load_batch([f])


def test_publisher_conventions_are_the_ones_batch_repeats():
    from hko_research.publishing import publisher

    assert (B.SUPPRESSED_MARK, B.CSV_FLOAT_FORMAT, B.SYNTHETIC_COLUMN) == (
        publisher.SUPPRESSED_MARK, publisher.CSV_FLOAT_FORMAT, publisher.SYNTHETIC_COLUMN)


# ---- the span: which sets follow from published totals ---------------------------------------------

def _sets(pops, values=None):
    atoms, vecs = B._atoms(pops)
    span = B.Span(vecs, len(atoms), values=values)
    return {frozenset().union(*(a for a, x in zip(atoms, v) if x)): val for v, val in span.sets()}


def test_span_finds_differences_of_nested_chains_and_complements_but_not_overlaps():
    a, b, c = frozenset({1, 2, 3, 4}), frozenset({1, 2, 3}), frozenset({1, 2})
    found = _sets([a, b, c], values=[40, 37, 30])
    assert found[frozenset({4})] == 3 and found[frozenset({3})] == 7 and found[frozenset({3, 4})] == 10
    assert found[a] == 40 and found[frozenset({1, 2, 4})] == 33  # a - b + c: a chain's alternating sum
    assert len(found) == 7  # a, b, c, the three differences and the alternating sum
    # two disjoint regions and the country: the rest of the country follows
    h, nj, land = frozenset({1, 2}), frozenset({3}), frozenset({1, 2, 3, 4, 5})
    assert _sets([h, nj, land], values=[10, 6, 19])[frozenset({4, 5})] == 3
    # overlapping, not nested: their difference is no set (a - c is not a count of anyone)
    assert set(_sets([frozenset({1, 2}), frozenset({2, 3})])) == {frozenset({1, 2}), frozenset({2, 3})}
    # inconsistent values (the cells do not measure the same thing) are recognised
    atoms, vecs = B._atoms([b, b])
    assert not B.Span(vecs, len(atoms), values=[5, 6]).consistent


def test_guard_breaks_chains_and_never_leaves_a_small_set_determined():
    """Three nested selections each adding a small kommune, plus the country: after the guard no
    set of kommuner with a count of 1-4 is a linear combination of the shown cells (brute force
    over every subset of the kommuner, independent of the guard's own enumeration)."""
    truth = {(k, 2019): v for k, v in {1: 50, 2: 40, 3: 2, 4: 3, 5: 30, 6: 1}.items()}
    pops = [frozenset((k, 2019) for k in s) for s in ({1, 2, 3, 4}, {1, 2, 3}, {1, 2}, {1, 2, 6})]
    cells = [B._Cell((i, "g"), p, B._set_value(truth, p)) for i, p in enumerate(pops)]
    everyone = frozenset(truth)
    cells.append(B._Cell(None, everyone, B._set_value(truth, everyone)))
    masked = B.cross_combination_guard({"q": (cells, truth)}, 5)
    shown = [c.population for c in cells if c.owner is None or c.owner not in masked]
    assert masked and len(shown) >= 2  # something masked, something still shown
    elements = sorted(everyone)
    for r in range(1, len(elements) + 1):
        for sub in itertools.combinations(elements, r):
            v = B._set_value(truth, sub)
            if 0 < v < 5:
                assert not determined(shown, frozenset(sub)), sub
    # the mutation check: without the guard the chain reveals kommune 4's count (3)
    assert determined(pops + [everyone], frozenset({(4, 2019)}))


def test_guard_bounds_atoms_by_inequalities():
    """Nothing follows exactly, but counts are >= 0: with the country's {2, 3} = 4 published
    (a total the guard cannot hide), {1, 2} = 7 puts kommune 1 in [3, 7], fewer than 5 values."""
    truth = {1: 3, 2: 4, 3: 0}
    a = B._Cell((0, "g"), frozenset({1, 2}), 7)
    pinned = B._Cell(None, frozenset({2, 3}), 4)
    atoms, vecs = B._atoms([a.population, pinned.population])
    assert frozenset({1}) not in {frozenset().union(*(x for x, y in zip(atoms, v) if y))
                                  for v, _ in B.Span(vecs, len(atoms)).sets()}  # not exact
    assert B.cross_combination_guard({"q": ([a, pinned], truth)}, 5) == {(0, "g"): "interval"}
    a2, pinned2 = B._Cell((0, "g"), frozenset({1, 2}), 11), B._Cell(None, frozenset({2, 3}), 9)
    assert B.cross_combination_guard({"q": ([a2, pinned2], {1: 6, 2: 5, 3: 4})}, 5) == {}  # 3 lies in [0, 9]


# ---- the runs' own tables: the audit ---------------------------------------------------------------

def _fake_run(folder: Path, rows: list[tuple[str, str, str]]) -> Path:
    (folder / "tables").mkdir(parents=True)
    (folder / "tables" / "tabel_x.csv").write_text(
        "niveau,kategori,antal\n" + "".join(f"{n},{k},{v}\n" for n, k, v in rows), encoding="utf-8")
    return folder


def _combos(tmp_path, *selections, years=None):
    spec = []
    for i, sel in enumerate(selections):
        p = P.validate_params({"year": (years or [2019] * len(selections))[i], "kommuner": sel,
                               "data_dir": str(FIXTURES / "data"), "output_dir": str(tmp_path)}, name=f"k{i}")
        spec.append(B.Combination(f"k{i}", f"k{i}", {}, p, "x.yaml"))
    return spec


def test_audit_finds_nested_differences_and_recovered_cells_only(tmp_path):
    h = sorted(region_kommuner("Hovedstaden"))
    combos = _combos(tmp_path, h, [k for k in h if k != DRAGOER], VEST, years=[2019, 2019, 2019])
    r0 = _fake_run(tmp_path / "r0", [("Valgte kommuner", "a", "193"), ("Hele landet", "a", "393")])
    r1 = _fake_run(tmp_path / "r1", [("Valgte kommuner", "a", "190"), ("Hele landet", "a", "393")])
    found = B.audit_runs([(0, r0), (1, r1)], combos, 5)
    assert [(f.kind, f.kommuner, f.combos) for f in found] == [("forskel", (DRAGOER,), (0, 1))]
    assert "Dragør (155)" in found[0].text(combos)
    # disjoint selections: the rest of the country is large -> nothing; a small rest is found
    r2 = _fake_run(tmp_path / "r2", [("Valgte kommuner", "a", "140"), ("Hele landet", "a", "393")])
    assert B.audit_runs([(0, r0), (2, r2)], combos, 5) == []
    r3 = _fake_run(tmp_path / "r3", [("Valgte kommuner", "a", "197"), ("Hele landet", "a", "393")])
    assert [f.kind for f in B.audit_runs([(0, r0), (2, r3)], combos, 5)] == ["forskel"]
    # a cell one run suppresses and another run shows is recovered
    same = _combos(tmp_path, VEST, VEST, years=[2019, 2020])
    s0 = _fake_run(tmp_path / "s0", [("Valgte kommuner", "Bevilget i 2019", "undertrykt")])
    s1 = _fake_run(tmp_path / "s1", [("Valgte kommuner", "Bevilget i 2019", "7")])
    assert [f.kind for f in B.audit_runs([(0, s0), (1, s1)], same, 5)] == ["genskabt"]
    # ...but a row without a year belongs to its run's year: 2019 and 2020 are not the same cell
    t0 = _fake_run(tmp_path / "t0", [("Valgte kommuner", "I alt", "undertrykt")])
    t1 = _fake_run(tmp_path / "t1", [("Valgte kommuner", "I alt", "7")])
    assert B.audit_runs([(0, t0), (1, t1)], same, 5) == []


# ---- running batches with the fixture notebook -------------------------------------------------------

@pytest.fixture(scope="module")
def grid_runs(tmp_path_factory):
    """A 2 x 2 grid three times in one output folder: first with one failing combination, then
    fixed (only that one executes), then again (everything from the cache)."""
    mp = pytest.MonkeyPatch()
    mp.setattr(P, "available_notebooks", lambda: ("b1_kategorier",))
    tmp = tmp_path_factory.mktemp("grid")
    grid = write_grid(tmp / "regioner.yaml", FIXTURES / "data", tmp / "out",
                      {"year": [2019, 2020], "kommuner": {"Øst": OEST, "Vest": VEST}})
    pools = []
    real = runner._execute_parallel

    def counting(tasks, **kw):
        pools.append([t["label"] for t in tasks])
        return real(tasks, **kw)

    mp.setattr(runner, "_execute_parallel", counting)
    mp.setenv("HKO_BATCH_FIXTURE_FEJL", "2020:751")
    runs = {}
    t0 = time.perf_counter()
    runs["failing"] = (*do_batch([grid]), time.perf_counter() - t0)
    mp.delenv("HKO_BATCH_FIXTURE_FEJL")
    for key in ("fixed", "cached"):
        t0 = time.perf_counter()
        runs[key] = (*do_batch([grid]), time.perf_counter() - t0)
    mp.undo()
    return tmp, grid, runs, pools


@pytest.mark.slow
def test_failing_combination_leaves_the_other_three_with_an_error_page(grid_runs):
    tmp, _, runs, pools = grid_runs
    result, lines, _ = runs["failing"]
    assert result.exit_code == 1
    status = {r.combination.name: r.status for r in result.combinations}
    assert status == {"2019-oest": "ok", "2019-vest": "ok", "2020-oest": "ok", "2020-vest": "fejlet"}
    d = result.batch_dir
    assert (d / "2020-vest" / "html" / "b1_kategorier_fejl.html").exists()
    assert "Bevidst fejl i batch-fixturen" in (d / "2020-vest" / "html" / "b1_kategorier_fejl.html").read_text()
    assert not (d / "2020-vest" / "tables").exists() or not list((d / "2020-vest" / "tables").iterdir())
    for name in ("2019-oest", "2019-vest", "2020-oest"):
        assert (d / name / "tables" / "tabel_b1_kategorier.csv").exists()
    html = (d / "index.html").read_text(encoding="utf-8")
    assert 'id="fejl-opsummering"' in html and 'href="2020-vest/html/b1_kategorier_fejl.html"' in html
    assert re.search(r'id="komb-2020-vest" data-status="fejlet"', html)
    assert "2020-vest: fejlet" in "\n".join(lines) and lines[-1] == str(d)
    # one pool for the whole batch: every combination's notebook in one call (one progress bar)
    assert sorted(pools[0]) == ["2019-oest/b1_kategorier", "2019-vest/b1_kategorier", "2020-oest/b1_kategorier",
                                "2020-vest/b1_kategorier"]
    # the fixed rerun executes only the failed combination; the cached one executes nothing
    assert pools[1] == ["2020-vest/b1_kategorier"] and len(pools) == 2


@pytest.mark.slow
def test_two_by_two_grid_links_all_four_runs_and_compares_their_measures(grid_runs):
    tmp, _, runs, _ = grid_runs
    result, lines, _ = runs["fixed"]
    d = result.batch_dir
    assert result.exit_code == 0 and re.fullmatch(r"regioner-\d{8}-\d{6}(-\d+)?", d.name)
    assert sorted(p.name for p in d.iterdir()) == ["2019-oest", "2019-vest", "2020-oest", "2020-vest", "index.html",
                                                   "manifest.json", "sammenligning.csv"]
    html = (d / "index.html").read_text(encoding="utf-8")
    for name in ("2019-oest", "2019-vest", "2020-oest", "2020-vest"):
        assert f'href="{name}/index.html"' in html
        run_index = (d / name / "index.html").read_text(encoding="utf-8")
        assert "b1_kategorier" in run_index  # each is a complete run folder
        assert re.search(r'id="batch-link">[^<]*<code>regioner</code>: <a href="\.\./index\.html">', run_index)
        assert json.loads((d / name / "manifest.json").read_text())["params"]["name"] == name
    for ref in re.findall(r'(?:href|src)="([^"#:]+)"', html):
        assert (d / ref).exists(), ref
    assert "Syntetiske data" in html and "http://" not in html and "https://" not in html
    # the comparison, computed by hand from counts.csv: category a among a + b
    for name, year, sel in (("2019-oest", 2019, OEST), ("2020-vest", 2020, VEST)):
        rows = COUNTS[(COUNTS.aar == year) & COUNTS.kommunekode.isin(sel)]
        a, n = int(rows.a.sum()), int(rows.a.sum() + rows.b.sum())
        row = re.search(rf'<tr id="sml-{name}">(.*?)</tr>', html, re.S).group(1)
        pct = f"{100 * a / n:.1f}".replace(".", ",")
        assert pct in row and f"{a} af {n} i alt" in row, (row, pct)
    csv = pd.read_csv(d / "sammenligning.csv")
    assert list(csv.kombination) == ["2019-oest", "2019-vest", "2020-oest", "2020-vest"]
    assert csv.loc[0, "antal"] == 160 and csv.loc[0, "n"] == 400 and csv.loc[0, "andel"] == pytest.approx(0.4)
    assert (csv.ci_nedre < csv.andel).all() and (csv.andel < csv.ci_oevre).all()
    assert (csv.datagrundlag == "Syntetiske data").all()
    assert "Ingen tal er undertrykt" in html
    m = json.loads((d / "manifest.json").read_text())
    assert [c["status"] for c in m["combinations"]] == ["genbrugt fra cache", "genbrugt fra cache",
                                                        "genbrugt fra cache", "ok"]
    assert m["outputs"]["sammenligning.csv"] and m["disclosure"] == {"withheld": [], "findings": 0}
    assert not [p.name for p in (tmp / "out").iterdir() if ".tmp-" in p.name]


@pytest.mark.slow
def test_second_invocation_reuses_the_cache_and_the_overview_is_deterministic(grid_runs):
    _, _, runs, _ = grid_runs
    fixed, _, t_fixed = runs["fixed"]
    cached, lines, t_cached = runs["cached"]
    failing_t = runs["failing"][2]
    assert cached.exit_code == 0
    assert {r.status for r in cached.combinations} == {"genbrugt fra cache"}
    assert all(nb.seconds < 0.5 for r in cached.combinations for nb in r.notebooks)
    assert cached.headline_cached is True and "0 notebooks køres, 4 genbruges fra cache" in "\n".join(lines)
    print(f"\nbatch timings: first (4 notebooks) {failing_t:.1f} s, fixed (1 notebook) {t_fixed:.1f} s, "
          f"cached {t_cached:.1f} s")
    a, b = fixed.batch_dir, cached.batch_dir
    assert (a / "sammenligning.csv").read_bytes() == (b / "sammenligning.csv").read_bytes()
    for name in ("2019-oest", "2020-vest"):
        assert (a / name / "tables" / "tabel_b1_kategorier.csv").read_bytes() == \
               (b / name / "tables" / "tabel_b1_kategorier.csv").read_bytes()

    def stable(p):  # times and cache status vary, nothing else
        t = p.read_text(encoding="utf-8")
        t = re.sub(r"Oprettet [0-9: -]+", "", t)
        t = re.sub(r'<td class="num">[0-9.]+</td>\s*<td>1(, 1 fra cache)?</td>', "", t)
        return re.sub(r'(data-status="|class="status-)[a-z ]+"', "", re.sub(r">(ok|genbrugt fra cache)<", "><", t))
    assert stable(a / "index.html") == stable(b / "index.html")


@pytest.mark.slow
def test_nested_selections_withhold_a_run_whose_tables_reveal_a_small_kommune(grid_runs):
    """Øst and Øst + Dragør (3 in category a): each run's table shows its 'Valgte kommuner' count;
    side by side they would give Dragør's 3. The batch withholds one run; nothing published in the
    batch folder determines Dragør's count, and the details stay outside the folder."""
    tmp, _, _, _ = grid_runs
    nested = write_grid(tmp / "dragoer.yaml", FIXTURES / "data", tmp / "out",
                        {"kommuner": {"Øst": OEST, "Øst med Dragør": OEST + [DRAGOER]}}, year=2019)
    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(P, "available_notebooks", lambda: ("b1_kategorier",))
        result, lines = do_batch([nested])
    assert result.exit_code == 1
    status = {r.combination.name: r.status for r in result.combinations}
    assert status["oest"] in ("ok", "genbrugt fra cache") and status["oest-med-dragoer"] == "tilbageholdt"
    d = result.batch_dir
    assert not (d / "oest-med-dragoer").exists()
    html = (d / "index.html").read_text(encoding="utf-8")
    box = re.search(r'<div class="warn-box" id="tilbageholdt">(.*?)</div>', html, re.S).group(1)
    assert "oest-med-dragoer" in box and "Dragør" not in box and "155" not in box  # why stays outside
    report = next((tmp / "out").glob("diskretion-dragoer-*.txt"))
    assert "Dragør (155)" in report.read_text(encoding="utf-8") and report.parent != d
    pubs = published_counts(d)
    shown = [pop for q, pop, year, v in pubs if q == "a" and year == 2019 and v is not None]
    assert shown and not determined(shown, frozenset({DRAGOER}))
    assert not any(pop == frozenset(OEST + [DRAGOER]) for _, pop, _, _ in pubs)


@pytest.mark.slow
def test_comparison_guard_suppresses_the_difference_of_nested_selections(grid_runs):
    """No notebook publishes the selections' counts (notebooks: []), so only the comparison table
    could: one of the two rows is suppressed, the note says why, Dragør's count follows from nothing
    in the folder; with the guard switched off it would (the mutation check)."""
    tmp, _, _, _ = grid_runs
    f = write_grid(tmp / "kun_sammenligning.yaml", FIXTURES / "data", tmp / "out",
                   {"kommuner": {"Øst": OEST, "Øst med Dragør": OEST + [DRAGOER]}}, year=2019, notebooks=[])
    result, _ = do_batch([f])
    assert result.exit_code == 0
    d = result.batch_dir
    csv = pd.read_csv(d / "sammenligning.csv", dtype=str)
    assert sorted(csv.antal.tolist()).count("undertrykt") == 1 and (csv.n == "undertrykt").sum() == 1
    masked = csv.loc[csv.antal == "undertrykt"].iloc[0]
    assert masked.andel == masked.ci_nedre == masked.ci_oevre == "undertrykt"
    html = (d / "index.html").read_text(encoding="utf-8")
    assert html.count('title="undertrykt">·</td>') == 1 and "forskellen mellem overlappende udvalg" in html
    # the attacker: every shown count in the folder, and the national totals the runs could publish
    nation = frozenset(kommunekoder())
    shown = [pop for q, pop, _, v in published_counts(d) if q == "a" and v is not None] + [nation]
    assert not determined(shown, frozenset({DRAGOER}))
    # mutation: without the cross-combination step both rows are shown and Dragør follows
    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(B, "cross_combination_guard", lambda q, k, masked=None: dict(masked or {}))
        off, _ = do_batch([f])
    shown = [pop for q, pop, _, v in published_counts(off.batch_dir) if q == "a" and v is not None]
    assert determined(shown, frozenset({DRAGOER}))
    vals = {pop: v for q, pop, _, v in published_counts(off.batch_dir) if q == "a"}
    assert vals[frozenset(OEST + [DRAGOER])] - vals[frozenset(OEST)] == 3


# ---- the real headline: delanalyse 3 on the synthetic data ----------------------------------------

@pytest.mark.slow
def test_d3_headline_matches_delanalyse_3_and_guards_hovedstaden_without_dragoer(default_data_dir, tmp_path):
    """The headline counts per kommune add up to delanalyse 3's own published quantities (Tabel 13d
    perspektiv counts, the trend table's grants and anvendelsesgrad) for a selection; with
    min_cell_size 12, Dragør's 10 PA+HM grants in 2019 are a small cell, and Hovedstaden next to
    Hovedstaden without Dragør must not show it."""
    import dataclasses

    from hko_research.analyses.d3_brug import maalgruppe, omfang
    from hko_research.analyses.d3_brug.load import load_dir

    b = load_dir(default_data_dir, 2019, kommunekoder(), all_kommuner=True)
    counts = B.d3_counts_from(b)
    h = tuple(sorted(region_kommuner("Hovedstaden")))
    bh = dataclasses.replace(b, kommuner=h, all_kommuner=False)
    sel = counts.loc[counts.kommunekode.isin(h)]
    trend = omfang.trend(bh)
    t = trend.loc[(trend.niveau == "Valgte kommuner") & (trend.aar == 2019)].iloc[0]
    assert int(sel.loc[sel.aar == 2019, "bevillinger_pa_hm"].sum()) == t.antal_pa + t.antal_hm
    assert int(sel.loc[sel.aar == 2019, "bevillinger_pa_hm"].sum()) / sel.loc[sel.aar == 2019, "befolkning"].sum() \
        == pytest.approx(t.anvendelsesgrad)
    yd = maalgruppe.ydelsesforhold(bh, ordninger=("pa", "hm"))
    for o, navn in (("pa", "Personlig assistance"), ("hm", "Hjælpemidler")):
        for kat in ("fastholdelse", "rekruttering"):
            r = yd.loc[(yd.niveau == "Valgte kommuner") & (yd.ordning == navn) & (yd.tema == "perspektiv")
                       & (yd.kategori == kat)].iloc[0]
            assert int(sel[f"{kat}_{o}"].sum()) == r.antal and int(sel[f"kendt_{o}"].sum()) == r.n
    assert int(counts.loc[(counts.kommunekode == DRAGOER) & (counts.aar == 2019), "bevillinger_pa_hm"].iloc[0]) == 10

    combos = []
    for name, spec in (("hovedstaden", "region:Hovedstaden"), ("uden-dragoer", [k for k in h if k != DRAGOER])):
        p = P.validate_params({"year": 2019, "kommuner": spec, "data_dir": str(default_data_dir),
                               "output_dir": str(tmp_path), "min_cell_size": 12}, name=name)
        combos.append(B.Combination(name, name, {}, p, "x.yaml"))
    rows, reasons, k = B.protect_comparison(combos, B.D3_HEADLINE, {(str(default_data_dir), 2019): counts})
    assert k == 12 and reasons.get("forskel")
    anv = [r for r in rows if r["measure"].key == "anvendelsesgrad"]
    assert [r["masked"] for r in anv].count(True) == 1
    # the attacker: shown anvendelsesgrad counts of 2019 plus the national total; Dragør's 2019
    # grants must not follow, and no other small set either
    shown = [frozenset(combos[r["combo"]].params.kommuner) for r in anv if not r["masked"]] + [frozenset(kommunekoder())]
    assert not determined(shown, frozenset({DRAGOER}))
    assert determined([frozenset(c.params.kommuner) for c in combos], frozenset({DRAGOER}))  # without the guard
    csv = B._comparison_csv(combos, rows).decode()
    assert csv.count("undertrykt") >= 4 and "Syntetiske data" in csv


@pytest.mark.slow
def test_d5_headline_counts_are_delanalyse_5s_outcomes_for_a_selection(default_data_dir):
    """The batch's fastholdelse and øgede-løntimer counts per kommune add up, for Hovedstaden, to
    delanalyse 5's own "Valgte kommuner" row (7 intro, computed by another path: levels and share
    rows over the persons); the year before carries none (the outcomes pool both years); the
    default headline compares them."""
    from types import SimpleNamespace

    from hko_research.analyses.d3_brug.load import load_dir
    from hko_research.analyses.d5_tvaergaaende import grupper
    from hko_research.analyses.d5_tvaergaaende import load as d5_load

    counts = B.hko_counts(default_data_dir, 2019)
    h = tuple(sorted(region_kommuner("Hovedstaden")))
    b = load_dir(default_data_dir, 2019, kommunekoder(), all_kommuner=True)
    run = SimpleNamespace(data_dir=default_data_dir, year=2019, kommuner=h, all_kommuner=False)
    nat = grupper.udfald_national(d5_load.from_parts(run, b, None, None))
    sel = counts.loc[counts.kommunekode.isin(h) & (counts.aar == 2019)]
    for o, navn in (("pa", "Personlig assistance"), ("hm", "Hjælpemidler")):
        for maal, col in (("fastholdelse", "fastholdelse"), ("oegede", "oeget")):
            r = nat.loc[(nat.niveau == "Valgte kommuner") & (nat.ordning == navn) & (nat.maal == maal)].iloc[0]
            assert (int(sel[f"antal_{col}_{o}"].sum()), int(sel[f"n_{col}_{o}"].sum())) == (r.antal, r.n), (o, maal)
        assert (counts.loc[counts.aar == 2018, [f"n_fastholdelse_{o}", f"n_oeget_{o}"]] == 0).all().all()
    keys = {m.key for m in B.HKO_HEADLINE.measures}
    assert {"fastholdelse_loentimer_pa", "oegede_loentimer_pa", "fastholdelse_loentimer_hm", "oegede_loentimer_hm",
            "anvendelsesgrad"} <= keys
    # side by side, Hovedstaden and Hovedstaden without Dragør must not reveal Dragør's outcomes
    dragoer_n = int(counts.loc[(counts.kommunekode == DRAGOER) & (counts.aar == 2019), "n_fastholdelse_pa"].iloc[0])
    k = dragoer_n + 1
    combos = []
    for name, spec in (("hovedstaden", "region:Hovedstaden"), ("uden-dragoer", [x for x in h if x != DRAGOER])):
        p = P.validate_params({"year": 2019, "kommuner": spec, "data_dir": str(default_data_dir),
                               "output_dir": str(default_data_dir.parent), "min_cell_size": k}, name=name)
        combos.append(B.Combination(name, name, {}, p, "x.yaml"))
    rows, _, _ = B.protect_comparison(combos, B.HKO_HEADLINE, {(str(default_data_dir), 2019): counts})
    fh = [r for r in rows if r["measure"].key == "fastholdelse_loentimer_pa"]
    assert len(fh) == 2
    shown = [frozenset(combos[r["combo"]].params.kommuner) for r in fh if not r["masked"]] + [frozenset(kommunekoder())]
    assert not determined(shown, frozenset({DRAGOER}))
