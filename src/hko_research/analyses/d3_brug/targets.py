"""Delanalyse 3's report targets: computed numbers keyed by ``report_targets.csv`` id.

The mapping id -> computed quantity was written by reading the target list as a developer; this
code never reads the report's values (only :mod:`hko_research.publishing.reproduction` does, to
compare). Values are read from tables protected by the same disclosure step as the published ones.
"""
from __future__ import annotations

import numpy as np
import pandas as pd

from ...kommuner import kommune_navne
from ...levels import ALLE_CASE, LANDET
from ...publishing.targets import TablePicker
from ...vocabulary import FUNKTIONSNEDSAETTELSE_KATEGORIER as KATEGORIER
from ...vocabulary import ORDNING_NAVN
from .. import d3_brug
from .tables import SUMS

# report names -> impairment codes (funktionsnedsaettelser.csv) for the Tabel 14 top-5 ids
_DIAG = {"ryg_nakke": "ryg_nakke", "ben_foedder": "ben_foedder", "arme_haender": "arme_haender", "stress": "stress",
         "kognitiv_lidelse": "kognitiv_lidelse", "ordblindhed": "ordblindhed", "nedsat_hoerelse": "doev_nedsat_hoerelse",
         "depression": "depression", "asperger": "asperger", "bipolar": "bipolar", "sklerose": "sklerose"}

_TOP5 = {"fa": ["ryg_nakke", "ben_foedder", "stress", "sklerose", "kognitiv_lidelse"],
         "hm": ["ryg_nakke", "ben_foedder", "arme_haender", "ordblindhed", "nedsat_hoerelse"],
         "is": ["depression", "asperger", "ryg_nakke", "bipolar", "arme_haender"],
         "pa": ["ryg_nakke", "arme_haender", "kognitiv_lidelse", "ben_foedder", "nedsat_hoerelse"]}

# target-id kommune names -> DST names
_KOMMUNER_FIG25 = {"koebenhavn": "København", "aarhus": "Aarhus", "aalborg": "Aalborg", "odense": "Odense",
                   "herning": "Herning", "kolding": "Kolding", "ringkoebing_skjern": "Ringkøbing-Skjern",
                   "guldborgsund": "Guldborgsund", "skanderborg": "Skanderborg", "faaborg_midtfyn": "Faaborg-Midtfyn",
                   "svendborg": "Svendborg", "hoeje_taastrup": "Høje-Taastrup", "vejle": "Vejle"}

def reproduction_values(results: dict[str, pd.DataFrame], params) -> dict[str, float]:
    """Computed numbers keyed by delanalyse-3 target id of ``reference/report_targets.csv``.

    Only for the report's own setting (``params.is_report_setting``: 2019, all kommuner); otherwise
    an empty dict. The mapping id -> computed quantity was written by reading the target list as a
    developer; this code never reads the report's values. National values ("Hele landet"; for the
    case review "Alle casekommuner"); a value whose count is below ``min_cell_size`` is NaN.
    """
    if not getattr(params, "is_report_setting", False):
        return {}
    P = TablePicker(results, getattr(params, "min_cell_size", 5), sums=SUMS, basis=d3_brug.ANALYSIS.basis,
                    keys=d3_brug.ANALYSIS.keys)
    Y = int(params.year)
    y0 = Y - 1
    out: dict[str, float] = {}
    ON = ORDNING_NAVN

    # ---- 5.1 / 5.2 Omfang (Tabel 11)
    for o in ("pa", "hm", "is"):
        a0 = P("tabel_11", "antal", ordning=ON[o], periode=f"Bevilliget i {y0}")
        a1 = P("tabel_11", "antal", ordning=ON[o], periode=f"Bevilliget i {Y}")
        tot = P("tabel_11", "antal", ordning=ON[o], periode="I alt")
        out[f"d3_tabel11_{o}_{y0}"] = a0
        out[f"d3_tabel11_{o}_{Y}"] = a1
        out[f"d3_tabel11_{o}_{y0}_{Y}"] = tot
        out[f"d3_s52_bevillinger_{o}_{y0}_{Y}"] = tot
        out[f"d3_dk_bevillinger_{o}"] = tot
    out["d3_s51_is_sager_register"] = out[f"d3_tabel11_is_{y0}_{Y}"]
    fa_tot = P("tabel_11", "antal", ordning=ON["fa"], periode="I alt")
    out[f"d3_tabel11_fa_{y0}_{Y}"] = fa_tot
    out["d3_s51_fa_sager_landsdaekkende"] = fa_tot
    nk = float(P.table("survey_kommuner")["kommuner"].iloc[0])
    out["d3_tabel11_fa_kommuner"] = nk
    out["d3_s51_fa_jobcentre_landsdaekkende"] = nk
    out["d3_s52_stigning_pa"] = P("udvikling", "relativ_aendring", ordning="pa")
    out["d3_s52_stigning_hm"] = P("udvikling", "relativ_aendring", ordning="hm")
    out["d3_dk_stigning_pa_hm"] = P("udvikling", "relativ_aendring", ordning="pa+hm")
    out["d3_s52_fald_offentlig_forsoergelse"] = P("fuldtid_udvikling", "relativ_aendring")
    kf = P.table("kommune_fakta")
    navn2kode = {v: k for k, v in kommune_navne().items()}
    for key, name in (("esbjerg", "Esbjerg"), ("viborg", "Viborg")):
        r = kf.loc[(kf["maal"] == "andel af isbryderforløb") & (kf["kommunekode"] == navn2kode[name])]
        out[f"d3_s52_is_{key}"] = float(r["andel"].iloc[0]) if len(r) else 0.0

    # ---- Tabel 12 and anvendelsesgrad relationships
    for band in ("lav", "mellem", "hoej"):
        v = P("tabel_12", "andel", anvendelsesgrad=band)
        out[f"d3_tabel12_anvendelsesgrad_{band}"] = v
        out[f"d3_s52_anvendelsesgrad_{band}_tekst"] = v
    ag = P.table("anvendelsesgrad_grupper").set_index(["dimension", "gruppe"])
    out["d3_s52_anvendelsesgrad_hm_gode_rammevilkaar"] = float(ag.loc[("rammevilkaar", "gode"), "anvendelsesgrad_hm"])
    out["d3_s52_anvendelsesgrad_hm_daarlige_rammevilkaar"] = float(ag.loc[("rammevilkaar", "vanskelige"), "anvendelsesgrad_hm"])
    for org, key in (("specialiseret_team", "specialiseret"), ("spredt_specialisering", "spredt"),
                     ("generel_specialisering", "generel")):
        out[f"d3_s52_anvendelsesgrad_org_{key}"] = float(ag.loc[("organisering", org), "anvendelsesgrad"])
    for s in ("proaktiv", "reaktiv", "diffus"):
        out[f"d3_s52_anvendelsesgrad_pa_{s}"] = float(ag.loc[("strategi", s), "anvendelsesgrad_pa"])
        out[f"d3_s52_anvendelsesgrad_hm_{s}"] = float(ag.loc[("strategi", s), "anvendelsesgrad_hm"])
    # The lowest/highest kommune is found on the unprotected rates; its value is published only if
    # its own cell survived disclosure control (a min over published cells would name another kommune).
    raw = results["anvendelsesgrad_kommuner"]["anvendelsesgrad"]
    ak = P.table("anvendelsesgrad_kommuner")["anvendelsesgrad"]
    out["d3_dk_anvendelsesgrad_min"] = float(ak.loc[raw.idxmin()])
    out["d3_dk_anvendelsesgrad_max"] = float(ak.loc[raw.idxmax()])

    # ---- Tabel 13 / 5.3.1
    t13 = "tabel_13"
    for o in ("pa", "hm"):
        q = lambda tema, kat, o=o: P(t13, ordning=ON[o], tema=tema, kategori=kat)  # noqa: E731
        kv, ma = q("køn", "kvinde"), q("køn", "mand")
        over50 = q("alder", "over 50")
        gym = q("uddannelse", "gymnasial_erhvervsfaglig")
        grund = q("uddannelse", "grundskole")
        vu = P("profil_ekstra", ordning=ON[o], tema="uddannelse", kategori="videregaaende")
        inc300 = q("indkomst", "over 300.000 kr.")
        gns = P("tabel_13_indkomst", "gennemsnitsindkomst", ordning=ON[o])
        out.update({f"d3_tabel13_{o}_kvinder": kv, f"d3_tabel13_{o}_maend": ma, f"d3_tabel13_{o}_over50": over50,
                    f"d3_tabel13_{o}_gym_erhverv": gym, f"d3_tabel13_{o}_videregaaende": vu,
                    f"d3_tabel13_{o}_gns_indkomst": gns, f"d3_tabel13_{o}_indkomst_over300k": inc300,
                    f"d3_tabel13_{o}_branche_handel": q("branche", "handel_transport"),
                    f"d3_tabel13_{o}_branche_industri": q("branche", "industri"),
                    f"d3_tabel13_{o}_branche_offentlig": q("branche", "offentlig_adm_undervisning_sundhed"),
                    f"d3_s531_{o}_indkomst_over300k": inc300, f"d3_dk_{o}_gns_indkomst": gns,
                    f"d3_dk_{o}_indkomst_over300k": inc300, f"d3_dk_{o}_grundskole": grund})
        npers = P("antal_modtagere", "antal_personer", ordning=ON[o])
        out[f"d3_tabel13_n_{o}"] = npers
        out[f"d3_tabel15_n_{o}"] = npers
        out[f"d3_tabel16_n_{o}"] = npers
        sek = "offentlig"
        out[f"d3_s534_{o}_offentlig_sektor"] = q("sektor", sek)
    out["d3_s531_hm_kvinder"] = out["d3_tabel13_hm_kvinder"]
    out["d3_s531_hm_maend"] = out["d3_tabel13_hm_maend"]
    out["d3_s531_pa_maend"] = out["d3_tabel13_pa_maend"]
    out["d3_s531_pa_over50"] = out["d3_tabel13_pa_over50"]
    out["d3_s531_hm_over50"] = out["d3_tabel13_hm_over50"]
    out["d3_dk_hm_over50"] = out["d3_tabel13_hm_over50"]
    out["d3_s531_hm_grundskole"] = out["d3_dk_hm_grundskole"]
    out["d3_s531_hm_gym_erhverv"] = out["d3_tabel13_hm_gym_erhverv"]
    out["d3_dk_hm_gym_erhverv"] = out["d3_tabel13_hm_gym_erhverv"]
    out["d3_s531_pa_videregaaende"] = out["d3_tabel13_pa_videregaaende"]
    out["d3_dk_pa_maend"] = out["d3_tabel13_pa_maend"]
    out["d3_dk_pa_over50"] = out["d3_tabel13_pa_over50"]
    out["d3_tabel16_n_is"] = P("antal_modtagere", "antal_personer", ordning=ON["is"])
    out["d3_s534_is_privat_sektor"] = P(t13, ordning=ON["is"], tema="sektor", kategori="privat")
    ur = P.table("uddannelse_rammevilkaar")
    for band, key in (("gode", "top32"), ("vanskelige", "bund32")):
        r = ur.loc[(ur["ordning"] == ON["pa"]) & (ur["rammevilkaar"] == band)]
        out[f"d3_s531_pa_lang_videregaaende_{key}"] = float(r["andel"].iloc[0]) if len(r) else float("nan")
    # isbryder profile (5.7)
    out["d3_dk_is_kvinder"] = P(t13, ordning=ON["is"], tema="køn", kategori="kvinde")
    out["d3_dk_is_18_29"] = P("profil_ekstra", ordning=ON["is"], tema="alder", kategori="18-29")
    out["d3_dk_is_gym_erhverv"] = P(t13, ordning=ON["is"], tema="uddannelse", kategori="gymnasial_erhvervsfaglig")
    out["d3_dk_is_lang_videregaaende"] = P(t13, ordning=ON["is"], tema="uddannelse", kategori="lang_videregaaende")
    out["d3_dk_is_selvforsoergelse"] = P("profil_ekstra", ordning=ON["is"], tema="ydelsesgruppe (person)", kategori="selvforsoerget")
    out["d3_dk_is_adagpenge"] = P("profil_ekstra", ordning=ON["is"], tema="ydelsesgruppe (person)", kategori="a_dagpenge")
    esb = kf.loc[(kf["maal"] == "PA-modtagere efter branche") & (kf["kommunekode"] == navn2kode["Esbjerg"])].set_index("kategori")
    for key, kat in (("bygge", "bygge_anlaeg"), ("industri", "industri")):
        out[f"d3_s534_esbjerg_pa_{key}"] = float(esb.loc[kat, "andel"]) if kat in esb.index else 0.0

    # ---- 5.3.2 Ydelsesforhold
    yf = "ydelsesforhold"
    shares = {}
    for o in ("pa", "hm"):
        fast = P(yf, ordning=ON[o], tema="perspektiv", kategori="fastholdelse")
        rekr = P(yf, ordning=ON[o], tema="perspektiv", kategori="rekruttering")
        selv = P(yf, ordning=ON[o], tema="ydelsesgruppe", kategori="selvforsoerget")
        out.update({f"d3_s532_{o}_fastholdelse": fast, f"d3_dk_{o}_fastholdelse": fast, f"d3_s54_{o}_indsats_forud": rekr,
                    f"d3_dk_{o}_selvforsoergende": selv, f"d3_dk_{o}_selvforsoergede_v2": selv})
        g = lambda k, o=o: P(yf, ordning=ON[o], tema="ydelsesgruppe", kategori=k)  # noqa: E731
        shares[o] = {"fleks": g("fleksjob") + g("ledighedsydelse"), "syg": g("sygedagpenge"), "jaf": g("jobafklaring")}
    for key, nm in (("fleks", "fleks_ledigh"), ("syg", "sygedagpenge"), ("jaf", "jobafklaring")):
        vals = [shares["pa"][key], shares["hm"][key]]
        out[f"d3_dk_ydelse_{nm}_min"] = float(min(vals))
        out[f"d3_dk_ydelse_{nm}_max"] = float(max(vals))
    f22 = "figur_22_23"
    out["d3_fig22_hm_fleksjob"] = P(f22, ordning=ON["hm"], ydelsesgruppe="FLEKS")
    out["d3_fig22_hm_kontanthjaelp"] = P(f22, ordning=ON["hm"], ydelsesgruppe="KTH")
    out["d3_fig23_pa_fleksjob"] = P(f22, ordning=ON["pa"], ydelsesgruppe="FLEKS")
    out["d3_fig23_pa_kontanthjaelp"] = P(f22, ordning=ON["pa"], ydelsesgruppe="KTH")
    rs = P.table("rekrutteringsgrad_strategi").set_index(["ordning", "strategi"])["rekrutteringsgrad"]
    for s in ("proaktiv", "reaktiv", "diffus"):
        out[f"d3_s532_rekrutteringsgrad_pa_{s}"] = float(rs[(ON["pa"], s)])
    hm_r = [float(rs[(ON["hm"], s)]) for s in ("proaktiv", "reaktiv", "diffus")]
    out["d3_s532_rekrutteringsgrad_hm_min"] = min(hm_r)
    out["d3_s532_rekrutteringsgrad_hm_max"] = max(hm_r)

    # ---- Tabel 14 / 5.3.3 (case review)
    t14 = "tabel_14"
    da = P.table("diagnose_andele")
    for o in ("pa", "hm", "is", "fa"):
        for c in KATEGORIER:
            out[f"d3_tabel14_{o}_{c}"] = P(t14, ordning=ON[o], tema="funktionsnedsættelse", kategori=c)
        out[f"d3_tabel14_{o}_enkeltdiagnose"] = P(t14, ordning=ON[o], tema="multisygdom", kategori="enkeltdiagnose")
        out[f"d3_tabel14_{o}_dobbeltdiagnose"] = P(t14, ordning=ON[o], tema="multisygdom", kategori="dobbeltdiagnose")
        out[f"d3_s533_dobbelt_{o}"] = out[f"d3_tabel14_{o}_dobbeltdiagnose"]
        n = float((P.table("sagsgennemgang_oversigt").query(f"maal == 'sager' and niveau == '{ALLE_CASE}'")
                   .set_index("ordning").loc[ON[o], "antal"]))
        for key in (f"d3_tabel14_n_{o}", f"d3_tabel19_n_{o}", f"d3_fig29_n_{o}"):
            out[key] = n
        for rank, diag in enumerate(_TOP5[o], start=1):
            r = da.loc[(da["ordning"] == o) & (da["kode"] == _DIAG[diag])]
            out[f"d3_tabel14_{o}_top{rank}_{diag}"] = float(r["andel"].iloc[0]) if len(r) else 0.0
    out["d3_s51_sagsgennemgang_n"] = float(sum(out[f"d3_tabel14_n_{o}"] for o in ("pa", "hm", "is", "fa")))
    out["d3_s51_fa_sager_casekommuner"] = out["d3_tabel14_n_fa"]
    out["d3_s51_is_sager_casekommuner"] = out["d3_tabel14_n_is"]
    out["d3_s51_hm_sager_casekommuner"] = out["d3_tabel14_n_hm"]
    for key, src in (("d3_s533_hm_fysisk", "hm_fysisk"), ("d3_s533_hm_intellektuel", "hm_intellektuel"),
                     ("d3_s533_is_psykisk", "is_psykisk"), ("d3_s533_pa_fysisk", "pa_fysisk"),
                     ("d3_s533_pa_intellektuel", "pa_intellektuel"), ("d3_s533_pa_sensorisk", "pa_sensorisk"),
                     ("d3_dk_pa_fysisk", "pa_fysisk"), ("d3_dk_pa_intellektuel", "pa_intellektuel"),
                     ("d3_dk_hm_fysisk", "hm_fysisk"), ("d3_dk_is_intellektuel", "is_intellektuel")):
        out[key] = out[f"d3_tabel14_{src}"]
    out["d3_dk_is_fysisk_psykisk"] = out["d3_tabel14_is_fysisk"] + out["d3_tabel14_is_psykisk"]

    def diag(o, code):
        r = da.loc[(da["ordning"] == o) & (da["kode"] == code)]
        if not len(r):
            return 0.0
        return float(r["andel"].iloc[0])  # NaN when masked by the disclosure step

    out["d3_dk_is_asperger"] = diag("is", "asperger")
    out["d3_dk_is_bipolar"] = diag("is", "bipolar")
    out["d3_dk_is_depression"] = diag("is", "depression")
    out["d3_dk_is_ryg_arme"] = diag("is", "ryg_nakke") + diag("is", "arme_haender")
    so = "sagsgennemgang_oversigt"
    kol = P(so, ordning=ON["hm"], maal="KOL")
    out["d3_s51_hm_kol_andel"] = kol
    out["d3_s51_hm_lab_andel"] = 1 - kol

    # ---- Tabel 15 / 16 and 5.3.4
    bt = "bevillingstyper"
    for key, t in (("fysisk_aflastning", "fysisk_aflastning"), ("saerlig_stoette", "saerlig_personlig_stoette"),
                   ("strukturering", "strukturering_kvalitetssikring"), ("tegnsprog", "tegnsprogstolkning")):
        v = P(bt, ordning=ON["pa"], tema="type", kategori=t)
        out[f"d3_s534_pa_{key}"] = v
        if key != "tegnsprog":
            out[f"d3_tabel15_pa_{key}"] = v
    vaerk = P(bt, ordning=ON["hm"], tema="type", kategori="vaerktoej_udstyr")
    out["d3_tabel15_hm_arbejdsredskaber"] = vaerk
    out["d3_s534_hm_type_vaerktoej"] = vaerk
    out["d3_s534_hm_type_arbejdspladsindretning"] = P(bt, ordning=ON["hm"], tema="type", kategori="arbejdspladsindretning")
    out["d3_s534_hm_art_arbejdsredskaber"] = P(bt, ordning=ON["hm"], tema="art", kategori="arbejdsredskaber")
    out["d3_s534_hm_art_mindre_indretning"] = P(bt, ordning=ON["hm"], tema="art", kategori="mindre_arbejdspladsindretning")
    out["d3_s534_hm_art_undervisningsmateriale"] = P(bt, ordning=ON["hm"], tema="art", kategori="undervisningsmateriale")
    t16 = "tabel_16"
    ind = {"pa": "Personlig assistance", "hm": "Hjælpemiddel", "is": "Isbryder", "mentor_lab": "Mentor (LAB)",
           "sel": "Indsats under serviceloven (SEL)"}
    for o in ("pa", "hm", "is"):
        for key, lab in ind.items():
            lab = lab + (" (eneste indsats)" if key == o else "")
            out[f"d3_tabel16_{o}_{key}"] = P(t16, population=ON[o], indsats=lab)
    out["d3_tabel15_pa_parallel"] = 1 - out["d3_tabel16_pa_pa"]
    out["d3_tabel15_pa_parallel_hm"] = out["d3_tabel16_pa_hm"]
    out["d3_tabel15_pa_parallel_sel"] = out["d3_tabel16_pa_sel"]
    out["d3_tabel15_hm_parallel"] = 1 - out["d3_tabel16_hm_hm"]
    out["d3_dk_hm_parallel"] = out["d3_tabel15_hm_parallel"]
    out["d3_tabel15_hm_parallel_mentor"] = out["d3_tabel16_hm_mentor_lab"]
    out["d3_tabel15_hm_parallel_pa"] = out["d3_tabel16_hm_pa"]
    out["d3_s533_pa_eneste"] = out["d3_tabel16_pa_pa"]
    out["d3_s533_pa_hm"] = out["d3_tabel16_pa_hm"]
    out["d3_s533_pa_mentor"] = out["d3_tabel16_pa_mentor_lab"]
    out["d3_s533_pa_sel"] = out["d3_tabel16_pa_sel"]
    out["d3_s533_hm_eneste"] = out["d3_tabel16_hm_hm"]
    out["d3_s533_hm_mentor"] = out["d3_tabel16_hm_mentor_lab"]
    out["d3_s533_hm_pa"] = out["d3_tabel16_hm_pa"]
    out["d3_s533_hm_sel"] = out["d3_tabel16_hm_sel"]
    for o in ("pa", "hm", "is"):
        out[f"d3_s534_{o}_varighed"] = P("varighed", "gennemsnit_uger", ordning=ON[o])

    # ---- 5.4 Subgrupper (grant level within type)
    sg = "subgrupper"

    def s(o, t, tema, kat):
        return P(sg, ordning=ON[o], type=t, tema=tema, kategori=kat)

    fa_ = "fysisk_aflastning"
    out["d3_s534_pa_fysisk_aflastning_beskaeftigelse"] = s("pa", fa_, "ydelse", "beskaeftigelse")
    out["d3_s534_pa_fysisk_aflastning_fleksjob"] = s("pa", fa_, "ydelsesgruppe", "fleksjob")
    out["d3_s534_pa_fysisk_aflastning_delvis_syg"] = s("pa", fa_, "ydelsesgruppe", "delvis_sygemeldt")
    out["d3_s54_pa_fysisk_aflastning_selvforsoergede"] = s("pa", fa_, "ydelsesgruppe", "selvforsoerget")
    out["d3_s54_pa_saerlig_stoette_selvforsoergede"] = s("pa", "saerlig_personlig_stoette", "ydelsesgruppe", "selvforsoerget")
    st_ = "strukturering_kvalitetssikring"
    out["d3_s54_pa_strukturering_maend"] = s("pa", st_, "køn", "mand")
    out["d3_s54_pa_strukturering_selvforsoergede"] = s("pa", st_, "ydelsesgruppe", "selvforsoerget")
    out["d3_s54_pa_strukturering_fleks_ledigh"] = s("pa", st_, "ydelsesgruppe", "fleksjob") + s("pa", st_, "ydelsesgruppe", "ledighedsydelse")
    tg = "tegnsprogstolkning"
    out["d3_s54_pa_tegnsprog_selvforsoergede"] = s("pa", tg, "ydelsesgruppe", "selvforsoerget")
    out["d3_s54_pa_tegnsprog_adagpenge"] = s("pa", tg, "ydelsesgruppe", "a_dagpenge")
    out["d3_s54_pa_tegnsprog_fleksjob"] = s("pa", tg, "ydelsesgruppe", "fleksjob")
    out["d3_s54_pa_tegnsprog_ingen_indsats"] = 1 - s("pa", tg, "indsats forud", "indsats i jobcentret forud")
    out["d3_s54_pa_tegnsprog_fysisk"] = s("pa", tg, "funktionsnedsættelse (LPR)", "fysisk")
    fo = "fastholdelse_i_opgaven"
    out["d3_s54_pa_fastholdelse_opgave_selvforsoergede"] = s("pa", fo, "ydelsesgruppe", "selvforsoerget")
    out["d3_s54_pa_fastholdelse_opgave_under30"] = s("pa", fo, "alder", "under 30")
    out["d3_s54_pa_fastholdelse_opgave_indsats_forud"] = s("pa", fo, "indsats forud", "indsats i jobcentret forud")
    out["d3_s54_pa_fastholdelse_opgave_fysisk"] = s("pa", fo, "funktionsnedsættelse (LPR)", "fysisk")
    out["d3_s54_pa_fastholdelse_opgave_psykisk"] = s("pa", fo, "funktionsnedsættelse (LPR)", "psykisk")
    out["d3_s54_hm_vaerktoej_ledige"] = s("hm", "vaerktoej_udstyr", "perspektiv", "rekruttering")
    ai = "arbejdspladsindretning"
    out["d3_s54_hm_indretning_fastholdelse"] = s("hm", ai, "perspektiv", "fastholdelse")
    out["d3_s54_hm_indretning_rekruttering"] = s("hm", ai, "perspektiv", "rekruttering")
    out["d3_s54_hm_indretning_over40"] = s("hm", ai, "alder", "over 40")
    out["d3_s54_hm_indretning_fysisk"] = s("hm", ai, "funktionsnedsættelse (LPR)", "fysisk")
    out["d3_s54_hm_it_fastholdelse"] = s("hm", "it_udstyr", "perspektiv", "fastholdelse")
    out["d3_s54_hm_it_fastholdelse_boks"] = out["d3_s54_hm_it_fastholdelse"]
    out["d3_s54_hm_it_fysisk"] = s("hm", "it_udstyr", "funktionsnedsættelse (LPR)", "fysisk")
    um = "undervisningsmateriale"
    out["d3_s54_hm_undervisning_offentlig_forsoergede"] = s("hm", um, "perspektiv", "rekruttering")
    out["d3_s54_hm_undervisning_fysisk"] = s("hm", um, "funktionsnedsættelse (LPR)", "fysisk")
    out["d3_s54_hm_undervisning_psykisk"] = s("hm", um, "funktionsnedsættelse (LPR)", "psykisk")
    te = P.table("type_efter_ydelse")
    for key, t in (("strukturering", st_), ("tegnsprog", tg)):
        r = te.loc[(te["niveau"] == LANDET) & (te["ydelsesgruppe"] == "a_dagpenge") & (te["kategori"] == t)]
        out[f"d3_s534_pa_forsikrede_{key}"] = float(r["andel"].iloc[0]) if len(r) else float("nan")

    # ---- 5.5 Udgiftsniveau
    un = P.table("udgifter_national").set_index("ordning")
    for o in ("pa", "hm", "is"):
        out[f"d3_s55_udgift_{o}_{Y}"] = float(un.loc[ON[o], "udgift_kr"])
        out[f"d3_s55_udgiftsandel_{o}_{Y}"] = float(un.loc[ON[o], "udgiftsandel"])
        out[f"d3_fig26_enhedspris_{o}"] = float(un.loc[ON[o], "enhedspris_gns_kommuner"])
        out[f"d3_s55_borgerandel_{o}"] = float(un.loc[ON[o], "personandel"])
    out["d3_s55_udgiftsandel_hm_v2"] = out[f"d3_s55_udgiftsandel_hm_{Y}"]
    out["d3_s55_udgiftsandel_is_v2"] = out[f"d3_s55_udgiftsandel_is_{Y}"]
    uk = P.table("udgifter_kommuner").set_index("kommune")
    for key, name in _KOMMUNER_FIG25.items():
        out[f"d3_fig25_{key}_udgiftsandel"] = float(uk.loc[name, "udgiftsandel"])
        out[f"d3_fig25_{key}_befolkningsandel"] = float(uk.loc[name, "befolkningsandel"])
    out["d3_s55_kommuner_hoejere_udgifter"] = float(uk["hoejere_end_forventet"].astype(float).mean())
    ug = P.table("udgifter_grupper").set_index("strategi")
    for s_ in ("proaktiv", "reaktiv"):
        out[f"d3_s55_enhedspris_pa_{s_}"] = float(ug.loc[s_, "enhedspris_pa"])
        out[f"d3_s55_enhedspris_hm_{s_}"] = float(ug.loc[s_, "enhedspris_hm"])

    # ---- 5.6 Bevillingsprocessen
    f29 = "figur_29_30"
    for o in ("pa", "hm", "fa"):
        for aar in (2018, 2019, 2020):
            out[f"d3_fig29_{o}_{aar}"] = P(f29, "gennemsnit_uger", ordning=ON[o], aar=aar)
    del out["d3_fig29_pa_2019"], out["d3_fig29_fa_2019"]  # not printed in the report
    for o in ("pa", "fa"):
        for aar in (2018, 2020):
            out[f"d3_fig29_{o}_{aar}_rep"] = out[f"d3_fig29_{o}_{aar}"]
    out["d3_fig29_hm_2020_sager"] = P(f29, "n", ordning=ON["hm"], aar=2020)
    out["d3_fig29_hm_2020_kommuner"] = P(f29, "kommuner_med_sager", ordning=ON["hm"], aar=2020)
    out["d3_fig30_hm_over4uger_2018"] = P(f29, "andel_over_4_uger", ordning=ON["hm"], aar=2018)
    out["d3_fig30_hm_over4uger_2020"] = P(f29, "andel_over_4_uger", ordning=ON["hm"], aar=2020)
    for aar in (2019, 2020):
        v = P(f29, "andel_over_4_uger", ordning=ON["pa"], aar=aar)
        out[f"d3_fig30_pa_over4uger_{aar}"] = v
        out[f"d3_fig30_pa_over4uger_{aar}_rep"] = v
    m18 = [out["d3_fig29_pa_2018"], out["d3_fig29_hm_2018"], out["d3_fig29_fa_2018"]]
    out["d3_dk_sagsbehandlingstid_2018_min"] = float(np.nanmin(m18))
    out["d3_dk_sagsbehandlingstid_2018_max"] = float(np.nanmax(m18))
    for o in ("pa", "hm", "fa"):
        out[f"d3_dk_sagsbehandlingstid_{o}_2020"] = out[f"d3_fig29_{o}_2020"]
    out["d3_dk_forkortet_faktor"] = float(np.nanmax([out[f"d3_fig29_{o}_2018"] / out[f"d3_fig29_{o}_2020"]
                                                     for o in ("pa", "hm", "fa")]))
    t17 = P.table("tabel_17")
    for dim, groups in (("organisering", ["specialiseret_team", "spredt_specialisering", "generel_specialisering"]),
                        ("strategi", ["proaktiv", "diffus", "reaktiv"])):
        for g in groups:
            for o in ("pa", "hm", "fa"):
                out[f"d3_tabel17_{o}_{g}"] = P("tabel_17", "gennemsnit_uger", dimension=dim, gruppe=g, ordning=ON[o])
            r = t17.loc[(t17["dimension"] == dim) & (t17["gruppe"] == g)]
            nk_ = float(r["kommuner"].iloc[0]) if len(r) else 0.0
            ns_ = float(r["antal_sager_gruppe"].iloc[0]) if len(r) else 0.0
            if dim == "strategi":
                out[f"d3_s56_{g}_count"] = nk_
            elif g == "specialiseret_team":
                out["d3_s56_specialiseret_count_13"] = nk_
            elif g == "spredt_specialisering":
                out["d3_s56_spredt_count_4"] = nk_
                out["d3_s56_spredt_count_4b"] = nk_
                out["d3_s56_spredt_sager"] = ns_
            else:
                out["d3_s56_generel_count_3"] = nk_
                out["d3_s56_generel_sager"] = ns_
    for o in ("pa", "hm", "is", "fa"):
        out[f"d3_tabel18_{o}_gns"] = P("tabel_18", "timer_gns", ordning=ON[o])
        out[f"d3_tabel18_{o}_min"] = P("tabel_18", "timer_min", ordning=ON[o])
        out[f"d3_tabel18_{o}_max"] = P("tabel_18", "timer_max", ordning=ON[o])
    out["d3_s56_pa_timer_min"] = out["d3_tabel18_pa_min"]
    out["d3_s56_pa_timer_max"] = out["d3_tabel18_pa_max"]
    out["d3_s56_is_timer_max"] = out["d3_tabel18_is_max"]
    t19 = "tabel_19"
    out["d3_tabel19_pa_tidsbegraenset"] = P(t19, ordning=ON["pa"], tema="bevilling", kategori="tidsbegrænset")
    out["d3_tabel19_pa_ikke_tidsbegraenset"] = P(t19, ordning=ON["pa"], tema="bevilling", kategori="ikke tidsbegrænset")
    vt = "varighed (tidsbegrænsede)"
    out["d3_tabel19_pa_under12mdr"] = P(t19, ordning=ON["pa"], tema=vt, kategori="under 12 mdr.")
    out["d3_tabel19_pa_12mdr"] = P(t19, ordning=ON["pa"], tema=vt, kategori="12 mdr.")
    out["d3_tabel19_pa_over12mdr"] = P(t19, ordning=ON["pa"], tema=vt, kategori="over 12 mdr.")
    out["d3_tabel19_hm_tilskud"] = P(t19, ordning=ON["hm"], tema="udlån/tilskud", kategori="tilskud")
    out["d3_tabel19_hm_udlaan"] = P(t19, ordning=ON["hm"], tema="udlån/tilskud", kategori="udlaan")
    out["d3_s56_pa_opfoelgning_ingen_aendring"] = P(so, ordning=ON["pa"], maal="opfølgning uden ændring")
    out["d3_s56_pa_tidsbestemt_gns_varighed"] = P(so, "gennemsnit", ordning=ON["pa"], maal="gns. varighed tidsbegrænsede (mdr.)")
    return {k: (float(v) if v is not None else float("nan")) for k, v in out.items()}
