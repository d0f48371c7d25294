"""Puljeevaluering — loading: projects and participants read once per run (:class:`PuljeData`).

``puljeprojekter``: the package ships the three published goal-attainment figures of "Flere med
kognitive handicap i job" as real reference data (``reference/puljeprojekter.csv``); a user's own
``puljeprojekter`` file in the data folder *adds* projects (for the same projekt and indikator the
user's row replaces the reference row). ``puljedeltagere`` is optional: without it the notebook
shows goal attainment only. Both are read typed through their contracts (``read_input``), after
validation.
"""
from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from ...inputs.contracts import input_path, load_contracts, read_input
from ...paths import REFERENCE_DIR

KEY = ["projekt", "indikator"]
KILDE_REFERENCE = "referencedata (pakken)"
KILDE_BRUGER = "brugerens fil"
SYNTETISK = "syntetisk"


@dataclass
class PuljeData:
    """The analysis frames of one run."""

    projekter: pd.DataFrame          # one row per projekt x indikator, with ``datakilde``
    deltagere: pd.DataFrame | None   # one row per projekt x kommunekode; None when not delivered
    user_projects_file: Path | None  # the user's puljeprojekter file, if any
    reference_intact: bool           # every shipped reference row is used unchanged

    @property
    def deltagere_syntetiske(self) -> bool:
        """The participant list is the generator's (every row labelled kilde = syntetisk)."""
        d = self.deltagere
        return d is not None and len(d) > 0 and bool((d["kilde"].astype(str).str.strip().str.lower() == SYNTETISK).all())

    @property
    def projekter_uden_deltagere(self) -> list[str]:
        have = set() if self.deltagere is None else set(self.deltagere["projekt"])
        return sorted(set(self.projekter["projekt"]) - have)

    @property
    def deltagerprojekter_uden_maal(self) -> list[str]:
        if self.deltagere is None:
            return []
        return sorted(set(self.deltagere["projekt"]) - set(self.projekter["projekt"]))


def reference_projects() -> pd.DataFrame:
    """The shipped reference rows, typed through the contract."""
    return read_input(REFERENCE_DIR, "puljeprojekter")


def combine_projects(reference: pd.DataFrame, user: pd.DataFrame | None) -> tuple[pd.DataFrame, bool]:
    """Reference rows plus the user's rows; a user row replaces the reference row with the same
    projekt and indikator. Returns the frame (reference rows first, in file order) and whether
    every reference row's figures (mål, opnået) survived unchanged."""
    ref = reference.assign(datakilde=KILDE_REFERENCE)
    if user is None or user.empty:
        return ref.reset_index(drop=True), True
    usr = user.assign(datakilde=KILDE_BRUGER)
    replaced = ref.set_index(KEY).index.isin(usr.set_index(KEY).index)
    intact = True
    if replaced.any():
        cols = ["maal", "opnaaet"]  # the figures goal attainment is computed from
        mine = ref.loc[replaced].set_index(KEY)[cols].sort_index()
        theirs = usr.set_index(KEY).loc[mine.index, cols].sort_index()
        intact = bool(mine.astype(str).equals(theirs.astype(str)))
    out = pd.concat([ref.loc[~replaced], usr], ignore_index=True)
    return out, intact


def load_dir(data_dir) -> PuljeData:
    data_dir = Path(data_dir)
    contracts = load_contracts()
    own = input_path(data_dir, contracts["puljeprojekter"])
    user_file = own if own is not None and own.parent.resolve() == data_dir.resolve() else None
    user = read_input(data_dir, "puljeprojekter") if user_file is not None else None
    projekter, intact = combine_projects(reference_projects(), user)
    deltagere = None
    if input_path(data_dir, contracts["puljedeltagere"]) is not None:
        deltagere = read_input(data_dir, "puljedeltagere")
        deltagere["kommunekode"] = deltagere["kommunekode"].astype(int)
    return PuljeData(projekter=projekter, deltagere=deltagere, user_projects_file=user_file,
                     reference_intact=intact)


def load(params) -> PuljeData:
    """Read the inputs for ``params`` (a validated RunParams)."""
    return load_dir(params.data_dir)
