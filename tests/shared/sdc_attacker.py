"""An interval attacker on published tables, written independently of ``publishing.disclosure``.

It knows what a well-informed reader of a run knows: every shown cell, that a masked count is at
least 1 (zeros are shown), that a count is at most the ``n`` of its row, that a selection is at most
its whole, and the additive structure of the tables (confirmed on the true values, as an attacker
who knows how the tables were made): within a table the cells of a block (rows that differ in one
category only) sum to a count published in the same table or in any table of the run for the same
population (same ``niveau`` / ``ordning`` / ``population`` where both have them), or to another
block's sum; repeated ``n`` cells of a block are one number. For each masked count it computes
the tightest interval by linear programming and reports those narrower than ``min_cell_size``.
"""
from __future__ import annotations

import re
from collections import defaultdict
from dataclasses import dataclass

import numpy as np
import pandas as pd
from scipy.optimize import linprog

COUNT = re.compile(r"^(n|antal)(_|$)")
POP = ("niveau", "ordning", "population", "aar")
ALIAS = {"population": "ordning"}  # the recipients of an ordning are its population
# A count column named after an ordning (antal_pa) is that ordning's in any table without an ordning column,
# and in a per-kommune table (a kommunekode column, no niveau) a row is that kommune's count and a count
# column named after an ordning (antal_pa) is that ordning's, as publishing/columns.py declares;
# so a block of several kommuner is never the total of one kommune's cell, of another set of
# kommuner, or of another ordning's column (equal values there are coincidences, not relations).
SUFFIX_ORDNING = {"pa": "Personlig assistance", "hm": "Hjælpemidler", "is": "Isbryderordning", "fa": "Fortrinsadgang"}
TOTALS = {"i alt", "ialt", "total", "totalt", "alle", "hele landet", "samlet"}
CATEGORY_NUMERIC = {"aar", "kommunekode", "periode", "kvartal", "maaned"}
IGNORE = {"datagrundlag"}


@dataclass
class Leak:
    """A masked count the attacker bounds narrower than min_cell_size (or another finding)."""

    table: str
    row: int
    col: str
    truth: float
    lo: float
    hi: float
    text: str = ""

    def __str__(self) -> str:
        return self.text or f"{self.table} row {self.row} {self.col} (true {self.truth:g}): bounded to [{self.lo:g}, {self.hi:g}]"


@dataclass
class Cell:
    table: str
    row: int
    col: str
    truth: float
    shown: bool
    pop: dict


def _category_columns(df: pd.DataFrame) -> list[str]:
    out = []
    for c in df.columns:
        if c in IGNORE or COUNT.match(c):
            continue
        s = df[c]
        if c in CATEGORY_NUMERIC or s.dtype == object or pd.api.types.is_string_dtype(s) or pd.api.types.is_bool_dtype(s):
            out.append(c)
    return out


def _same_population(a: dict, b: dict, *, need_shared: bool) -> bool:
    shared = [c for c in a if c in b]
    if need_shared and not shared:
        return False
    return all(a[c] == b[c] for c in shared)


def _pop(col: str, values) -> str:
    """Population coordinate: the value; "I alt" for a sum over the column or a total label."""
    vals = {str(v) for v in values}
    if len(vals) > 1 or (col != "niveau" and next(iter(vals)).lower() in TOTALS):
        return "I alt"
    return next(iter(vals))


class RunAttacker:
    """Collects every published table of a run (with its true values) and attacks them together."""

    def __init__(self, min_cell_size: int):
        self.k = int(min_cell_size)
        self.cells: list[Cell] = []
        self.eqs: list[tuple[dict[int, float], float]] = []
        self.ineqs: list[tuple[dict[int, float], float]] = []
        self._blocks: list[tuple[str, tuple[int, ...], dict]] = []
        self._problems: list[str] = []

    def add_table(self, name: str, published: pd.DataFrame, masked: pd.DataFrame, truth: pd.DataFrame) -> None:
        """``published`` as written (masked cells NaN), ``masked`` True where a cell is marked
        suppressed, ``truth`` the unprotected table (same rows and columns)."""
        assert list(published.columns) == list(truth.columns) and len(published) == len(truth), name
        counts = [c for c in published.columns if COUNT.match(str(c))]
        cats = _category_columns(truth)
        pops = [c for c in POP if c in truth.columns]
        per_kommune = "kommunekode" in truth.columns and "niveau" not in truth.columns
        kom = truth["kommunekode"].astype(str) if per_kommune else None
        all_kom = frozenset(k for k in kom if k.lower() not in TOTALS) if per_kommune else frozenset()

        def unit(c: str, rows: list[int]) -> dict:
            """Coordinates of cells ``rows`` of count column ``c`` beyond the table's population
            columns: the ordning a column is named after (``antal_is`` counts isbryder grants, in
            any table without an ordning column), and a per-kommune table's set of kommuner."""
            out = {}
            suffix = str(c).rsplit("_", 1)[-1]
            if "ordning" not in pops and "population" not in pops and suffix in SUFFIX_ORDNING and str(c) != suffix:
                out["ordning"] = SUFFIX_ORDNING[suffix]
            if not per_kommune:
                return out
            codes = frozenset(kom.iloc[rows])
            out["enhed"] = "I alt" if (len(rows) == 1 and next(iter(codes)).lower() in TOTALS) or codes == all_kom \
                else ",".join(sorted(codes))
            return out
        ids: dict[tuple[int, str], int] = {}
        for c in counts:
            t = pd.to_numeric(truth[c], errors="coerce").to_numpy(float)
            p = pd.to_numeric(published[c], errors="coerce").to_numpy(float)
            for r in range(len(truth)):
                if np.isnan(t[r]):
                    continue
                shown = not bool(masked[c].iloc[r])
                if shown and not np.isnan(p[r]) and p[r] != t[r]:
                    self._problems.append(f"{name} row {r} {c}: published {p[r]} differs from the truth {t[r]}")
                if shown and 0 < t[r] < self.k:
                    self._problems.append(f"{name} row {r} {c}: a small count {t[r]} is shown")
                pop = {ALIAS.get(x, x): _pop(x, [truth[x].iloc[r]]) for x in pops if pd.notna(truth[x].iloc[r])}
                pop.update(unit(c, [r]))
                ids[(r, c)] = len(self.cells)
                self.cells.append(Cell(name, r, c, float(t[r]), shown, pop))
        # a count is at most the n of its row
        if "n" in counts:
            for c in counts:
                if c == "n" or c.startswith("n_"):
                    continue
                for r in range(len(truth)):
                    a, b = ids.get((r, c)), ids.get((r, "n"))
                    if a is not None and b is not None and self.cells[a].truth <= self.cells[b].truth:
                        self.ineqs.append(({a: 1.0, b: -1.0}, 0.0))
        # a selection is at most its whole
        if "niveau" in truth.columns:
            rest = [c for c in cats if c != "niveau"]
            whole = {tuple(truth[rest].iloc[r].astype("string").fillna("<NA>")): r for r in range(len(truth))
                     if truth["niveau"].iloc[r] in ("Hele landet", "Alle casekommuner")}
            for r in range(len(truth)):
                if truth["niveau"].iloc[r] not in ("Valgte kommuner", "Valgte casekommuner"):
                    continue
                w = whole.get(tuple(truth[rest].iloc[r].astype("string").fillna("<NA>")))
                for c in counts:
                    a, b = ids.get((r, c)), ids.get((w, c)) if w is not None else None
                    if a is not None and b is not None and self.cells[a].truth <= self.cells[b].truth:
                        self.ineqs.append(({a: 1.0, b: -1.0}, 0.0))
        # blocks: rows that differ in one category v (and what v determines)
        for v in cats:
            others = [c for c in cats if c != v]
            determined = [g for g in others if g not in POP
                          and truth.groupby(v, dropna=False)[g].nunique(dropna=False).max() <= 1]
            for group in {tuple(others), tuple(g for g in others if g not in determined)}:
                keyed = truth[list(group)].astype("string").fillna("<NA>").agg("|".join, axis=1) if group else pd.Series("", index=truth.index)
                detail = ~truth[v].astype(str).str.lower().isin(TOTALS)
                family: dict[str, list[list[int]]] = defaultdict(list)
                for _, idx in keyed[detail].groupby(keyed[detail]).groups.items():
                    rows = [truth.index.get_loc(i) for i in idx]
                    if len(rows) < 2:
                        continue
                    pop = {ALIAS.get(x, x): _pop(x, truth[x].iloc[rows].tolist()) for x in pops
                           if truth[x].iloc[rows].notna().all()}
                    for c in counts:
                        members = [ids.get((r, c)) for r in rows]
                        if None in members:
                            continue
                        bases = [ids.get((r, "n")) for r in rows]
                        if c != "n" and None not in bases and \
                                sum(self.cells[m].truth for m in members) > max(self.cells[b].truth for b in bases):
                            family[c].append(members)
                            continue  # overlapping categories: their sum is no count of anything
                        self._blocks.append((name, tuple(members), {**pop, **unit(c, rows)}))
                        family[c].append(members)
                # a base n that repeats in every block of the family is one number per block
                for c, blocks in family.items():
                    if (c == "n" or c.startswith("n_")) and all(
                            len({self.cells[m].truth for m in b}) == 1 for b in blocks):
                        for b in blocks:
                            for a, b2 in zip(b, b[1:]):
                                self.eqs.append(({a: 1.0, b2: -1.0}, 0.0))

    def know_sum(self, table: str, rows: list[int], col: str) -> None:
        """Extra knowledge: the cells ``rows`` of ``col`` in ``table`` sum to a known total."""
        members = [i for i, c in enumerate(self.cells) if c.table == table and c.col == col and c.row in set(rows)]
        if members:
            self.eqs.append(({m: 1.0 for m in members}, sum(self.cells[m].truth for m in members)))

    def _link_totals(self) -> None:
        by_value: dict[float, list[int]] = defaultdict(list)
        for i, c in enumerate(self.cells):
            if c.truth > 0:
                by_value[c.truth].append(i)
        block_sums: dict[float, list[int]] = defaultdict(list)
        for j, (table, members, pop) in enumerate(self._blocks):
            s = sum(self.cells[m].truth for m in members)
            if s <= 0:
                continue
            mem = set(members)
            for i in by_value.get(s, ()):
                cell = self.cells[i]
                if i in mem:
                    continue
                if _same_population(pop, cell.pop, need_shared=cell.table != table):
                    eq = {m: 1.0 for m in members}
                    eq[i] = eq.get(i, 0.0) - 1.0
                    self.eqs.append((eq, 0.0))
            if all(self.cells[m].shown for m in members):  # a fully shown block is a published total
                block_sums[s].append(j)
        for _j, (table, members, pop) in enumerate(self._blocks):
            s = sum(self.cells[m].truth for m in members)
            if s <= 0 or all(self.cells[m].shown for m in members):
                continue
            for j2 in block_sums.get(s, ()):
                t2, m2, p2 = self._blocks[j2]
                if set(m2) & set(members) or not _same_population(pop, p2, need_shared=t2 != table):
                    continue
                self.eqs.append(({m: 1.0 for m in members}, sum(self.cells[m].truth for m in m2)))

    def attack(self) -> list:
        """Problems found: small counts shown (text) and masked counts bounded narrower than
        min_cell_size (:class:`Leak`)."""
        self._link_totals()
        problems = list(self._problems)
        unknown = [i for i, c in enumerate(self.cells) if not c.shown]
        if not unknown:
            return problems
        # components of masked cells linked by a relation
        parent = {i: i for i in unknown}

        def find(i):
            while parent[i] != i:
                parent[i] = parent[parent[i]]
                i = parent[i]
            return i

        rels = [(e, r, True) for e, r in self.eqs] + [(e, r, False) for e, r in self.ineqs]
        for e, _, _ in rels:
            u = [i for i in e if i in parent]
            for a in u[1:]:
                parent[find(a)] = find(u[0])
        comps: dict[int, list[int]] = defaultdict(list)
        for i in unknown:
            comps[find(i)].append(i)
        rel_of: dict[int, list[int]] = defaultdict(list)
        for ri, (e, _, _) in enumerate(rels):
            us = [i for i in e if i in parent]
            if us:
                rel_of[find(us[0])].append(ri)
        for root, members in comps.items():
            if not rel_of[root]:
                continue  # nothing bounds these cells from above
            pos = {i: j for j, i in enumerate(members)}
            A_eq, b_eq, A_ub, b_ub = [], [], [], []
            for ri in rel_of[root]:
                e, rhs, is_eq = rels[ri]
                row = np.zeros(len(members))
                for i, a in e.items():
                    if i in pos:
                        row[pos[i]] += a
                    else:
                        rhs -= a * self.cells[i].truth
                (A_eq if is_eq else A_ub).append(row)
                (b_eq if is_eq else b_ub).append(rhs)
            kw = {"bounds": [(1.0 if self.cells[i].truth >= 1 else 0.0, None) for i in members], "method": "highs"}
            if A_eq:
                kw.update(A_eq=np.array(A_eq), b_eq=np.array(b_eq))
            if A_ub:
                kw.update(A_ub=np.array(A_ub), b_ub=np.array(b_ub))
            for i in members:
                c = np.zeros(len(members))
                c[pos[i]] = 1.0
                lo = linprog(c, **kw)
                hi = linprog(-c, **kw)
                if lo.status != 0 or hi.status not in (0, 3):
                    problems.append(f"LP failed for {self.cells[i]}: {lo.message} / {hi.message}")
                    continue
                width = float("inf") if hi.status == 3 else -hi.fun - lo.fun
                if width < self.k - 1e-6:
                    cell = self.cells[i]
                    problems.append(Leak(cell.table, cell.row, cell.col, cell.truth, lo.fun, -hi.fun))
        return problems


def attack_frames(tables: dict[str, tuple[pd.DataFrame, pd.DataFrame]], min_cell_size: int) -> list[str]:
    """Attack protected frames (``protect_table`` output, with its mask record) against their
    truth: ``{name: (truth, protected)}``."""
    from hko_research.publishing.disclosure import masked_cells

    att = RunAttacker(min_cell_size)
    for name, (truth, protected) in tables.items():
        pub = protected.reset_index(drop=True)
        att.add_table(name, pub, masked_cells(protected).reset_index(drop=True), truth.reset_index(drop=True))
    return att.attack()
