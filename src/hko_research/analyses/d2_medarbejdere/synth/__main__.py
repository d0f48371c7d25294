"""Write the survey of a data folder in another format (the default data hold a SurveyXact workbook):

    python -m hko_research.analyses.d2_medarbejdere.synth --format sav --til /tmp/spss [--fra data/synthetic]

Formats: xlsx (SurveyXact workbook), surveyxact_csv (UTF-16 tab-separated Dataset/Structure/Labels),
sav (SPSS with value labels), lang (the project's long form with its codebook). The respondents are
read through the same reader as validation, so the written file holds the same table.
"""
from __future__ import annotations

import argparse

from ....inputs.survey import read_survey
from ....paths import DEFAULT_DATA_DIR
from . import FORMATS, write_survey


def main(argv: list[str] | None = None) -> None:
    ap = argparse.ArgumentParser(description="Skriv medarbejdersurveyen i et andet format.")
    ap.add_argument("--format", choices=FORMATS, required=True)
    ap.add_argument("--til", required=True, help="mappe, filerne skrives i")
    ap.add_argument("--fra", default=str(DEFAULT_DATA_DIR), help="datamappe med surveyen (standard: data/synthetic)")
    args = ap.parse_args(argv)
    for path in write_survey(read_survey(args.fra).respondenter, args.til, args.format):
        print(path)


if __name__ == "__main__":
    main()
