"""Delanalyse 5 — the report's claims of chapter 7 as models, with and without controls (def. 11-14).

Each claim (:data:`PAASTANDE`) is estimated twice over:

* **kommune level**: the kommune's share of recipients with the outcome on the regressor(s),
  ``GLM(share, X, Binomial(), var_weights=n)`` with the Pearson dispersion (R's quasibinomial:
  :func:`hko_research.stats.models.fit_share_glm`); G = N = the kommuner;
* **person level**: a logit of the person's outcome on the kommune regressor(s) (and, with
  controls, køn and alder from BEF), standard errors clustered by kommune, t with G-1 df, odds
  ratios and average marginal effects; the linear probability model's wild cluster bootstrap
  p-value beside it (Webb weights, fixed seed).

The relationships are descriptive: the report stresses that no counterfactual exists (l.2031)
and that HKO is mostly granted when a job is in sight (l.2031); :func:`laesning` says so with
every reading.
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from ...stats.models import effect_table, fit_logit_clustered, fit_share_glm, wild_cluster_bootstrap_p
from ...vocabulary import ORDNING_NAVN
from . import measures as M
from .kommuneramme import SKALAER
from .udfald import oeget

# outcome -> (kommune share column, its base n, person flag column)
UDFALD = {
    "oegede": ("andel_oeget", "n_oeget", "_oeget"),
    "fastholdelse": ("andel_fastholdelse", "n_fastholdelse", "fastholdt"),
    "rekrutteringsgrad": ("rekrutteringsgrad", "n_bevillinger", None),
    "anvendelsesgrad": ("anvendelsesgrad", "befolkning", None),
}
TERM_LABELS = {"rang10": "Rammevilkår (pr. 10 rangpladser)", "log2_befolkning": "Kommunestørrelse (pr. fordobling)",
               "anvendelse_01": "Anvendelsesgrad (pr. 0,1 procentpoint)",
               "rekruttering_10": "Rekrutteringsgrad (pr. 10 procentpoint)",
               "viden": "Viden om HKO (pr. point, 0-10)", "vejledning": "Vejledningskompetence (pr. point, 1-5)",
               "tro": "Tro på borger (pr. point, 1-5)"}
PERSON_KONTROL = ("C(koen)", "alder")
KOMMUNE, PERSON = "kommuneniveau", "personniveau"  # the two levels of analysis (column analyseniveau)
FORBEHOLD = ("Sammenhængene er beskrivende: data giver ingen kontrafaktisk sammenligning (hvordan det var gået "
             "uden HKO), og HKO bevilges oftest, når der foreligger eller er udsigt til en ansættelse (rapporten, "
             "l.2031). De siger derfor intet om effekten af HKO.")


@dataclass(frozen=True)
class Paastand:
    navn: str
    titel: str
    rapporten: str                   # what the report found, with its line
    udfald: str                      # key of UDFALD
    terms: tuple[str, ...]           # one model per term
    kontroller: tuple[tuple[str, ...], ...] = ((),)
    casekommuner: bool = False
    person: bool = True
    ordninger: tuple[str, ...] = ("pa", "hm")


PAASTANDE = (
    Paastand("rammevilkaar", "Rammevilkår og øgede løntimer (7.1.4)",
             "negativ og signifikant sammenhæng; insignifikant, når der justeres for anvendelsesgrad (l.2219)",
             "oegede", ("rang10",), ((), ("anvendelse_01",))),
    Paastand("kommunestoerrelse", "Kommunestørrelse og øgede løntimer (7.1.4)",
             "signifikant negativ sammenhæng for begge ordninger, også når anvendelsesgraden holdes konstant (l.2229)",
             "oegede", ("log2_befolkning",), ((), ("anvendelse_01",))),
    Paastand("rekrutteringsgrad", "Rekrutteringsgrad og øgede løntimer (7.1.3)",
             "positiv sammenhæng for personlig assistance, ingen direkte for hjælpemidler (l.2156, l.2171)",
             "oegede", ("rekruttering_10",)),
    Paastand("anvendelse_rekruttering", "Anvendelsesgrad og rekrutteringsgrad (7.1.3)",
             "des højere anvendelsesgrad, des højere rekrutteringsgrad (l.2179-2181)",
             "rekrutteringsgrad", ("anvendelse_01",), person=False),
    Paastand("medarbejdere_anvendelse", "Medarbejdernes viden, vejledningskompetence og tro på borger og "
             "anvendelsesgrad (casekommuner, 7.2)",
             "statistisk signifikant sammenhæng mellem høj tro på borger og højere anvendelsesgrad (l.2261)",
             "anvendelsesgrad", ("viden", "vejledning", "tro"), casekommuner=True, person=False, ordninger=("hm",)),
    Paastand("medarbejdere_udfald", "Medarbejdernes viden, vejledningskompetence og tro på borger og øgede "
             "løntimer (casekommuner, 7.1.2)",
             "ingen statistisk signifikant sammenhæng; begrænset datagrundlag (20 casekommuner) og lille variation "
             "(l.2120)", "oegede", ("viden", "vejledning", "tro"), casekommuner=True),
)
BY_NAME = {p.navn: p for p in PAASTANDE}
COLUMNS = ["ordning", "term", "analyseniveau", "model", "koefficient", "standardfejl", "konf_nedre", "konf_oevre",
           "p_vaerdi", "odds_ratio", "marginal_effekt", "p_wild", "dispersion", "signifikant", "kommuner",
           "observationer", "bemaerkning"]


def _model_name(kontrol: tuple[str, ...], niveau: str) -> str:
    if not kontrol:
        return "uden kontrol"
    names = ", ".join(TERM_LABELS.get(k, k).split(" (")[0].lower() for k in kontrol)
    return f"med {names}" + (", køn og alder" if niveau == PERSON else "")


def personer(T, ramme: pd.DataFrame, population: str | None = None) -> pd.DataFrame:
    """The followed recipients with their kommune's regressors (the join, :mod:`.kommuneramme`)."""
    u = T.udfald.loc[T.udfald["observerbar"]].copy()
    u["_oeget"] = oeget(u, population)
    cols = ["kommunekode", "ordning", "rang10", "log2_befolkning", "anvendelse_01", "rekruttering_10", "viden",
            "vejledning", "tro", "casekommune"]
    return u.merge(ramme[cols], on=["kommunekode", "ordning"], how="left")


def _row(base: dict, **kw) -> dict:
    row = {**{c: np.nan for c in COLUMNS}, **base, **kw}
    g = row.get("kommuner")
    if g is not None and not pd.isna(g) and g < M.MIN_KOMMUNER_TEST:
        # too few clusters for any standard error (kommune GLM: too few units): estimate only
        for c in ("standardfejl", "konf_nedre", "konf_oevre", "p_vaerdi", "p_wild"):
            row[c] = np.nan
        row["bemaerkning"] = f"ingen test: {int(g)} kommuner, mindst {M.MIN_KOMMUNER_TEST} kræves"
    return row


def estimate(T, ramme: pd.DataFrame, claim: Paastand, *, population: str | None = None,
             bootstrap: bool = True) -> pd.DataFrame:
    """One claim's table: for each ordning, term and control set, the kommune-level GLM and (for
    person-level outcomes) the clustered logit with its wild bootstrap p-value."""
    share_col, n_col, flag = UDFALD[claim.udfald]
    kom = ramme.loc[ramme["valgt"]]
    if claim.casekommuner:
        kom = kom.loc[kom["casekommune"]]
    pers = personer(T, ramme, population) if claim.person else None
    if pers is not None:
        pers = pers.loc[pers["kommunekode"].isin(kom["kommunekode"].unique())]
    rows = []
    for o in claim.ordninger:
        label = "PA og hjælpemidler" if claim.udfald == "anvendelsesgrad" else ORDNING_NAVN[o]
        ko = kom.loc[kom["ordning"] == o]
        for term in claim.terms:
            for kontrol in claim.kontroller:
                rhs = " + ".join((term, *kontrol))
                base = {"ordning": label, "term": TERM_LABELS.get(term, term)}
                b = {**base, "analyseniveau": KOMMUNE, "model": _model_name(kontrol, KOMMUNE)}
                try:
                    fit = fit_share_glm(f"{share_col} ~ {rhs}", ko, n_col)
                    t = effect_table(fit, [term]).iloc[0].to_dict()
                    t.pop("term")
                    rows.append(_row(b, **t, dispersion=fit.dispersion, bemaerkning=""))
                except (ValueError, np.linalg.LinAlgError) as exc:
                    rows.append(_row(b, bemaerkning=f"kan ikke estimeres: {exc}"))
                if pers is None:
                    continue
                po = pers.loc[(pers["ordning"] == o) & pers[flag].notna()].copy()
                po["y"] = po[flag].astype(float)
                prhs = rhs + (" + " + " + ".join(PERSON_KONTROL) if kontrol else "")
                b = {**base, "analyseniveau": PERSON, "model": _model_name(kontrol, PERSON)}
                try:
                    fit = fit_logit_clustered(f"y ~ {prhs}", po, "kommunekode")
                    t = effect_table(fit, [term]).iloc[0].to_dict()
                    t.pop("term")
                    few = fit.n_clusters < M.MIN_KOMMUNER_TEST
                    pw = wild_cluster_bootstrap_p(f"y ~ {prhs}", po, "kommunekode", term) \
                        if bootstrap and not few else np.nan
                    rows.append(_row(b, **t, p_wild=pw, bemaerkning=""))
                except Exception as exc:  # noqa: BLE001 - separation, too few clusters: shown, not hidden
                    rows.append(_row(b, bemaerkning=f"kan ikke estimeres: {type(exc).__name__}"))
    out = pd.DataFrame(rows, columns=COLUMNS)
    out["signifikant"] = [{True: "ja", False: "nej", None: ""}[M.signifikant(p)] for p in out["p_vaerdi"]]
    return out


def alle(T, ramme: pd.DataFrame, *, population: str | None = None, bootstrap: bool = True) -> dict[str, pd.DataFrame]:
    """Every claim's table, keyed ``model_<navn>``."""
    return {f"model_{c.navn}": estimate(T, ramme, c, population=population, bootstrap=bootstrap) for c in PAASTANDE}


def _fmt(x, d=3) -> str:
    return "–" if x is None or pd.isna(x) else f"{x:.{d}f}".replace(".", ",")


def laesning(table: pd.DataFrame, claim: Paastand | str) -> str:
    """A plain-Danish reading of one claim's (published) table: the sign, size and significance of
    each model next to what the report found, and the report's caveat. Masked values are named."""
    claim = BY_NAME[claim] if isinstance(claim, str) else claim
    parts = [f"**{claim.titel}.** Rapporten: {claim.rapporten}."]
    for (ordning, term), s in table.groupby(["ordning", "term"], sort=False):
        bits = []
        for _, r in s.iterrows():
            if pd.isna(r["koefficient"]):
                bits.append(f"{r['analyseniveau']}, {r['model']}: ikke estimeret ({r['bemaerkning'] or 'undertrykt'})")
                continue
            sign = "positiv" if r["koefficient"] > 0 else "negativ"
            if pd.isna(r["p_vaerdi"]):
                bits.append(f"{r['analyseniveau']}, {r['model']}: {sign}, {r['bemaerkning'] or 'ingen test'} "
                            f"(G = {int(r['kommuner'])} kommuner, N = {int(r['observationer'])})")
                continue
            sig = "signifikant" if r["signifikant"] == "ja" else "ikke signifikant"
            me = (f"; marginal effekt {_fmt(100 * r['marginal_effekt'], 2)} procentpoint"
                  if pd.notna(r["marginal_effekt"]) else "")
            wild = f", wild bootstrap p = {_fmt(r['p_wild'])}" if pd.notna(r.get("p_wild")) else ""
            bits.append(f"{r['analyseniveau']}, {r['model']}: {sign}, {sig} (p = {_fmt(r['p_vaerdi'])}{wild}{me}; "
                        f"G = {int(r['kommuner'])} kommuner, N = {int(r['observationer'])})")
        parts.append(f"{ordning}, {term.split(' (')[0].lower()}: " + "; ".join(bits) + ".")
    parts.append(FORBEHOLD)
    return "\n\n".join(parts)


def linje(ramme: pd.DataFrame, y: str, n: str, x: str, scale: float, *, ordning: str, points: int = 50) -> pd.DataFrame:
    """The fitted line and its 95 pct. band of the kommune-level GLM ``y ~ x`` (x in its model
    scale; ``scale`` converts the plotted x to it) over the selected kommuner of one ordning:
    ``x`` (plotted unit), ``tilpasset``, ``konf_nedre``, ``konf_oevre`` (shares)."""
    d = ramme.loc[ramme["valgt"] & (ramme["ordning"] == ordning)]
    fit = fit_share_glm(f"{y} ~ {x}", d, n)
    lo, hi = np.nanmin(d[x]), np.nanmax(d[x])
    grid = np.linspace(lo, hi, points)
    exog = pd.DataFrame({"Intercept": 1.0, x: grid})[list(fit.result.params.index)]
    pred = fit.result.get_prediction(exog).summary_frame(alpha=0.05)
    return pd.DataFrame({"x": grid / scale, "tilpasset": pred["mean"].to_numpy(),
                         "konf_nedre": pred["mean_ci_lower"].to_numpy(), "konf_oevre": pred["mean_ci_upper"].to_numpy()})


__all__ = ["PAASTANDE", "BY_NAME", "Paastand", "estimate", "alle", "laesning", "linje", "FORBEHOLD", "SKALAER"]
