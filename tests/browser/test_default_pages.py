"""What a reader of the default run sees, page by page, and what the run publishes.

One default run (params/default.yaml, conftest.default_run). Checked without a browser: every
saved figure is on its page (the same PNG bytes), each figure's rendered layout has no
overlapping texts, and the independent interval attacker (tests/shared/sdc_attacker.py) cannot
narrow any masked count below min_cell_size using every table of the run. Checked in headless
Chromium at 1,400 px: the figures render, no Python repr, no horizontal overflow of the main
column, no English sentence in the narrative, Danish table headers. Screenshots of both pages are
saved (``$HKO_SCREENSHOT_DIR``, else the test's tmp folder).
"""
from __future__ import annotations

import base64
import json
import os
import pickle
import re
from pathlib import Path

import pandas as pd
import pytest
from headless import chromium, serve
from PIL import Image
from sdc_attacker import RunAttacker

from hko_research import registry
from hko_research.publishing.disclosure import masked_cells
from hko_research.publishing.publisher import LAYOUT_KEY, SUPPRESSED_MARK

pytestmark = [pytest.mark.slow, pytest.mark.xdist_group("default_run")]

PAGES = registry.notebooks()  # every page the default run publishes
FIGURE_RE = re.compile(r'<figure class="hko-figur" data-figur="([a-z0-9_]+)"[^>]*><img [^>]*?src="data:image/png;base64,([^"]+)"')
REPR_RE = re.compile(r"PosixPath\(|WindowsPath\(|<[\w.]+ object at 0x|\bdtype: |\[PosixPath|Name: \w+, dtype"
                     r"|\w+Warning: |Traceback \(most recent call last\)|site-packages/|/src/hko_research/")
SNAKE_RE = re.compile(r"\b[a-zæøå]+_[a-zæøå0-9_]+\b")
ENGLISH = {"the", "and", "of", "is", "are", "with", "not", "this", "that", "was", "were", "be", "by", "from", "no",
           "inputs", "rows", "checked", "failures", "validation", "ok:", "to", "in", "has", "have"}
DANISH = {"og", "i", "af", "er", "en", "et", "de", "der", "til", "med", "ikke", "på", "som", "om", "har", "kan", "det",
          "den", "fra", "ved", "eller", "pr.", "for", "sager", "kommuner"}


def page_html(run_dir: Path, name: str) -> str:
    return (run_dir / "html" / f"{name}.html").read_text(encoding="utf-8")


def test_every_saved_figure_is_shown_on_its_page(default_run):
    """The figures on the pages are the saved PNGs, byte for byte, each once (nbconvert's own CSS
    carries data:image/png too: only <figure class="hko-figur"> counts)."""
    saved = {p.stem: p.read_bytes() for p in (default_run.run_dir / "figures").glob("*.png")}
    shown: dict[str, bytes] = {}
    for name in PAGES:
        for fig, b64 in FIGURE_RE.findall(page_html(default_run.run_dir, name)):
            assert fig not in shown, f"{fig} shown twice"
            shown[fig] = base64.b64decode(b64)
    assert len(saved) >= 11
    assert set(shown) == set(saved)
    assert all(shown[k] == saved[k] for k in saved)
    # alt text = the title, size for reading (a 150-dpi PNG at 100 dpi)
    html = page_html(default_run.run_dir, "03_brug_af_hko")
    assert re.search(r'data-figur="figur_25_udgiftsandel_befolkningsandel"[^>]*><img [^>]*?alt="Figur 25: Difference', html)


def test_every_figure_has_a_layout_without_overlapping_texts(default_run):
    """Checked on the rendered figure when it was saved (matplotlib's text boxes; PNG text chunk)."""
    layouts = {p.stem: Image.open(p).text.get(LAYOUT_KEY) for p in (default_run.run_dir / "figures").glob("*.png")}
    assert layouts and all(v == "ok" for v in layouts.values()), {k: v for k, v in layouts.items() if v != "ok"}


def audited_tables(audit_dir: Path):
    out = []
    for f in sorted(audit_dir.glob("*/*.pkl")):
        d = pickle.loads(f.read_bytes())
        out.append((f.parent.name, d["order"], f.stem, d))
    return sorted(out)


def attack(audit_dir: Path, min_cell_size: int = 5, notebook: str | None = None) -> tuple[list, int]:
    att = RunAttacker(min_cell_size)
    tables = [t for t in audited_tables(audit_dir) if notebook is None or t[0] == notebook]
    for nb, _, name, d in tables:
        prot = d["protected"]
        att.add_table(f"{nb}/{name}", prot.reset_index(drop=True), masked_cells(prot).reset_index(drop=True),
                      d["truth"].reset_index(drop=True))
    return att.attack(), len(tables)


# Masked counts the independent attacker still narrows in the default run, within their notebook
# (the ledger's scope). Known and published in issue 7's closing notes; a new one fails the test.
# Each is a cell the run's own ledger reports as weakly protected (index warning, manifest): a
# later table of the notebook would have to mask cells of an earlier one.
# - 03: Tabel 15d row 174 (PA subgroup, via Tabel 15c's bases) and Tabel 17 row 19 (isbryder cases
#   of one organisation; Figur 29's over-4-weeks counts of the same cases sum to the same 7).
# - 04: Tabel 61c and 62 describe the same small interview groups (citizens who used
#   fortrinsadgang, employers with isbryder experience): one employer count of 3 is bounded to [1, 5].
KNOWN_LEAKS = {
    ("03_brug_af_hko/tabel_17_organisering_sagsbehandlingstid", 19, "n"),  # true 7, bounded to [7, 7]
    ("03_brug_af_hko/tabel_15d_subgrupper", 174, "antal"),  # true 140, bounded to [140, 140]
    ("04_borger_virksomhed/tabel_61c_ordninger", 6, "antal"),  # true 3, bounded to [1, 5]
    ("04_borger_virksomhed/tabel_62_udsagn", 6, "antal"),  # true 8, bounded to [6, 10]
    ("04_borger_virksomhed/tabel_62_udsagn", 7, "antal"),  # true 8, bounded to [6, 10]
    ("04_borger_virksomhed/tabel_62_udsagn", 5, "n"),  # true 8, bounded to [6, 10]
    ("04_borger_virksomhed/tabel_62_udsagn", 6, "n"),  # true 10, bounded to [10, 10]
    ("04_borger_virksomhed/tabel_62_udsagn", 7, "n"),  # true 10, bounded to [10, 10]
}


def test_no_new_masked_count_can_be_narrowed_within_a_notebook(default_run):
    found, n_tables = set(), 0
    for nb in registry.notebooks():
        leaks, n = attack(default_run.audit_dir, notebook=nb)
        found |= {(lk.table, lk.row, lk.col) for lk in leaks}
        n_tables += n
    assert n_tables >= 30
    assert found <= KNOWN_LEAKS, sorted(found - KNOWN_LEAKS)
    # and the run itself tells whoever checks the output about every one of them (index + manifest)
    manifest = json.loads((default_run.run_dir / "manifest.json").read_text(encoding="utf-8"))
    reported = {(f"{nb}/{t}", r, c) for nb, tables in manifest["weakly_protected_cells"].items()
                for cells in tables.values() for t, r, c in cells}
    assert found <= reported, sorted(found - reported)
    index = (default_run.run_dir / "index.html").read_text(encoding="utf-8")
    for nb in {t.split("/")[0] for t, _, _ in found}:
        assert re.search(rf"{nb}: (1 undertrykt celle|\d+ undertrykte celler) kan afgrænses", index), nb


def test_the_files_mark_exactly_the_suppressed_cells(default_run):
    """CSV: a suppressed cell says so; an empty cell is one that has no value (not applicable)."""
    checked = 0
    for _nb, _, name, d in audited_tables(default_run.audit_dir):
        raw = pd.read_csv(default_run.run_dir / "tables" / f"{name}.csv", dtype=str, keep_default_na=False)
        marks = masked_cells(d["protected"]).reset_index(drop=True)
        for col in marks.columns:
            if col in raw.columns:
                assert ((raw[col] == SUPPRESSED_MARK) == marks[col]).all(), (name, col)
                checked += int(marks[col].sum())
    assert checked > 20


def test_every_masked_cell_is_marked_suppressed_on_its_page(default_run):
    """A page marks exactly its notebook's masked cells "·" (title "undertrykt"): none shown as
    the not-applicable "–", none lost when a notebook shows a table without some of its columns.
    08's tables are the profiles' source and are shown on the profile pages, not on its own."""
    checked = 0
    for nb in PAGES:
        if nb == "08_kommuneprofiler":
            continue
        tables = [d for n, _, _, d in audited_tables(default_run.audit_dir) if n == nb]
        masked = sum(int(masked_cells(d["protected"]).to_numpy().sum()) for d in tables)
        marked = page_html(default_run.run_dir, nb).count('title="undertrykt"')
        assert marked == masked, (nb, marked, masked)
        checked += masked
    assert checked > 500


# ------------------------------------------------------------------------------------------------
# in the browser


@pytest.fixture(scope="module")
def server(default_run):
    with serve(default_run.run_dir) as url:
        yield url


@pytest.fixture(scope="module")
def wide_driver(tmp_path_factory):
    with chromium(tmp_path_factory.mktemp("chromium-default"), page_load_timeout=120) as drv:
        yield drv


_NARRATIVE_JS = """
const out = [];
const skip = el => el.closest('code, pre, table, figure, nav, .hko-data-banner, summary, .jp-InputArea');
const walker = document.createTreeWalker(document.querySelector('main') || document.body, NodeFilter.SHOW_TEXT);
while (walker.nextNode()) { const n = walker.currentNode; if (n.textContent.trim() && !skip(n.parentElement)) out.push(n.textContent); }
return out.join(' ');
"""


def english_sentences(text: str) -> list[str]:
    found = []
    for sentence in re.split(r"(?<=[.!?:])\s+|\n", text):
        words = re.findall(r"[A-Za-zÆØÅæøå.:]+", sentence.lower())
        if sum(w in ENGLISH for w in words) >= 2 and not any(w in DANISH for w in words):
            found.append(sentence.strip())
    return found


@pytest.mark.parametrize("name", PAGES)
def test_what_a_reader_sees_on_the_page(default_run, server, wide_driver, name, tmp_path):
    from selenium.webdriver.common.by import By

    drv = wide_driver
    drv.set_window_size(1400, 1000)
    drv.get(f"{server}html/{name}.html")
    assert drv.execute_script("return document.readyState") == "complete"
    # the figures: as many as the page's notebook saved, every one rendered
    expected = len(FIGURE_RE.findall(page_html(default_run.run_dir, name)))
    imgs = drv.find_elements(By.CSS_SELECTOR, "figure.hko-figur img")
    assert len(imgs) == expected >= 1
    assert all(drv.execute_script("return arguments[0].complete && arguments[0].naturalWidth > 0", i) for i in imgs)
    assert all(i.get_attribute("alt") for i in imgs)
    body = drv.find_element(By.TAG_NAME, "body").text
    assert not REPR_RE.search(body), REPR_RE.search(body)
    # no horizontal overflow: neither the page nor any output inside the main column scrolls sideways
    overflow = drv.execute_script("""
        const bad = [];
        const doc = document.scrollingElement;
        if (doc.scrollWidth > doc.clientWidth + 1) bad.push('page ' + doc.scrollWidth);
        for (const el of document.querySelectorAll('main .jp-OutputArea-output, main .hko-tabel-blok')) {
            if (el.scrollWidth > el.clientWidth + 1) bad.push((el.querySelector('caption') || el).textContent.slice(0, 60));
        }
        return bad;""")
    assert not overflow, overflow
    # Danish: no English sentence in the narrative, no code names in table headers
    narrative = drv.execute_script(_NARRATIVE_JS)
    assert not english_sentences(narrative), english_sentences(narrative)
    headers = drv.execute_script(
        "return Array.from(document.querySelectorAll('table.hko-tabel th')).map(t => t.textContent)")
    assert headers and not [h for h in headers if SNAKE_RE.search(h)], [h for h in headers if SNAKE_RE.search(h)]
    # screenshots of the whole page, in slices a person can look at
    shots = Path(os.environ.get("HKO_SCREENSHOT_DIR") or tmp_path)
    shots.mkdir(parents=True, exist_ok=True)
    height = drv.execute_script("return document.scrollingElement.scrollHeight")
    drv.set_window_size(1400, min(height + 50, 20000))
    png = shots / f"{name}.png"
    assert drv.save_screenshot(str(png)) and png.stat().st_size > 10_000


def test_notebook_03_states_which_organisation_counts_it_crosses(default_run):
    """Chapter 3 and Tabel 17 disagree on the casekommuner's organisation; page 03 says which it uses
    right after Tabel 17 (the same text notebook 01 shows)."""
    html = page_html(default_run.run_dir, "03_brug_af_hko")
    t17, choice, t18 = (html.find(s) for s in ("Tabel 17:", "Valg af fordeling.", "Tabel 18:"))
    assert -1 < t17 < choice < t18, (t17, choice, t18)
    assert "13 / 4 / 3 fra afsnit 5.6" in html
