"""`hko-research validate` reports every failure and exits non-zero; params errors exit 2."""
from __future__ import annotations

import shutil
import subprocess
import sys

import yaml


def cli(*args, cwd=None):
    return subprocess.run([sys.executable, "-m", "hko_research.cli", *args], capture_output=True, text=True, cwd=cwd)


def test_validate_default_ok(default_data_dir, project_root):
    res = cli("validate", "-p", str(project_root / "params" / "default.yaml"))
    assert res.returncode == 0, res.stdout + res.stderr
    assert "Validation OK" in res.stdout


def test_validate_broken_copy_lists_failures(tmp_path, default_data_dir):
    data = tmp_path / "data"
    shutil.copytree(default_data_dir, data)
    rv = data / "rammevilkaar.csv"
    lines = rv.read_text(encoding="utf-8").splitlines()
    header = lines[0].split(";")
    row = lines[3].split(";")
    row[header.index("rang")] = "999"
    lines[3] = ";".join(row)
    rv.write_text("\n".join(lines) + "\n", encoding="utf-8")
    (data / "kommunetypologi.csv").write_text("", encoding="utf-8")
    params = tmp_path / "p.yaml"
    params.write_text(yaml.safe_dump({"year": 2019, "kommuner": "alle", "data_dir": str(data),
                                      "output_dir": str(tmp_path / "out")}))
    res = cli("validate", "-p", str(params))
    assert res.returncode == 1
    out = res.stdout
    assert "rammevilkaar.csv" in out and "in_range" in out and "row 3: 999" in out
    assert "kommunetypologi.csv" in out and "empty_file" in out
    assert not (tmp_path / "out").exists()


def test_params_error_exit_code(tmp_path, default_data_dir):
    params = tmp_path / "p.yaml"
    params.write_text(yaml.safe_dump({"year": 2019, "kommuner": [999], "data_dir": str(default_data_dir)}))
    res = cli("validate", "-p", str(params))
    assert res.returncode == 2 and "999" in res.stderr


def test_validate_checks_the_output_folder(tmp_path, default_data_dir):
    (tmp_path / "fil").write_text("x")
    params = tmp_path / "p.yaml"
    params.write_text(yaml.safe_dump({"year": 2019, "kommuner": [101, 101], "data_dir": str(default_data_dir),
                                      "output_dir": str(tmp_path / "fil" / "out")}))
    res = cli("validate", "-p", str(params))
    assert res.returncode == 1 and "is a file, not a folder" in res.stdout
    assert "kommune 101 listed more than once" in res.stdout  # a warning in the report
    assert "Traceback" not in res.stdout + res.stderr


def test_user_errors_are_one_line_without_traceback_unless_debug(tmp_path):
    missing = tmp_path / "findes_ikke.sas7bdat"
    res = cli("import", str(missing), "--out", str(tmp_path / "x.parquet"))
    assert res.returncode == 2 and "Traceback" not in res.stderr
    assert len(res.stderr.strip().splitlines()) == 1 and "findes_ikke.sas7bdat" in res.stderr
    res = cli("--debug", "import", str(missing), "--out", str(tmp_path / "x.parquet"))
    assert res.returncode != 0 and "Traceback" in res.stderr
