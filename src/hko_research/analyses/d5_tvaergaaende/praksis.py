"""7.2 (Delkonklusion and Best practice) as a table: each finding of the report -> the report's
evidence -> what this run shows, written from the *published* (protected) tables, so a suppressed
number is named as such and never reconstructed."""
from __future__ import annotations

import math

import pandas as pd

from ...levels import NATIONAL


def _pct(x) -> str:
    return "undertrykt" if x is None or (isinstance(x, float) and math.isnan(x)) else \
        f"{100 * x:.0f} pct.".replace(".", ",", 0)


def _p(x) -> str:
    return "–" if x is None or (isinstance(x, float) and math.isnan(x)) else f"{x:.3f}".replace(".", ",")


def _share(t: pd.DataFrame, **kw) -> float:
    d = t.loc[t["niveau"].isin(NATIONAL)] if "niveau" in t.columns else t
    for k, v in kw.items():
        d = d.loc[d[k] == v]
    return float(d["andel"].iloc[0]) if len(d) == 1 and pd.notna(d["andel"].iloc[0]) else math.nan


def _model(t: pd.DataFrame | None, ordning: str, niveau: str, model: str, term: str | None = None) -> str:
    if t is None:
        return "ikke beregnet"
    d = t.loc[(t["ordning"] == ordning) & (t["analyseniveau"] == niveau) & (t["model"] == model)]
    if term is not None:
        d = d.loc[d["term"].str.startswith(term)]
    if len(d) != 1 or pd.isna(d["koefficient"].iloc[0]):
        return "ikke estimeret"
    r = d.iloc[0]
    return f"{'positiv' if r['koefficient'] > 0 else 'negativ'}, p = {_p(r['p_vaerdi'])}"


def _groups(t: pd.DataFrame, ordning: str, maal: str, dimension: str, grupper) -> str:
    return ", ".join(f"{g.replace('_', ' ')} {_pct(_share(t, ordning=ordning, maal=maal, dimension=dimension, gruppe=g))}"
                     for g in grupper)


def _range(t: pd.DataFrame, maal: str, dimension: str) -> str:
    d = t.loc[t["niveau"].isin(NATIONAL) & (t["maal"] == maal) & (t["dimension"] == dimension) & (t["gruppe"] != "I alt")]
    v = pd.to_numeric(d["andel"], errors="coerce")
    return "undertrykt" if v.isna().any() or v.empty else f"{100 * v.min():.0f}-{100 * v.max():.0f} pct."


def best_practice(grupper: pd.DataFrame, baand: pd.DataFrame, modeller: dict[str, pd.DataFrame]) -> pd.DataFrame:
    """One row per finding: ``udsagn`` (7.2), ``rapportens_belaeg`` (the report's numbers and
    line), ``denne_koersel`` (this run, from the protected tables)."""
    m = modeller.get
    pa, hm = "Personlig assistance", "Hjælpemidler"
    strat, org = ("proaktiv", "reaktiv", "diffus"), ("specialiseret_team", "spredt_specialisering", "generel_specialisering")
    rows = [
        ("Jobcentrenes strategiske fokus har betydning for målgruppens tilknytning til arbejdsmarkedet",
         "Øgede løntimer: PA 19/16/14 pct., hjælpemidler 18/19/14 pct. (proaktiv/reaktiv/diffus, l.2059); "
         "forskelle, ikke signifikante sammenhænge (l.297)",
         f"PA: {_groups(grupper, pa, 'oegede', 'strategi', strat)}; hjælpemidler: "
         f"{_groups(grupper, hm, 'oegede', 'strategi', strat)} (Figur 32)"),
        ("Nøglepersonordningen som spredt specialisering understøtter bedst øgede løntimer",
         "Hjælpemidler: spredt specialisering 7 procentpoint over generel og 6 over specialiseret team; kun 2 "
         "casekommuner (l.2097)",
         f"Hjælpemidler: {_groups(grupper, hm, 'oegede', 'organisering', org)} (Figur 34); ingen test med under 5 "
         "kommuner i en gruppe"),
        ("Høj fastholdelse på tværs af organiseringstyperne",
         "93-96 pct. har fortsat løntimer tre måneder efter bevilling (l.2101, l.2257)",
         f"{_range(grupper, 'fastholdelse', 'organisering')} (Figur 35)"),
        ("Manglende variation på de medarbejderrelaterede forhold udfordrer sammenhængsanalyser",
         "Ingen signifikant sammenhæng mellem viden, vejledningskompetence og tro på borger og øgede/fastholdte "
         "løntimer (l.2120)",
         "Øgede løntimer, personniveau: " + "; ".join(
             f"{lab}: PA {_model(m('model_medarbejdere_udfald'), pa, 'personniveau', 'uden kontrol', lab)}, hjælpemidler "
             f"{_model(m('model_medarbejdere_udfald'), hm, 'personniveau', 'uden kontrol', lab)}"
             for lab in ("Viden", "Vejledningskompetence", "Tro"))),
        ("Høj tro på borger hænger sammen med højere anvendelsesgrad",
         "Statistisk signifikant sammenhæng (l.2261); kaldt deskriptiv i kapitel 2 (l.403)",
         f"Tro på borger: {_model(m('model_medarbejdere_anvendelse'), 'PA og hjælpemidler', 'kommuneniveau', 'uden kontrol', 'Tro')} "
         "(kommuneniveau, casekommuner)"),
        ("Anvendelsesgrad og rekrutteringsgrad hænger sammen",
         "Des højere anvendelsesgrad, des højere rekrutteringsgrad (l.2179)",
         f"PA: {_model(m('model_anvendelse_rekruttering'), pa, 'kommuneniveau', 'uden kontrol')}; hjælpemidler: "
         f"{_model(m('model_anvendelse_rekruttering'), hm, 'kommuneniveau', 'uden kontrol')} (Figur 38)"),
        ("For personlig assistance: des større rekrutteringsgrad, des flere med øgede løntimer",
         "Positiv sammenhæng for PA, ingen direkte for hjælpemidler (l.2156, l.2171)",
         f"PA: {_model(m('model_rekrutteringsgrad'), pa, 'personniveau', 'uden kontrol')}; hjælpemidler: "
         f"{_model(m('model_rekrutteringsgrad'), hm, 'personniveau', 'uden kontrol')} (Figur 37)"),
        ("Anvendelsesgraden betyder mere for tilknytningen end rammevilkårene",
         "Rammevilkår: signifikant negativ; insignifikant med anvendelsesgrad (l.2219, l.2269)",
         "Hjælpemidler, personniveau: uden kontrol "
         f"{_model(m('model_rammevilkaar'), hm, 'personniveau', 'uden kontrol')}; med anvendelsesgrad "
         f"{_model(m('model_rammevilkaar'), hm, 'personniveau', 'med anvendelsesgrad, køn og alder')}"),
        ("Des større kommune, des færre med øgede løntimer",
         "Signifikant for begge ordninger, også med anvendelsesgraden konstant (l.2229)",
         f"PA: {_model(m('model_kommunestoerrelse'), pa, 'personniveau', 'med anvendelsesgrad, køn og alder')}; "
         f"hjælpemidler: {_model(m('model_kommunestoerrelse'), hm, 'personniveau', 'med anvendelsesgrad, køn og alder')} "
         f"(personniveau med kontrol); fastholdelse efter størrelse {_range(baand, 'fastholdelse', 'kommunestoerrelse')}"),
    ]
    kval = "Kvalitative fund (interview med direktører, jobcenterchefer og teamledere; 7.1.1-7.1.2)"
    ikke = "Bygger på de kvalitative interview og beregnes ikke af denne kørsel"
    for anbefaling in (
        "At synliggøre målgruppens omfang lokalt og præge den lokalpolitiske dagsorden",
        "At forenkle reglerne, så det bliver tydeligere, hvem målgruppen for HKO omfatter",
        "At styrke det tværsektorielle samarbejde med virksomheder, uddannelsesinstitutioner, "
        "handicaporganisationer og de enheder, der forvalter serviceloven",
        "At udbrede dele af bevillingskompetencen til flere jobcentermedarbejdere end nøglepersonerne",
        "At etablere faglige sparringsfora på tværs af medarbejdere med bevillingskompetence",
        "At tænke HKO ind i en kontekst af rekruttering frem for primært fastholdelse",
    ):
        rows.append((f"Anbefaling: {anbefaling}", kval, ikke))
    return pd.DataFrame(rows, columns=["udsagn", "rapportens_belaeg", "denne_koersel"])
