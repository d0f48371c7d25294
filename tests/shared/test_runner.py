"""The runner: atomic run folders, error pages, validation gate, cache, index.html, manifest.json.

Runs use the tiny fixture notebooks in tests/fixtures/runner/notebooks (01_ok writes a table, a
figure and reproduction rows; 02_fejl writes half files and raises) and a fake validator, so these
tests do not depend on the real notebooks or the data contracts.
"""
from __future__ import annotations

import contextlib
import dataclasses
import io
import json
import re
import shutil
import signal
import subprocess
import sys
import time
from datetime import datetime
from importlib import metadata
from pathlib import Path

import pytest

from hko_research import runner
from hko_research.hashing import file_sha256
from hko_research.params import RunParams
from hko_research.paths import PROJECT_ROOT

FIXTURES = Path(__file__).parents[1] / "fixtures" / "runner"
NOTEBOOKS = FIXTURES / "notebooks"

pytestmark = pytest.mark.xdist_group("runner")


@dataclasses.dataclass
class FakeReport:
    ok: bool = True
    text: str = "Validering: alle input er i orden."

    def to_text(self) -> str:
        return self.text

    def summary(self) -> dict:
        return {"ok": self.ok, "n_failures": 0 if self.ok else 1,
                "inputs": [{"name": "tiny", "file": "tiny.csv", "rows": 3, "failures": 0 if self.ok else 1}],
                "checks_failed": [] if self.ok else [{"file": "tiny.csv", "column": "antal", "check": "ge(0)", "count": 1}]}


class FakeValidator:
    """Counts its calls; returns a passing or failing report."""

    def __init__(self, ok: bool = True, text: str | None = None):
        self.ok, self.text, self.calls = ok, text, 0

    def __call__(self, params):
        self.calls += 1
        return FakeReport(ok=self.ok, text=self.text or FakeReport.text)


def make_params(tmp: Path, *, notebooks=("01_ok", "02_fejl"), data_dir: Path | None = None, **changes) -> RunParams:
    if data_dir is None:
        data_dir = tmp / "data"
        if not data_dir.exists():
            shutil.copytree(FIXTURES / "data", data_dir)
    p = RunParams(year=2019, kommuner=(101, 147, 751), kommuner_spec="alle", data_dir=data_dir,
                  output_dir=tmp / "out", min_cell_size=5, notebooks=tuple(notebooks), name="fixture",
                  synthetic=True, covered_years=(2019,))
    return dataclasses.replace(p, **changes)


def do_run(params, *, validate=None, force=False, jobs=2, notebooks_dir=NOTEBOOKS):
    """Run and return (RunResult, printed stdout lines)."""
    buf = io.StringIO()
    with contextlib.redirect_stdout(buf):
        result = runner.run(params, jobs=jobs, force=force, progress=False, notebooks_dir=notebooks_dir,
                            validate=validate or FakeValidator())
    return result, buf.getvalue().splitlines()


@pytest.fixture
def stable_code_hash(monkeypatch):
    """Others edit src/ while tests run; pin the code hash so cache tests test the cache mechanics
    (the code hash's effect on the key is tested in test_cache_key_ignores_output_dir_but_not_...)."""
    monkeypatch.setattr(runner, "project_code_hash", lambda: "pinned-code-hash")
    return "pinned-code-hash"


def run_files(run_dir: Path) -> set[str]:
    return {p.relative_to(run_dir).as_posix() for p in run_dir.rglob("*") if p.is_file()}


def no_temp_leftovers(output_dir: Path) -> list[str]:
    return [p.name for p in output_dir.iterdir() if ".tmp-" in p.name or p.name == ".stage"]


# ---- a run with one good and one failing notebook (shared by several tests) ----------------------

@pytest.fixture(scope="module")
def mixed_run(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("mixed")
    params = make_params(tmp)
    result, lines = do_run(params)
    return params, result, lines


@pytest.mark.slow
def test_failing_notebook_keeps_the_others_and_leaves_no_half_files(mixed_run):
    params, result, lines = mixed_run
    run_dir = result.run_dir
    assert result.exit_code == 1
    assert run_dir.is_dir() and run_dir.parent == params.output_dir.resolve()
    assert re.fullmatch(r"fixture-\d{8}-\d{6}(-\d+)?", run_dir.name)
    assert lines[-1] == str(run_dir) and Path(lines[-1]).is_absolute()
    files = run_files(run_dir)
    # the good notebook's results are all there
    assert {"notebooks/01_ok.ipynb", "html/01_ok.html", "html/01_ok_fuld.html", "tables/tabel_1_fixture.csv",
            "figures/figur_1_fixture.png", "figures/figur_1_fixture.svg", "index.html", "manifest.json",
            "reproduction.csv"} <= files
    # the failing one has only its error page
    assert "html/02_fejl_fejl.html" in files
    assert not [f for f in files if "02_fejl" in f and f != "html/02_fejl_fejl.html"]
    assert not [f for f in files if "halv" in f]
    assert no_temp_leftovers(params.output_dir) == []
    # the source notebooks are never written to (no outputs, no injected parameters)
    assert sorted(p.name for p in NOTEBOOKS.iterdir()) == ["01_ok.ipynb", "02_fejl.ipynb", "03_langsom.ipynb"]
    assert all("injected-parameters" not in p.read_text() for p in NOTEBOOKS.iterdir())
    statuses = {r.name: r.status for r in result.notebooks}
    assert statuses == {"01_ok": "ok", "02_fejl": "fejlet"}
    # the failing notebook's reproduction row (satspulje=99) must not be merged
    repro = (run_dir / "reproduction.csv").read_text()
    assert "d0_s11_satspulje_initiativer,11,11," in repro and ",99," not in repro


@pytest.mark.slow
def test_error_page_shows_error_traceback_and_partial_notebook(mixed_run):
    _, result, _ = mixed_run
    page = (result.run_dir / "html" / "02_fejl_fejl.html").read_text(encoding="utf-8")
    assert "ValueError" in page and "Bevidst fejl i fixture-notebooken" in page
    assert "Traceback" in page and "\x1b[" not in page  # ANSI colour codes stripped
    assert "Syntetiske data" in page
    assert "srcdoc=" in page and "skrev halve filer" in page  # the partially executed notebook's output
    assert 'href="../index.html"' in page


@pytest.mark.slow
def test_index_html_lists_params_status_links_and_banner(mixed_run):
    params, result, _ = mixed_run
    run_dir = result.run_dir
    html = (run_dir / "index.html").read_text(encoding="utf-8")
    assert "<title>HKO-kortlægning – kørsel fixture</title>" in html
    assert "Syntetiske data" in html and 'data-synthetic="true"' in html
    assert "alle (3 kommuner)" in html
    assert str(params.data_dir) in html and "<td>2019</td>" in html and "<td>5</td>" in html
    assert re.search(r'id="nb-01_ok" data-status="ok"', html)
    assert re.search(r'id="nb-02_fejl" data-status="fejlet"', html)
    for href in ("html/01_ok.html", "html/01_ok_fuld.html", "notebooks/01_ok.ipynb", "html/02_fejl_fejl.html",
                 "tables/tabel_1_fixture.csv", "figures/figur_1_fixture.png", "figures/figur_1_fixture.svg",
                 "reproduction.csv", "manifest.json"):
        assert f'href="{href}"' in html, href
    # every relative link and image source exists in the run folder
    for ref in re.findall(r'(?:href|src)="([^"#:]+)"', html):
        assert (run_dir / ref).exists(), ref
    assert "http://" not in html and "https://" not in html  # loads offline
    assert "2 tal sammenlignet" in html and "1 inden for tolerancen" in html and "50 pct." in html
    assert "1 undertrykt" in html
    # tables grouped by the notebook that made them; a failed notebook has no group
    group = re.search(r'<details class="tabelgruppe" data-notebook="01_ok">(.*?)</details>', html, re.S)
    assert group and 'tabel_1_fixture: <a href="tables/tabel_1_fixture.csv">CSV</a>' in group.group(1)
    assert 'data-notebook="02_fejl"' not in html


def test_index_groups_tables_by_notebook_with_their_formats_side_by_side():
    tables = ["tables/a.csv", "tables/a.xlsx", "tables/b.csv", "tables/x.csv"]
    made_by = {"tables/a.csv": "03_brug", "tables/a.xlsx": "03_brug", "tables/b.csv": "00_data"}
    groups = runner._table_groups(tables, made_by, ["00_data", "01_tom", "03_brug"])
    assert [g["notebook"] for g in groups] == ["00_data", "03_brug", "øvrige"]  # run order; no empty group
    assert groups[1]["tables"] == [{"name": "a", "files": [{"format": "CSV", "path": "tables/a.csv"},
                                                            {"format": "XLSX", "path": "tables/a.xlsx"}]}]
    assert groups[2]["tables"][0]["name"] == "x"


@pytest.mark.slow
def test_exported_pages_hide_code_in_publication_version_and_carry_the_banner(mixed_run):
    _, result, _ = mixed_run
    pub = (result.run_dir / "html" / "01_ok.html").read_text(encoding="utf-8")
    full = (result.run_dir / "html" / "01_ok_fuld.html").read_text(encoding="utf-8")
    for page in (pub, full):
        assert "Syntetiske data" in page
        assert "data:image/png;base64" in page  # the figure is embedded
        assert not re.search(r'<script[^>]+src="https?://', page)  # no CDN scripts
        assert "Fixture-delanalyse" in page
    assert "DictReader" not in pub and "DictReader" in full
    assert "class=\"jp-InputPrompt" not in pub and "class=\"jp-InputPrompt" in full  # prompts hidden
    nb = json.loads((result.run_dir / "notebooks" / "01_ok.ipynb").read_text())
    injected = [c for c in nb["cells"] if "injected-parameters" in c.get("metadata", {}).get("tags", [])]
    assert injected and "output_dir" in "".join(injected[0]["source"])
    assert "total=650" in json.dumps(nb)


@pytest.mark.slow
def test_manifest_records_params_git_versions_hashes_timings(mixed_run):
    params, result, _ = mixed_run
    run_dir = result.run_dir
    m = json.loads((run_dir / "manifest.json").read_text(encoding="utf-8"))
    assert m["params"] == params.as_dict()
    head = subprocess.run(["git", "rev-parse", "HEAD"], cwd=PROJECT_ROOT, capture_output=True, text=True).stdout.strip()
    assert m["git"]["commit"] == head and isinstance(m["git"]["dirty"], bool)
    assert m["python"] == sys.version.split()[0]
    for pkg in ("pandas", "numpy", "pandera", "papermill", "nbconvert", "matplotlib", "seaborn", "statsmodels",
                "duckdb", "pyarrow"):
        assert m["packages"][pkg] == metadata.version(pkg)
    assert m["inputs"] == {p.name: file_sha256(p) for p in sorted(params.data_dir.iterdir())}
    files = run_files(run_dir) - {"manifest.json"}
    assert set(m["outputs"]) == files
    assert all(m["outputs"][f] == file_sha256(run_dir / f) for f in files)
    nbs = {n["name"]: n for n in m["notebooks"]}
    assert nbs["01_ok"]["status"] == "ok" and nbs["01_ok"]["execute_seconds"] > 0
    assert nbs["02_fejl"]["status"] == "fejlet" and nbs["02_fejl"]["error"]["ename"] == "ValueError"
    assert m["validation"]["ok"] is True and m["validation"]["inputs"][0]["name"] == "tiny"
    assert m["data"]["synthetic"] is True and m["data"]["seed"] == 1 and m["data"]["years"] == [2019]
    assert m["reproduction"] == {"compared": 2, "ok": 1, "share_ok": 0.5, "suppressed": 1, "conflicts": 0}
    assert datetime.fromisoformat(m["created"]).tzinfo is not None


# ---- validation gate -----------------------------------------------------------------------------

def test_validation_failure_writes_only_the_report_and_no_run_folder(tmp_path):
    """README: a run folder appears only when complete; a failed validation leaves one report file,
    <output_dir>/validering-<name>-<timestamp>.txt, and no folder (not even a half one)."""
    params = make_params(tmp_path)
    validator = FakeValidator(ok=False, text="tiny.csv | antal | ge(0) | række 2 | værdi -1")
    result, lines = do_run(params, validate=validator)
    assert result.exit_code == 1 and not result.validation_ok
    visible = [p for p in params.output_dir.iterdir() if not p.name.startswith(".")]
    assert visible == [result.run_dir] and result.run_dir.is_file()
    assert re.fullmatch(r"validering-fixture-\d{8}-\d{6}\.txt", result.run_dir.name)
    assert "række 2" in result.run_dir.read_text(encoding="utf-8")
    assert "tiny.csv | antal" in "\n".join(lines)
    assert lines[-1] == str(result.run_dir)
    assert no_temp_leftovers(params.output_dir) == []
    assert not (params.output_dir / ".cache" / "notebooks").exists()  # nothing executed


def test_validator_that_crashes_stops_the_run(tmp_path):
    def broken(params):
        raise ImportError("contracts not ready")

    result, _ = do_run(make_params(tmp_path), validate=broken)
    assert result.exit_code == 1
    assert "contracts not ready" in result.run_dir.read_text(encoding="utf-8")


def test_runner_reports_whether_validation_came_from_the_cache(tmp_path):
    """The runner calls the validator once per run and records its cache status in the manifest
    (caching itself lives in validation.validate_inputs, tested in test_validation_cache.py)."""
    params = make_params(tmp_path, notebooks=())

    class CachingFake(FakeValidator):
        def __call__(self, p):
            report = super().__call__(p)
            report.from_cache = self.calls > 1
            return report

    validator = CachingFake()
    r1, _ = do_run(params, validate=validator)
    r2, _ = do_run(params, validate=validator)
    assert validator.calls == 2 and r1.exit_code == r2.exit_code == 0
    assert json.loads((r1.run_dir / "manifest.json").read_text())["validation"]["cached"] is False
    assert json.loads((r2.run_dir / "manifest.json").read_text())["validation"]["cached"] is True


def test_run_command_rejects_bad_params(tmp_path, capsys):
    assert runner.run_command(tmp_path / "findes_ikke.yaml", jobs=1, force=False, progress=False) == 2
    assert "does not exist" in capsys.readouterr().err


def test_run_command_loads_a_params_file_and_prints_the_run_folder_last(tmp_path, capsys):
    data = tmp_path / "data"
    shutil.copytree(FIXTURES / "data", data)
    yaml_path = tmp_path / "mini.yaml"
    yaml_path.write_text(f"year: 2019\nkommuner: casekommuner\ndata_dir: {data}\noutput_dir: {tmp_path / 'out'}\n"
                         "min_cell_size: 3\nnotebooks: []\n", encoding="utf-8")
    code = runner.run_command(yaml_path, jobs=1, force=False, progress=False, validate=FakeValidator())
    out = capsys.readouterr().out.strip().splitlines()
    assert code == 0
    run_dir = Path(out[-1])
    assert run_dir.is_absolute() and run_dir.parent == (tmp_path / "out").resolve() and run_dir.name.startswith("mini-")
    html = (run_dir / "index.html").read_text(encoding="utf-8")
    assert "casekommuner (20 kommuner)" in html and "<td>3</td>" in html
    m = json.loads((run_dir / "manifest.json").read_text())
    assert m["params"]["name"] == "mini" and m["params"]["min_cell_size"] == 3 and m["notebooks"] == []
    assert "reproduction.csv" not in run_files(run_dir)  # no notebook emitted rows


def test_real_data_gets_the_real_data_banner(tmp_path):
    data = tmp_path / "data"
    shutil.copytree(FIXTURES / "data", data)
    (data / "DATASET.yaml").write_text("kind: real\nyears: [2019]\n", encoding="utf-8")
    result, _ = do_run(make_params(tmp_path, notebooks=(), synthetic=False, data_dir=data))
    html = (result.run_dir / "index.html").read_text(encoding="utf-8")
    assert "Rigtige data" in html and "Syntetiske data" not in html
    assert json.loads((result.run_dir / "manifest.json").read_text())["data"]["synthetic"] is False


def test_kommuner_label_for_lists_and_named_sets(tmp_path):
    p = make_params(tmp_path, notebooks=())
    assert runner._kommuner_label(p) == "alle (3 kommuner)"
    listed = dataclasses.replace(p, kommuner=(101, 147), kommuner_spec=[101, 147])
    assert runner._kommuner_label(listed) == "2 kommuner: København (101), Frederiksberg (147)"


def test_missing_notebook_gets_an_error_page(tmp_path):
    params = make_params(tmp_path, notebooks=("99_mangler",))
    result, _ = do_run(params)
    assert result.exit_code == 1
    assert run_files(result.run_dir) >= {"html/99_mangler_fejl.html", "index.html", "manifest.json"}
    assert "FileNotFoundError" in (result.run_dir / "html" / "99_mangler_fejl.html").read_text(encoding="utf-8")


def test_run_folder_names_get_a_suffix_when_taken(tmp_path):
    created = datetime(2021, 3, 1, 12, 0, 0)
    names = []
    for _ in range(3):
        tmp = tmp_path / ".x.tmp-1"
        tmp.mkdir()
        names.append(runner._move_into_place(tmp, tmp_path, "x", created).name)
    assert names == ["x-20210301-120000", "x-20210301-120000-2", "x-20210301-120000-3"]


# ---- cache keys and cache behaviour --------------------------------------------------------------

def test_cache_key_ignores_output_dir_but_not_params_inputs_code(tmp_path):
    nb = NOTEBOOKS / "01_ok.ipynb"
    base = {"year": 2019, "kommuner": "alle", "data_dir": "/d", "output_dir": "/a", "min_cell_size": 5}
    inputs = {"tiny.csv": "aa"}
    k = runner.notebook_cache_key(nb, base, inputs, "code")
    assert k == runner.notebook_cache_key(nb, {**base, "output_dir": "/elsewhere"}, inputs, "code")
    assert k != runner.notebook_cache_key(nb, {**base, "min_cell_size": 3}, inputs, "code")
    assert k != runner.notebook_cache_key(nb, base, {"tiny.csv": "bb"}, "code")
    assert k != runner.notebook_cache_key(nb, base, inputs, "code2")
    assert k != runner.notebook_cache_key(NOTEBOOKS / "02_fejl.ipynb", base, inputs, "code")


def test_input_hashes_are_remembered_but_follow_changes(tmp_path):
    params = make_params(tmp_path)
    cache = tmp_path / "cache"
    h1 = runner.hash_inputs(params.data_dir, cache)
    assert h1["tiny.csv"] == file_sha256(params.data_dir / "tiny.csv")
    assert (cache / "file_hashes.json").exists()
    (params.data_dir / "tiny.csv").write_text("kommunekode,antal\n101,299\n147,250\n751,100\n")
    h2 = runner.hash_inputs(params.data_dir, cache)
    assert h2["tiny.csv"] != h1["tiny.csv"] and h2["tiny.csv"] == file_sha256(params.data_dir / "tiny.csv")


def test_reproduction_gathering_unknown_ids_empty_files_and_failed_notebooks(tmp_path):
    ok = runner.NotebookResult(name="01_ok", status="ok", seconds=0.0)
    failed = runner.NotebookResult(name="02_fejl", status="fejlet", seconds=0.0)
    params = make_params(tmp_path, notebooks=())
    for nb, text in (("01_ok", "id,pipeline_value\n"), ("02_fejl", "id,pipeline_value\nd0_s11_satspulje_initiativer,11\n")):
        d = tmp_path / ".stage" / nb / "reproduction"
        d.mkdir(parents=True)
        (d / f"{nb}.csv").write_text(text)
    # header-only file from the good notebook, rows only from a failed one: no reproduction.csv
    assert runner._gather_reproduction(params, tmp_path, [ok, failed]) == (None, None)
    assert not (tmp_path / "reproduction.csv").exists()
    (tmp_path / ".stage" / "01_ok" / "reproduction" / "01_ok.csv").write_text("id,pipeline_value\nd9_ukendt,1\n")
    summary, error = runner._gather_reproduction(params, tmp_path, [ok, failed])
    assert summary is None and "d9_ukendt" in error
    assert not (tmp_path / "reproduction.csv").exists()


def test_cache_keeps_only_the_newest_entries_per_notebook(tmp_path):
    import os

    nb_cache = tmp_path / "notebooks" / "01_ok"
    for i in range(runner.CACHE_KEEP_PER_NOTEBOOK + 3):
        d = nb_cache / f"key{i}"
        d.mkdir(parents=True)
        os.utime(d, (1_000_000 + i, 1_000_000 + i))
    runner._prune(nb_cache)
    kept = sorted(p.name for p in nb_cache.iterdir())
    assert len(kept) == runner.CACHE_KEEP_PER_NOTEBOOK and "key0" not in kept and f"key{runner.CACHE_KEEP_PER_NOTEBOOK + 2}" in kept


def test_pool_starts_the_longest_notebook_first_from_its_last_duration(tmp_path):
    import os

    cache = tmp_path / "notebooks"
    for name, runs in {"a_kort": [(30.0, 1.0), (4.0, 1.0)], "b_lang": [(40.0, 2.0)], "c_mellem": [(9.0, None)]}.items():
        for i, (execute, export) in enumerate(runs):  # the newest entry counts, not the longest
            d = cache / name / f"key{i}"
            d.mkdir(parents=True)
            (d / "meta.json").write_text(json.dumps({"execute_seconds": execute, "export_seconds": export}))
            os.utime(d / "meta.json", (1_000_000 + i, 1_000_000 + i))
    (cache / "d_broken" / "key0").mkdir(parents=True)
    (cache / "d_broken" / "key0" / "meta.json").write_text("{")
    expected = {n: runner._last_seconds(cache / n) for n in ("a_kort", "b_lang", "c_mellem", "d_broken", "e_ny")}
    assert expected == {"a_kort": 5.0, "b_lang": 42.0, "c_mellem": 9.0, "d_broken": None, "e_ny": None}
    tasks = [{"name": n, "expected_seconds": s} for n, s in expected.items()]
    # never run (or unreadable) first, in the params' order; then longest first
    assert [t["name"] for t in runner.longest_first(tasks)] == ["d_broken", "e_ny", "b_lang", "c_mellem", "a_kort"]


@pytest.mark.slow
def test_cache_hit_skips_execution_and_force_reexecutes(tmp_path, stable_code_hash):
    params = make_params(tmp_path, notebooks=("01_ok",))
    first, _ = do_run(params)
    second, lines = do_run(params)
    third, _ = do_run(params, force=True)
    assert [r.exit_code for r in (first, second, third)] == [0, 0, 0]
    assert len({first.run_dir, second.run_dir, third.run_dir}) == 3

    m1, m2, m3 = (json.loads((r.run_dir / "manifest.json").read_text()) for r in (first, second, third))
    assert m1["notebooks"][0]["status"] == "ok"
    nb2 = m2["notebooks"][0]
    assert nb2["status"] == "genbrugt fra cache"
    assert nb2["cache_key"] == m1["notebooks"][0]["cache_key"]
    assert nb2["seconds"] < 0.5 < m1["notebooks"][0]["seconds"]  # copied, not executed (a kernel start alone takes longer)
    assert "genbrugt fra cache" in (second.run_dir / "index.html").read_text(encoding="utf-8")
    assert "01_ok: genbrugt fra cache" in "\n".join(lines)
    # the reused outputs are identical to the executed ones
    for f in ("tables/tabel_1_fixture.csv", "figures/figur_1_fixture.png", "notebooks/01_ok.ipynb", "html/01_ok.html"):
        assert m2["outputs"][f] == m1["outputs"][f]
    assert m2["reproduction"] == m1["reproduction"]
    assert m3["notebooks"][0]["status"] == "ok" and m3["notebooks"][0]["seconds"] > 0.5


@pytest.mark.slow
def test_changed_param_or_input_misses_the_cache(tmp_path, stable_code_hash):
    params = make_params(tmp_path, notebooks=("01_ok",))
    first, _ = do_run(params)
    changed_param, _ = do_run(dataclasses.replace(params, min_cell_size=3))
    (params.data_dir / "tiny.csv").write_text("kommunekode,antal\n101,300\n147,250\n751,192\n")
    changed_input, _ = do_run(params)

    def status(r):
        return json.loads((r.run_dir / "manifest.json").read_text())["notebooks"][0]

    assert status(first)["status"] == "ok"
    assert status(changed_param)["status"] == "ok"
    assert status(changed_input)["status"] == "ok"
    assert len({status(r)["cache_key"] for r in (first, changed_param, changed_input)}) == 3
    nb = (changed_input.run_dir / "notebooks" / "01_ok.ipynb").read_text()
    assert "total=742" in nb  # the new input was really read
    repro = (changed_input.run_dir / "reproduction.csv").read_text()
    assert "d0_tabel1_sagsgennemgang_n,742,742," in repro


@pytest.mark.slow
def test_cache_hit_path_does_not_import_execution_libraries(tmp_path, stable_code_hash):
    """A cache-hit rerun must not import papermill, nbconvert or tqdm (they cost seconds)."""
    params = make_params(tmp_path, notebooks=("01_ok",))
    do_run(params)
    script = f"""
import sys, json, dataclasses
from pathlib import Path
from hko_research.params import RunParams
from hko_research import runner
runner.project_code_hash = lambda: {stable_code_hash!r}
p = RunParams(year=2019, kommuner=(101, 147, 751), kommuner_spec="alle", data_dir=Path({str(params.data_dir)!r}),
              output_dir=Path({str(params.output_dir)!r}), min_cell_size=5, notebooks=("01_ok",), name="fixture",
              synthetic=True, covered_years=(2019,))
class R:
    ok = True
    def to_text(self): return "ok"
    def summary(self): return {{"ok": True}}
def fake_validate(params): return R()
if __name__ == "__main__":
    r = runner.run(p, progress=False, notebooks_dir=Path({str(NOTEBOOKS)!r}), validate=fake_validate)
    heavy = sorted(m for m in ("papermill", "nbconvert", "nbclient", "tqdm", "jupyter_client") if m in sys.modules)
    print(json.dumps({{"status": r.notebooks[0].status, "heavy": heavy}}))
"""
    out = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, timeout=120)
    assert out.returncode == 0, out.stderr
    report = json.loads(out.stdout.strip().splitlines()[-1])
    assert report == {"status": "genbrugt fra cache", "heavy": []}


# ---- interrupts ------------------------------------------------------------------------------------

def _running(p) -> bool:
    import psutil

    try:
        return p.status() != psutil.STATUS_ZOMBIE
    except psutil.NoSuchProcess:
        return False


_INTERRUPTIBLE = """
import dataclasses, sys
from pathlib import Path
from hko_research import runner
from hko_research.params import RunParams

class Ok:
    ok = True
    def to_text(self): return "ok"
    def summary(self): return {"ok": True, "inputs": []}

p = RunParams(year=2019, kommuner=(101,), kommuner_spec="alle", data_dir=Path(sys.argv[1]), output_dir=Path(sys.argv[2]),
              min_cell_size=5, notebooks=("03_langsom", "01_ok"), name="afbrudt", synthetic=True, covered_years=(2019,))
sys.exit(runner.run(p, jobs=2, progress=False, notebooks_dir=Path(sys.argv[3]), validate=lambda _: Ok()).exit_code)
"""


@pytest.mark.slow
@pytest.mark.parametrize("sig", [signal.SIGINT, signal.SIGTERM], ids=["ctrl-c", "sigterm"])
def test_interrupt_stops_kernels_and_workers_at_once_and_leaves_nothing(tmp_path, sig):
    """A real runner process, its workers and kernels; Ctrl-C (SIGINT) or SIGTERM while a kernel is
    busy: everything stops within 2 s, one line on stderr, exit 130, no folder left (not even hidden)."""
    import psutil

    data = tmp_path / "data"
    shutil.copytree(FIXTURES / "data", data)
    out = tmp_path / "out"
    proc = subprocess.Popen([sys.executable, "-c", _INTERRUPTIBLE, str(data), str(out), str(NOTEBOOKS)],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        deadline = time.monotonic() + 120
        while not list(out.glob(".afbrudt.tmp-*/.stage/03_langsom/kernel.pid")):
            assert proc.poll() is None, proc.communicate()
            assert time.monotonic() < deadline, "the slow notebook's kernel never started"
            time.sleep(0.2)
        kernel_pid = int(next(out.glob(".afbrudt.tmp-*/.stage/03_langsom/kernel.pid")).read_text())
        family = psutil.Process(proc.pid).children(recursive=True)
        assert kernel_pid in {p.pid for p in family}
        t0 = time.monotonic()
        proc.send_signal(sig)
        stdout, stderr = proc.communicate(timeout=20)
        elapsed = time.monotonic() - t0
    finally:
        if proc.poll() is None:
            proc.kill()
    assert proc.returncode == 130, (stdout, stderr)
    assert elapsed < 2.0, f"took {elapsed:.1f} s to stop"
    _, alive = psutil.wait_procs(family, timeout=0.5)
    running = [p for p in alive if _running(p)]  # a zombie has stopped (its parent was the killed worker)
    assert not running, f"left running: {running}"
    lines = [ln for ln in stderr.splitlines() if ln.strip()]
    assert len(lines) == 1 and "afbrudt" in lines[0] and "Traceback" not in stderr, stderr
    assert sorted(p.name for p in out.iterdir() if p.name != ".cache") == [], list(out.iterdir())
