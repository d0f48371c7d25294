"""Statistics shared by the analyses: shares and CIs (shares), cluster-robust regression and model
tables (models), coder reliability (reliability), survey estimates with design-based uncertainty
(survey). Each method once; the analyses call these, never their own copies."""
from .models import ClusteredFit, fit_clustered, model_table
from .reliability import agreement, cohens_kappa, reliability_table
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

__all__ = ["share", "proportion_ci", "share_with_ci", "share_row", "distribution_rows",
           "ClusteredFit", "fit_clustered", "model_table", "agreement", "cohens_kappa", "reliability_table",
           "TALLIES", "TALLY_LABELS", "tally_weights", "survey_sample", "SurveyDesign", "survey_shares", "survey_means"]
