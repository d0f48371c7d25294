"""Statistics shared by the analyses: shares and CIs (shares), survey estimates with design-based
uncertainty (survey), and later model tables. Each method once; the analyses call these, never
their own copies."""
from .shares import distribution_rows, proportion_ci, share, share_row, share_with_ci
from .survey import (
    TALLIES,
    TALLY_LABELS,
    SurveyDesign,
    survey_means,
    survey_sample,
    survey_shares,
    tally_weights,
)

__all__ = ["share", "proportion_ci", "share_with_ci", "share_row", "distribution_rows", "TALLIES", "TALLY_LABELS",
           "tally_weights", "survey_sample", "SurveyDesign", "survey_shares", "survey_means"]
