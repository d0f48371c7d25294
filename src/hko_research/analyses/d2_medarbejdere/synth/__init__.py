"""Synthetic inputs for delanalyse 2: the employee survey (as a SurveyXact export) and the staff counts.

1. design:  the casekommuner with their facts (population, VIVE rank, delanalyse 3's anvendelsesgrad
            on the generated grants, delanalyse 1's typology), staff counts and respondents with the
            report's response rates (9.4), and the respondent profile (stilling, anciennitet, køn, alder).
2. svar:    every question's answers, calibrated per cell so that the pipeline reproduces Figur 3-21,
            Tabel 11 and the relationships chapter 4 states (calibration_survey.yaml, with lines).

Runs after delanalyse 3's generator (``depends_on``), whose frames it reads from ``ctx.outputs``.
The default data hold the survey as a SurveyXact workbook; :func:`write_survey` writes the same
respondents as SPSS ``.sav``, as the SurveyXact CSV export or in the project's long form.
"""
from __future__ import annotations

from pathlib import Path

import pandas as pd
import yaml

from ....inputs.survey import questionnaire
from ....synth import FileWriter

CALIBRATION = Path(__file__).with_name("calibration_survey.yaml")
STEM = "medarbejdersurvey"
FORMATS = ("xlsx", "surveyxact_csv", "sav", "lang")


def calibration() -> dict:
    return yaml.safe_load(CALIBRATION.read_text(encoding="utf-8"))


def survey_frames(ctx) -> tuple[pd.DataFrame, pd.DataFrame]:
    """(respondent table in the questionnaire's variables, medarbejdertal) for ``ctx``."""
    from . import design, svar

    cal = calibration()
    kom = design.kommune_facts(ctx, cal)
    kom = design.staff_and_respondents(kom, cal, ctx.rng("d2.medarbejdere"))
    resp = design.respondents(kom, cal, ctx.rng("d2.profil"))
    resp = svar.all_answers(resp, kom, cal, ctx.rng("d2.svar"))
    resp = resp.sample(frac=1.0, random_state=ctx.rng("d2.orden").integers(2**31)).reset_index(drop=True)
    resp["respondent_id"] = [str(100001 + i) for i in range(len(resp))]
    resp["q1"] = resp["kommunekode"]
    q = questionnaire(STEM)
    table = pd.DataFrame({v: resp[v] for v in q.variables})
    for v in q.variables:
        if q.kind(v) in ("enkeltvalg", "flervalg", "tal") and v != "respondent_id":
            table[v] = pd.to_numeric(table[v]).astype("Int64")
    staff = kom[["kommunekode", "medarbejdere"]].assign(opgjort=str(cal["medarbejdere_opgjort"]))
    return table, staff


def write_survey(table: pd.DataFrame, out_dir: str | Path, fmt: str = "xlsx", *, stem: str = STEM) -> list[Path]:
    """Write the survey ``table`` (questionnaire variables) into ``out_dir`` as ``fmt``: a SurveyXact
    workbook (xlsx), the SurveyXact CSV export (surveyxact_csv, UTF-16 tab-separated), SPSS (sav) or
    the project's long form (lang: ``<stem>.csv`` with respondent_id, variabel, vaerdi, and
    ``<stem>_kodebog.csv``)."""
    from ....inputs import spss, surveyxact

    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    cb = questionnaire(stem).codebook()
    if fmt == "xlsx":
        return [surveyxact.write_workbook(out_dir / f"{stem}.xlsx", table, cb)]
    if fmt == "surveyxact_csv":
        return surveyxact.write_csv_export(out_dir / stem, table, cb)
    if fmt == "sav":
        return [spss.write_sav(out_dir / f"{stem}.sav", table, cb)]
    if fmt == "lang":
        long = table.melt(id_vars="respondent_id", var_name="variabel", value_name="vaerdi").dropna(subset=["vaerdi"])
        long["vaerdi"] = long["vaerdi"].astype("Int64").astype(str)
        order = {v: i for i, v in enumerate(table.columns)}
        long = long.assign(_o=long["variabel"].map(order)).sort_values(["respondent_id", "_o"], kind="stable")
        p1 = out_dir / f"{stem}.csv"
        long.drop(columns="_o").to_csv(p1, index=False, lineterminator="\n")
        p2 = out_dir / f"{stem}_kodebog.csv"
        cb.to_csv(p2, index=False, lineterminator="\n")
        return [p1, p2]
    raise ValueError(f"unknown format {fmt!r}; choose one of {', '.join(FORMATS)}")


def generate(ctx) -> dict:
    table, staff = survey_frames(ctx)
    return {"medarbejdersurvey": FileWriter(lambda out: write_survey(table, out, "xlsx")[0], table),
            "medarbejdertal": staff}
