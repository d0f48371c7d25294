"""Report section 6.2, the main gains of HKO: Tabel 20 (the gains per ordning, with how many
citizens and employers point to each) and the statements of 6.2.2-6.2.5 with their bases."""
from __future__ import annotations

import pandas as pd

from ...stats import share
from . import measures as m
from .load import D4

ORDNING_GRENE = {"hm": "gevinst_hm", "pa": "gevinst_pa", "is": "gevinst_is", "fa": "gevinst_fa"}

# The interview statements of chapter 6: (afsnit, id, base, what is counted, report line).
UDSAGN = (
    ("6.2.2", "selvstaendige_blandt_pa_hm", "borgere_pa_hm", m.attribut("selvstaendig", True), "l.1825"),
    ("6.2.2", "landmaend_blandt_selvstaendige", "selvstaendige", m.attribut("selvstaendig_branche", "landbrug"), "l.1827"),
    ("6.2.2", "hm_forudsaetning_selvstaendig", "selvstaendige", m.tema("hm_forudsaetning_selvstaendig"), "l.1825"),
    ("6.2.3", "pa_fastholde_medarbejdere", "arbejdsgivere", m.tema("pa_fastholde_medarbejdere"), "l.1849"),
    ("6.2.3", "pa_oekonomisk_gevinst", "arbejdsgivere", m.tema("pa_oekonomisk_gevinst"), "l.1851"),
    ("6.2.4", "is_vise_vaerd", "isbryder", m.tema("is_vise_vaerd"), "l.1875"),
    ("6.2.5", "fa_ikke_igen", "borgere_fa", m.tema("fa_ikke_igen"), "l.1883"),
    ("6.2.5", "fa_fokus_handicap", "borgere_fa", m.tema("fa_fokus_handicap"), "l.1889"),
    ("6.3.1", "jc_taet_kontakt", "borgere", m.tema("jc_taet_kontakt"), "l.1917"),
    ("6.3.1", "jc_sparsom_kontakt", "borgere", m.tema("jc_sparsom_kontakt"), "l.1917"),
    ("6.4", "av_kvalifikationer", "arbejdsgivere", m.tema("av_kvalifikationer"), "l.1955"),
    ("6.4", "av_aaben_dialog", "arbejdsgivere", m.tema("av_aaben_dialog"), "l.1957"),
    ("6.4", "av_samarbejde_jobcenter", "arbejdsgivere", m.tema("av_samarbejde_jobcenter"), "l.1961"),
    ("6.4", "av_socialt_ansvar", "arbejdsgivere", m.tema("av_socialt_ansvar"), "l.1970"),
)
_UDSAGN_TEKST = {
    "selvstaendige_blandt_pa_hm": "Selvstændigt erhvervsdrivende",
    "landmaend_blandt_selvstaendige": "Landmænd",
}


def tabel_20(B: D4) -> pd.DataFrame:
    """Tabel 20: every coded gain per ordning, with the citizens and employers pointing to it (of
    all interviewed in the group)."""
    rows = []
    for niveau, w in B.levels():
        b, a = m.borgere(w), m.arbejdsgivere(w)
        for o, gren in ORDNING_GRENE.items():
            for kode in B.book.children(gren):
                kb, ka = int(b[kode].sum()), int(a[kode].sum())
                rows.append({"niveau": niveau, "ordning": o, "kode": kode, "gevinst": B.book.label(kode),
                             "antal_borgere": kb, "n_borgere": len(b), "andel_borgere": share(kb, len(b)),
                             "antal_arbejdsgivere": ka, "n_arbejdsgivere": len(a), "andel_arbejdsgivere": share(ka, len(a))})
    return pd.DataFrame(rows)


def udsagn(B: D4, afsnit: str) -> pd.DataFrame:
    """The statements of a section (prefix of ``afsnit``), each a share of its base."""
    from ...stats import proportion_ci

    rows = []
    for niveau, w in B.levels():
        for sec, maal, grundlag, fn, line in UDSAGN:
            if not sec.startswith(afsnit):
                continue
            k, n, a = m.andel(w, grundlag, fn)
            lo, hi = proportion_ci(k, n)
            tekst = _UDSAGN_TEKST.get(maal) or B.book.label(maal)
            rows.append({"niveau": niveau, "afsnit": sec, "maal": maal, "udsagn": tekst,
                         "grundlag": m.GRUNDLAG[grundlag][0], "antal": k, "n": n, "andel": a, "ci_nedre": lo,
                         "ci_oevre": hi, "rapport": line})
    return pd.DataFrame(rows)
