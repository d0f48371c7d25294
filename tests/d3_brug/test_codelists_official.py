"""The code lists in params/mappings/ against their documented official source, not the generator:
DREAM's benefit codes (reference/dream_ydelseskoder.csv), DST's DISCED levels of HFAUDD
(reference/hfaudd_niveau.csv), WHO's ICD-10 chapters (reference/icd10_kapitler.csv) and DST's DB07
sections with the 10-gruppering (reference/db07_afsnit.csv); plus the pipeline's code functions on
the codes at the edges of each mapping."""
from __future__ import annotations

import re

import pandas as pd
import pytest

from hko_research import codelists
from hko_research.inputs.readers import read_mapping
from hko_research.paths import MAPPINGS_DIR, REFERENCE_DIR

FASTHOLDELSE = {"selvforsoerget", "delvis_sygemeldt", "fleksjob"}  # the definition box, l.1340
# the jobindsats.dk groups of Figur 22/23 (l.1368) per ydelsesgruppe
JOBINDSATS = {"a_dagpenge": "ADP", "kontanthjaelp": "KTH", "uddannelseshjaelp": "UDH", "revalidering": "REV",
              "integrationsydelse": "INT", "sygedagpenge": "SDP", "delvis_sygemeldt": "SDP", "jobafklaring": "JAF",
              "ressourceforloeb": "RESS", "ledighedsydelse": "LYD", "fleksjob": "FLEKS"}
# DREAM's own descriptions -> the group they name (first match wins)
DREAM_TEXT = [
    (r"^Sygedagpenge, Delvis rask", "delvis_sygemeldt"), (r"^Fleksjob", "fleksjob"),
    (r"^Sygedagpenge", "sygedagpenge"), (r"^Feriedagpenge fra beskæftigelse", "selvforsoerget"),
    (r"^(Dagpenge|Feriedagpenge fra ledighed|Ledighed, uden dagpenge|6-ugers-selvvalgt|Særlig uddannelsesydelse"
     r"|Arbejdsmarkedsydelse)", "a_dagpenge"),
    (r"^(Kontanthjælp under integrationsloven|Integrationsydelse)", "integrationsydelse"),
    (r"^Kontanthjælp", "kontanthjaelp"), (r"^Uddannelseshjælp", "uddannelseshjaelp"),
    (r"^Ledighedsydelse", "ledighedsydelse"), (r"^(Forrevalidering|Revalidering)", "revalidering"),
    (r"^Ressourceforløb", "ressourceforloeb"), (r"^Jobafklaring", "jobafklaring"), (r"^SU ", "su"),
    (r"^(Førtidspension|Efterløn|Folkepension|Skånejob|Død|Ikke bosiddende)", "uden_for_arbejdsstyrken"),
    (r"^(Orlov|Uddannelsesorlov|Servicejob|Voksenlærlinge|Rotationsvikarer|Overgangsydelse|Fleksydelse|VUS"
     r"|Barselsdagpenge)", "andet"),
]


@pytest.fixture(scope="module")
def ydelser():
    m = read_mapping(MAPPINGS_DIR / "ydelsesgrupper.csv")
    m = m.loc[m["kode"].notna()].copy()
    m["kode"] = m["kode"].astype(int)
    official = pd.read_csv(REFERENCE_DIR / "dream_ydelseskoder.csv")
    return m.merge(official, on="kode", how="outer", suffixes=("", "_dream"), indicator=True)


def test_every_dream_code_is_mapped_with_dreams_own_text(ydelser):
    assert (ydelser["_merge"] == "both").all(), ydelser.loc[ydelser["_merge"] != "both", ["kode", "_merge"]]
    differ = ydelser.loc[ydelser["betegnelse"] != ydelser["betegnelse_dream"], ["kode", "betegnelse", "betegnelse_dream"]]
    assert differ.empty, differ


def test_ydelsesgruppe_is_the_group_dreams_text_names(ydelser):
    wrong = []
    for r in ydelser.itertuples():
        want = next(g for pat, g in DREAM_TEXT if re.search(pat, r.betegnelse_dream))
        if r.ydelsesgruppe != want:
            wrong.append((r.kode, r.betegnelse_dream, r.ydelsesgruppe, want))
    assert not wrong, wrong


def test_perspektiv_and_jobindsats_group_follow_the_ydelsesgruppe(ydelser):
    for r in ydelser.itertuples():
        want = "fastholdelse" if r.ydelsesgruppe in FASTHOLDELSE else (
            "rekruttering" if r.ydelsesgruppe in JOBINDSATS else "andet")
        assert r.perspektiv == want, (r.kode, r.ydelsesgruppe, r.perspektiv)
        assert (r.jobindsats_gruppe if isinstance(r.jobindsats_gruppe, str) else None) == JOBINDSATS.get(
            r.ydelsesgruppe), (r.kode, r.jobindsats_gruppe)


def test_an_empty_dream_week_is_selvforsoerget():
    out = codelists.ydelsesgruppe_ved_bevilling(pd.Series([None, 899, 771, 651], dtype="Int64"))
    assert list(out["ydelsesgruppe"]) == ["selvforsoerget", "delvis_sygemeldt", "fleksjob", "su"]
    assert list(out["perspektiv"]) == ["fastholdelse", "fastholdelse", "fastholdelse", "andet"]


# ---- HFAUDD -> DISCED level -> uddannelsesgruppe ----------------------------------------------------

LEVEL_GROUP = [(r"^Korte videregående", "kort_videregaaende"), (r"^(Mellemlange videregående|Bacheloruddannelser)",
               "mellemlang_videregaaende"), (r"^(Lange videregående|Ph\.d\.)", "lang_videregaaende"),
               (r"^(Gymnasiale|Erhvervsfaglige|Adgangsgivende)", "gymnasial_erhvervsfaglig"),
               (r"^(Grundskole|Forberedende|Danskundervisning|Arbejdsmarkedsuddannelser)", "grundskole"),
               (r"^(Førskole|Uoplyst)", "uoplyst")]


def test_every_disced_level_is_mapped_once_with_dsts_name():
    m = read_mapping(MAPPINGS_DIR / "uddannelsesniveau.csv")
    m["niveau_kode"] = m["niveau_kode"].astype(str).str.zfill(2)
    official = pd.read_csv(REFERENCE_DIR / "hfaudd_niveau.csv", dtype={"niveau_kode": str})
    levels = official.drop_duplicates("niveau_kode").set_index("niveau_kode")["niveau"]
    assert m["niveau_kode"].is_unique and set(m["niveau_kode"]) == set(levels.index)
    for r in m.itertuples():
        assert r.betegnelse == levels[r.niveau_kode], r
        assert r.uddannelsesgruppe == next(g for pat, g in LEVEL_GROUP if re.search(pat, r.betegnelse)), r


def test_uddannelsesgruppe_of_a_code_of_every_level():
    official = pd.read_csv(REFERENCE_DIR / "hfaudd_niveau.csv", dtype={"niveau_kode": str})
    sample = official.groupby("niveau_kode").head(2)
    got = codelists.uddannelsesgruppe(sample["hfaudd_kode"]).to_numpy()
    want = [next(g for pat, g in LEVEL_GROUP if re.search(pat, n)) for n in sample["niveau"]]
    assert list(got) == want
    assert list(codelists.uddannelsesgruppe(pd.Series([None, 99999]))) == ["uoplyst", "uoplyst"]


# ---- ICD-10 -> funktionsnedsættelse, against WHO's chapters ------------------------------------------

CATEGORY_CHAPTERS = {"psykisk": {"V"}, "intellektuel": {"V"}, "sensorisk": {"VII", "VIII", "XVIII"},
                     "andet": {"V", "XVIII"}}  # fysisk: anything but chapter V


def _chapter(code: str, chapters: pd.DataFrame) -> str | None:
    three = code[:3]
    hit = chapters.loc[(chapters["fra"] <= three) & (three <= chapters["til"]), "kapitel"]
    return hit.iloc[0] if len(hit) == 1 else None


def test_icd10_prefixes_lie_in_the_chapter_their_impairment_belongs_to():
    chapters = pd.read_csv(REFERENCE_DIR / "icd10_kapitler.csv")
    assert len(chapters) == 22
    m = read_mapping(MAPPINGS_DIR / "icd10_funktionsnedsaettelse.csv")
    kat = read_mapping(MAPPINGS_DIR / "funktionsnedsaettelser.csv").set_index("kode")["kategori"]
    wrong = []
    for r in m.itertuples():
        assert re.fullmatch(r"[A-Z]\d{2}\d?", r.icd10_praefiks), r.icd10_praefiks
        ch = _chapter(r.icd10_praefiks, chapters)
        c = kat[r.funktionsnedsaettelse]
        ok = ch is not None and (ch != "V" if c == "fysisk" else ch in CATEGORY_CHAPTERS[c])
        if not ok:
            wrong.append((r.icd10_praefiks, r.funktionsnedsaettelse, c, ch))
    assert not wrong, wrong


def test_icd10_longest_prefix_at_the_edges():
    got = codelists.icd10_funktionsnedsaettelse(
        pd.Series(["DF845", "DF849", "DF603", "DF609", "DR480", "DR47", "M545", "DZ038", None]))
    assert list(got.fillna("-")) == ["asperger", "autisme", "borderline", "personlighedsforstyrrelse", "ordblindhed",
                                     "talebesvaer", "ryg_nakke", "-", "-"]


# ---- DB07 -> branchegruppe, against DST's sections and 10-gruppering --------------------------------

def test_branche_groups_are_whole_db07_sections_as_dsts_10_gruppering():
    sections = pd.read_csv(REFERENCE_DIR / "db07_afsnit.csv")
    m = read_mapping(MAPPINGS_DIR / "branche_db07.csv").astype({"fra": int, "til": int})
    covered = [d for r in m.itertuples() for d in range(r.fra, r.til + 1)]
    assert len(covered) == len(set(covered))  # no division in two groups
    for s in sections.itertuples():
        rows = m.loc[(m["fra"] <= s.fra) & (s.til <= m["til"])]
        assert len(rows) == 1, s.afsnit  # a section lies wholly in one group
        assert rows["betegnelse"].iloc[0] == s.dst_10_gruppe, (s.afsnit, rows["betegnelse"].iloc[0])
    # the divisions between sections (04, 34, 40, 44, 48, 54, 57, 67, 76, 83, 89) do not exist in DB07
    divisions = {d for s in sections.itertuples() for d in range(s.fra, s.til + 1)}
    assert set(covered) - divisions <= {4, 34, 40, 44, 48, 54, 57, 67, 76, 83, 89}


def test_branchegruppe_of_the_first_and_last_division_of_every_section():
    sections = pd.read_csv(REFERENCE_DIR / "db07_afsnit.csv")
    names = read_mapping(MAPPINGS_DIR / "branche_db07.csv").set_index("betegnelse")["branchegruppe"]
    codes = [f"{d:02d}0000" for s in sections.itertuples() for d in (s.fra, s.til)]
    want = [names[s.dst_10_gruppe] for s in sections.itertuples() for _ in (0, 1)]
    assert list(codelists.branchegruppe(pd.Series(codes))) == want
    assert codelists.branchegruppe(pd.Series(["", None, "000000"])).isna().all()
