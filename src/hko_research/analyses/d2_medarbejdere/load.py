"""Delanalyse 2 — loading: the employee survey (in whichever format the data folder holds), the
staff counts and the kommune facts, read once per run into :class:`SurveyData`.

The per-kommune anvendelsesgrad is delanalyse 3's measure, reused and not recomputed: pass
``anvendelse = d3.anvendelsesgrad_kommuner(d3.load(P))`` (the notebook does), or let :func:`load`
build it. Respondent numbers stay inside ``SurveyData``; no published table carries them.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from ...inputs.contracts import read_input
from ...inputs.survey import read_survey
from ...kommuner import kommune_tabel, kommunestoerrelse
from ...stats import TALLIES, tally_weights
from . import measures as M

HOVEDVAEGTNING = "kommune_vaegtet"  # the report's tally for its aggregated figures (9.4.1; definitions.md)


@dataclass
class SurveyData:
    """One run's survey: respondents (with derived columns and the four tallies' weights), the
    casekommuner's facts, the codebook the file declared."""

    year: int
    kommuner: tuple[int, ...]       # the run's selection (any kommuner)
    all_kommuner: bool
    resp: pd.DataFrame              # one row per respondent
    kom: pd.DataFrame               # one row per casekommune in the survey
    kodebog: pd.DataFrame
    rang: pd.DataFrame              # every kommune's VIVE rank (the rammevilkår bands)
    format: str
    dropped_columns: tuple[str, ...] = ()
    notes: list[str] = field(default_factory=list)

    @property
    def valgte(self) -> tuple[int, ...]:
        """The selected kommuner that are casekommuner in the survey."""
        return tuple(k for k in self.kom["kommunekode"] if k in set(self.kommuner))

    @property
    def har_casekommuner(self) -> bool:
        return bool(self.valgte)


def weight_column(tally: str) -> str:
    return f"vaegt_{tally}"


def load(params, *, anvendelse: pd.DataFrame | None = None, tally: str = HOVEDVAEGTNING) -> SurveyData:
    """Read the survey and the kommune facts for ``params`` (a validated RunParams)."""
    if anvendelse is None:
        from ..d3_brug import tables as d3

        anvendelse = d3.anvendelsesgrad_kommuner(d3.load(params))
    return load_dir(params.data_dir, params.year, params.kommuner, all_kommuner=params.all_kommuner,
                    anvendelse=anvendelse)


def load_dir(data_dir, year: int, kommuner, *, all_kommuner: bool = False,
             anvendelse: pd.DataFrame | None = None) -> SurveyData:
    data_dir = Path(data_dir)
    survey = read_survey(data_dir, "medarbejdersurvey")
    typed = read_input(data_dir, "medarbejdersurvey")  # the contract's types (what validated)
    resp = typed.rename(columns={"q1": "kommunekode"})
    resp["kommunekode"] = resp["kommunekode"].astype(int)
    staff = read_input(data_dir, "medarbejdertal", ["kommunekode", "medarbejdere"])
    bef = read_input(data_dir, "befolkning", ["kommunekode", "kvartal", "befolkning"])
    ramme = read_input(data_dir, "rammevilkaar", ["kommunekode", "rang"])
    typ = read_input(data_dir, "kommunetypologi", ["kommunekode", "strategi", "organisering"])

    n_k = resp.groupby("kommunekode").size().rename("respondenter")
    kom = kommune_tabel().merge(n_k, left_on="kommunekode", right_index=True, how="inner")
    kom = kom.merge(staff, on="kommunekode", how="left").merge(ramme, on="kommunekode", how="left")
    kom = kom.merge(typ, on="kommunekode", how="left")
    pop = bef.loc[bef["kvartal"] == f"{int(year) - 1}K4"].set_index("kommunekode")["befolkning"]
    kom["befolkning"] = kom["kommunekode"].map(pop).astype(float)
    kom["befolkningsandel"] = kom["befolkning"] / kom["befolkning"].sum()
    kom["besvarelsesprocent"] = [M.besvarelsesprocent(n, N) for n, N in zip(kom["respondenter"], kom["medarbejdere"])]
    kom["rammevilkaar"] = M.rammevilkaar_kap4(kom["rang"]).to_numpy()
    kom["kommunestoerrelse"] = kommunestoerrelse(kom["befolkning"]).to_numpy()
    if anvendelse is not None:
        a = anvendelse.set_index("kommunekode")
        kom["anvendelsesgrad"] = kom["kommunekode"].map(a["anvendelsesgrad"])
        kom["anvendelsesgrad_band"] = kom["kommunekode"].map(a["anvendelsesgrad_band"])
    else:
        kom["anvendelsesgrad"], kom["anvendelsesgrad_band"] = float("nan"), None
    kom["valgt"] = kom["kommunekode"].isin(list(kommuner))
    kom = kom.sort_values("kommune").reset_index(drop=True)

    facts = kom.set_index("kommunekode")
    for col in ("kommune", "region", "medarbejdere", "befolkning", "rammevilkaar", "strategi", "organisering",
                "anvendelsesgrad_band", "kommunestoerrelse"):
        resp[col] = resp["kommunekode"].map(facts[col])
    resp["stilling"] = resp["q2"].map(M.STILLINGER).astype("string")
    resp["anciennitet"] = M.anciennitet_band(resp["q4"]).to_numpy()
    resp["anciennitet_3"] = M.anciennitet_band(resp["q4"], M.ANCIENNITET_TRE).to_numpy()
    resp["koen"] = resp["q5"].map({1: "kvinde", 2: "mand", 3: "andet"}).astype("string")
    resp["viden_hko"] = M.viden_hko_niveau(resp[[f"q8{x}" for x in "abcd"]].astype(float)).to_numpy()
    resp["hanne"] = resp["hanne_ydelse"].map(M.HANNE_YDELSER).astype("string")
    for col in ("rammevilkaar", "strategi", "organisering", "anvendelsesgrad_band", "kommunestoerrelse", "stilling",
                "anciennitet", "anciennitet_3", "koen", "viden_hko"):  # cross-tab groups: never missing
        resp[col] = resp[col].astype("string").fillna("ukendt")
    for t in TALLIES:
        resp[weight_column(t)] = tally_weights(resp["kommunekode"], t, befolkning=facts["befolkning"],
                                               medarbejdere=facts["medarbejdere"]).to_numpy()
    notes = []
    if survey.dropped:
        notes.append(f"Kolonner uden for spørgeskemaet er ikke læst ind: {', '.join(survey.dropped)}.")
    return SurveyData(year=int(year), kommuner=tuple(int(k) for k in kommuner), all_kommuner=bool(all_kommuner),
                      resp=resp, kom=kom, kodebog=survey.kodebog, rang=ramme, format=survey.format,
                      dropped_columns=survey.dropped, notes=notes)
