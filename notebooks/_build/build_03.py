"""Writes notebooks/03_brug_af_hko.ipynb (no outputs). Run: .venv/bin/python notebooks/_build/build_03.py

The notebook is thin narrative over hko_research.brug (data preparation, table builders) and
hko_research.measures (definitions); every table and figure goes through the Publisher.
"""
import sys
from pathlib import Path


sys.path.insert(0, str(Path(__file__).resolve().parent))
from common import code, md, new_notebook, parameter_cells, write  # noqa: E402

HERE = Path(__file__).resolve().parent
OUT = HERE.parent / "03_brug_af_hko.ipynb"
nb = new_notebook()

cells = [
    md("# 3. Jobcentrenes brug af HKO (delanalyse 3)\n\n"
       "Genberegning af kapitel 5 i *Kortlægning af kommunernes praksis på handicapområdet* (Marselisborg for STAR, "
       "2021) for det valgte år og de valgte kommuner, altid sammenholdt med hele landet. Undersøgelsesspørgsmålene er: "
       "*Hvad karakteriserer målgruppen for HKO?* og *Hvad karakteriserer kommunernes anvendelse af HKO?*\n\n"
       "Målene er defineret én gang i `hko_research.measures` (med rapportens definition og linjenummer) og "
       "`docs/d3_definitions.md`; tabellerne bygges i `hko_research.brug`. Alle tabeller og figurer er "
       "diskretioneret: celler med færre end `min_cell_size` personer og de andele, der bygger på dem, vises ikke."),
    *parameter_cells(),
    code("import warnings\n"
         "import matplotlib.pyplot as plt\n"
         "import pandas as pd\n"
         "from IPython.display import HTML, Markdown, display\n"
         "from hko_research import brug, plots, reference\n"
         "from hko_research.output import Publisher\n"
         "from hko_research.validation import validate_inputs\n"
         "plots.set_theme()\n"
         "warnings.filterwarnings('ignore', category=FutureWarning)\n"
         "rapport = validate_inputs(P, names=brug.INPUTS)\n"
         "if not rapport.ok:\n"
         "    print(rapport.to_text())\n"
         "    raise RuntimeError('Inddata overholder ikke deres datakontrakter - se valideringsrapporten ovenfor.')\n"
         "if P.synthetic:\n"
         "    display(HTML('<div style=\"background:#b00020;color:white;padding:8px 12px;font-weight:bold\">"
         "Syntetiske data – tallene er ikke rigtige registerdata</div>'))\n"
         "pub = Publisher.for_notebook(P, notebook='03_brug_af_hko')\n"
         "navne = reference.kommune_navne()\n"
         "valgte = ', '.join(navne[k] for k in P.kommuner) if len(P.kommuner) <= 12 else f'{len(P.kommuner)} kommuner'\n"
         "display(Markdown(f'**År:** {P.year} (perioden {P.year - 1}-{P.year}) · **Kommuner:** {valgte} · '\n"
         "                 f'**Mindste cellestørrelse:** {P.min_cell_size}'))"),
    code("def tabel(df, name, title, note=None, sums=None):\n"
         "    \"\"\"Publish a table through disclosure control and show it.\"\"\"\n"
         "    shown = pub.table(df, name, title=title, note=note, basis=brug.basis(df), sums=sums,\n"
         "                      keys=brug.table_keys(df), complement=brug.COMPLEMENT)\n"
         "    pub.show(shown)\n"
         "    return shown\n"
         "\n"
         "def pct(x, d=0):\n"
         "    return plots.fmt_pct(x, d, share=True) if pd.notna(x) else 'undertrykt'\n"
         "\n"
         "def num(x, d=0):\n"
         "    return plots.fmt_num(x, d) if pd.notna(x) else 'undertrykt'\n"
         "\n"
         "def landet(df):\n"
         "    return df.loc[df['niveau'].isin([brug.LANDET, brug.ALLE_CASE])] if 'niveau' in df.columns else df\n"
         "\n"
         "B = brug.load(P)\n"
         "R = {}"),

    md("## 5.1 Datakilder og metode\n\n"
       "Delanalysen bygger på registerdata fra DFDG (bevillinger af personlig assistance, hjælpemidler, "
       "isbryderordning og mentor), DREAM (ydelser og beskæftigelse ved bevillingen), BEF/IND/UDDA "
       "(baggrund), Landspatientregistret og HANDIC (funktionsnedsættelse og ydelser efter serviceloven), "
       "kommunernes regnskaber (REGK), jobindsats.dk (fuldtidspersoner), VIVEs rammevilkår, den landsdækkende "
       "survey om fortrinsadgang samt sagsgennemgangen og nøglepersoninterviewene i de 20 casekommuner. "
       "Der findes ikke registerdata om fortrinsadgang, og isbryderordningen er brugt i få sager, så tal for "
       "de to ordninger skal tolkes med forsigtighed. Sagsgennemgangen dækker kun casekommunerne."),
    code("R['sagsgennemgang_oversigt'] = brug.sagsgennemgang_oversigt(B)\n"
         "t51 = tabel(R['sagsgennemgang_oversigt'], 'tabel_51_sagsgennemgang',\n"
         "            'Sagsgennemgangen i casekommunerne: sager, afslag, førstegangsbevillinger og lovhjemmel',\n"
         "            note='Sagsgennemgang i casekommunerne. Andele af sager med oplysningen registreret.')"),

    md("## 5.2 Omfang\n\n"
       "Tabel 11 viser antallet af bevillinger og genbevillinger i året og året før. Fortrinsadgang bygger "
       "på kommunernes indberetninger til den landsdækkende survey (primært afslagssager), ikke på registerdata."),
    code("R['tabel_11'] = brug.tabel_11(B)\n"
         "t11 = tabel(R['tabel_11'], 'tabel_11_bevillinger', f'Tabel 11: Antallet af bevillinger og genbevillinger {P.year - 1}-{P.year}',\n"
         "            note='Kilde: DFDG (personlig assistance, hjælpemidler, isbryderordning). Fortrinsadgang: landsdækkende '\n"
         "                 f'survey, {brug.survey_kommuner(B)} kommuner har indberettet.', sums=brug.SUMS['tabel_11'])\n"
         "R['udvikling'] = brug.udvikling(B)\n"
         "udv = tabel(R['udvikling'], 'tabel_11b_udvikling', f'Udvikling i antal bevillinger {P.year - 1}-{P.year}')"),
    md("### Anvendelsesgrad\n\n"
       "Anvendelsesgraden er antallet af bevillinger (personlig assistance og hjælpemidler) i kommunen i året "
       "sammenholdt med antallet af indbyggere i 4. kvartal (rapportens l.1275). Lav: under 0,2 pct., "
       "mellem: 0,2-0,5 pct., høj: over 0,5 pct. af befolkningen."),
    code("R['tabel_12'] = brug.tabel_12(B)\n"
         "t12 = tabel(R['tabel_12'], 'tabel_12_anvendelsesgrad', f'Tabel 12: Andel kommuner fordelt på anvendelsesgrad af HKO, {P.year}',\n"
         "            note=f'Bevillinger af PA og hjælpemidler (DFDG) i {P.year} i pct. af indbyggertallet {P.year}K4.',\n"
         "            sums=brug.SUMS['tabel_12'])\n"
         "R['anvendelsesgrad_kommuner'] = brug.anvendelsesgrad_kommuner(B)\n"
         "kom_cols = ['kommunekode', 'kommune', 'antal_pa', 'antal_hm', 'befolkning', 'anvendelsesgrad', 'anvendelsesgrad_pa',\n"
         "            'anvendelsesgrad_hm', 'anvendelsesgrad_band', 'rang', 'rammevilkaar', 'kommunestoerrelse']\n"
         "tk = tabel(R['anvendelsesgrad_kommuner'][kom_cols], 'bilag_anvendelsesgrad_kommuner',\n"
         "           f'Anvendelsesgrad pr. kommune, {P.year}')"),
    code("vals = tk.set_index('kommunekode')['anvendelsesgrad'] * 100\n"
         "fig = plots.choropleth(vals, title=f'Anvendelsesgrad af HKO pr. kommune, {P.year}',\n"
         "                       highlight=None if P.all_kommuner else P.kommuner, legend_label='Bevillinger i pct. af befolkningen')\n"
         "pub.figure(fig, 'kort_anvendelsesgrad', source=tk, note='Valgte kommuner er markeret med tyk kant. Grå: undertrykt.')\n"
         "plt.show()"),
    md("### Hvad kendetegner kommuner med høj og lav anvendelsesgrad?\n\n"
       "Rapporten finder en signifikant negativ sammenhæng mellem rammevilkår og anvendelsesgrad (p < 0,05). "
       "Nedenfor testes sammenhængen på kommuneniveau (Spearman og OLS), og gennemsnitlig anvendelsesgrad vises "
       "efter rammevilkår (1-32 / 33-66 / 67-98), strategi og organisering (casekommunerne)."),
    code("R['anvendelsesgrad_sammenhaenge'] = brug.anvendelsesgrad_sammenhaenge(B)\n"
         "tsh = tabel(R['anvendelsesgrad_sammenhaenge'], 'tabel_12c_sammenhaenge_rammevilkaar',\n"
         "            'Sammenhæng mellem anvendelsesgrad og rammevilkår (kommuneniveau)',\n"
         "            note='Spearman-korrelation og OLS-hældning (procentpoint pr. rangplads); signifikant ved p < 0,05.')\n"
         "R['anvendelsesgrad_grupper'] = brug.anvendelsesgrad_grupper(B)\n"
         "tg = tabel(R['anvendelsesgrad_grupper'], 'tabel_12b_anvendelsesgrad_grupper',\n"
         "           'Gennemsnitlig anvendelsesgrad efter rammevilkår, strategi og organisering',\n"
         "           note='Uvægtet gennemsnit af kommunernes anvendelsesgrader. Strategi og organisering: casekommunerne.')"),
    md("### Udvikling over alle år i data"),
    code("R['trend'] = brug.trend(B)\n"
         "tt = tabel(R['trend'], 'trend_bevillinger', 'Bevillinger og anvendelsesgrad over tid')\n"
         "long = tt.melt(id_vars=['niveau', 'aar'], value_vars=['antal_pa', 'antal_hm'], var_name='ordning', value_name='antal')\n"
         "long['ordning'] = long['ordning'].map({'antal_pa': 'Personlig assistance', 'antal_hm': 'Hjælpemidler'})\n"
         "long['serie'] = long['niveau'] + ': ' + long['ordning']\n"
         "fig = plots.bar_chart(long, x='aar', y='antal', hue='serie', ylabel='Antal bevillinger', xlabel='År')\n"
         "pub.figure(fig, 'trend_bevillinger', source=tt, title='Bevillinger pr. år')\n"
         "plt.show()"),

    md("## 5.3 Målgruppe for HKO\n\n"
       "Målgruppen opgøres på personniveau: personer med mindst én bevilling i perioden; deres kendetegn måles "
       "ved den første bevilling i perioden (indeksbevillingen)."),
    md("### 5.3.1 Baggrundskarakteristika"),
    code("R['antal_modtagere'] = brug.antal_modtagere(B)\n"
         "tn = tabel(R['antal_modtagere'], 'tabel_13a_modtagere', f'Modtagere og bevillinger {P.year - 1}-{P.year}')\n"
         "R['tabel_13'] = brug.tabel_13(B)\n"
         "t13 = tabel(R['tabel_13'], 'tabel_13_maalgruppe',\n"
         "            f'Tabel 13: Fremherskende karakteristika på tværs af HKO, {P.year - 1}-{P.year}',\n"
         "            note='Køn og alder (DREAM), uddannelse (UDDA) og indkomst (IND) i indeksbevillingens år, branche og '\n"
         "                 'sektor (DREAM) i bevillingsmåneden. Andele blandt modtagere med oplysningen.',\n"
         "            sums=brug.SUMS['tabel_13'])\n"
         "R['tabel_13_indkomst'] = brug.tabel_13_indkomst(B)\n"
         "ti = tabel(R['tabel_13_indkomst'], 'tabel_13b_indkomst', 'Tabel 13: Gennemsnitlig personlig indkomst')\n"
         "R['profil_ekstra'] = brug.profil_ekstra(B)\n"
         "R['uddannelse_rammevilkaar'] = brug.uddannelse_rammevilkaar(B)\n"
         "tu = tabel(R['uddannelse_rammevilkaar'], 'tabel_13c_uddannelse_rammevilkaar',\n"
         "           'Andel med lang videregående uddannelse efter kommunens rammevilkår')"),
    md("### 5.3.2 Ydelsesforhold\n\n"
       "Ydelsesgruppen ved bevillingen er DREAM-ydelsen i bevillingsugen (tom uge = selvforsørget). "
       "Fastholdelsesgraden er andelen af sager bevilget til selvforsørgede, delvis sygemeldte og fleksjobbere "
       "(l.1340); rekrutteringsgraden andelen bevilget til borgere på øvrig offentlig ydelse (l.1342)."),
    code("R['ydelsesforhold'] = brug.ydelsesforhold(B)\n"
         "ty = tabel(R['ydelsesforhold'], 'tabel_13d_ydelsesforhold', 'Bevillinger efter ydelsesgruppe og perspektiv ved bevillingen',\n"
         "           sums=brug.SUMS['ydelsesforhold'])\n"
         "R['rekrutteringsgrad_strategi'] = brug.rekrutteringsgrad_strategi(B)\n"
         "tr = tabel(R['rekrutteringsgrad_strategi'], 'tabel_13e_rekrutteringsgrad_strategi',\n"
         "           'Rekrutteringsgrad efter casekommunernes strategi', note='Uvægtet gennemsnit af kommunernes rekrutteringsgrad.')"),
    code("R['figur_22_23'] = brug.figur_22_23(B)\n"
         "f22 = tabel(R['figur_22_23'], 'figur_22_hm_fuldtidspersoner',\n"
         "            f'Figur 22-23: Borgere med HKO i pct. af antal fuldtidspersoner, {P.year}',\n"
         "            note='Hjælpemidler: borgere bevilget i året. Personlig assistance: borgere med en aktiv bevilling. '\n"
         "                 'Fuldtidspersoner: jobindsats.dk.')\n"
         "for o, name in (('Hjælpemidler', 'figur_22_hm_fuldtidspersoner'), ('Personlig assistance', 'figur_23_pa_fuldtidspersoner')):\n"
         "    fig = plots.bar_chart(f22.loc[f22['ordning'] == o], x='ydelsesgruppe', y='andel', hue='niveau', percent=True,\n"
         "                          share=True, ylabel='Pct. af fuldtidspersoner', xlabel='')\n"
         "    pub.figure(fig, name, source=f22, title=f'{o}: borgere i pct. af antal fuldtidspersoner, {P.year}')\n"
         "    plt.show()"),
    md("### 5.3.3 Kompensationsbehov\n\n"
       "Funktionsnedsættelser opgøres fra sagsgennemgangen (alle fire ordninger) og, som registerversion, fra "
       "Landspatientregistret (diagnoser de fem år før bevillingen)."),
    code("R['tabel_14'] = brug.tabel_14(B)\n"
         "t14 = tabel(R['tabel_14'], 'tabel_14_funktionsnedsaettelse', 'Tabel 14: Fordeling på type af funktionsnedsættelse på tværs af HKO',\n"
         "            note='Sagsgennemgang i casekommunerne. En sag kan have to funktionsnedsættelser.')\n"
         "R['diagnose_andele'] = brug.diagnose_andele(B)\n"
         "R['tabel_14_lpr'] = brug.tabel_14_lpr(B)\n"
         "t14l = tabel(R['tabel_14_lpr'], 'tabel_14b_funktionsnedsaettelse_lpr',\n"
         "             'Funktionsnedsættelse efter Landspatientregistret (registerversion af Tabel 14)',\n"
         "             note='Diagnoser de fem år før indeksbevillingen, kodet til funktionsnedsættelser (længste ICD-10-præfiks).')"),
    code("R['bevillingstyper'] = brug.bevillingstyper(B)\n"
         "t15 = tabel(R['bevillingstyper'], 'tabel_15_kompensationsbehov', 'Tabel 15: Kompensationsbehov – typer af personlig assistance og hjælpemidler',\n"
         "            sums=brug.SUMS['bevillingstyper'])\n"
         "R['tabel_16'] = brug.tabel_16(B)\n"
         "t16 = tabel(R['tabel_16'], 'tabel_16_parallelindsatser', 'Tabel 16: Fordeling af parallelindsatser på tværs af HKO',\n"
         "            note='Andel af ordningens modtagere i perioden med en anden indsats, der overlapper en af deres bevillinger. '\n"
         "                 'Ordningen selv: andel uden parallelindsats.')"),
    md("### 5.3.4 Bevillingsforhold"),
    code("R['varighed'] = brug.varighed(B)\n"
         "tv = tabel(R['varighed'], 'tabel_15b_varighed', 'Gennemsnitlig varighed af bevillinger (uger)',\n"
         "           note='Bevillinger i perioden med slutdato.')\n"
         "R['type_efter_ydelse'] = brug.type_efter_ydelse(B)\n"
         "tte = tabel(R['type_efter_ydelse'], 'tabel_15c_pa_type_efter_ydelse', 'Type af personlig assistance efter ydelsesgruppe ved bevillingen')\n"
         "R['kommune_fakta'] = brug.kommune_fakta(B)"),

    md("## 5.4 Subgrupper inden for de enkelte ordninger\n\n"
       "Er modtagerne en homogen gruppe? Tabellen viser for hver type personlig assistance og hjælpemiddel "
       "ydelsesforhold, perspektiv, indsats i jobcentret forud for bevillingen, køn, alder og funktionsnedsættelse."),
    code("R['subgrupper'] = brug.subgrupper(B)\n"
         "ts = tabel(R['subgrupper'], 'tabel_15d_subgrupper', 'Subgrupper: typer af PA og hjælpemidler efter ydelse, køn, alder og funktionsnedsættelse',\n"
         "           note='Bevillinger i perioden. Funktionsnedsættelse: Landspatientregistret.')"),

    md("## 5.5 Udgiftsniveau\n\n"
       "Bruttoudgifter på de konti, rapporten angiver (Figur 24/26), i året. Enhedsprisen er kommunens "
       "bruttoudgift divideret med antal bevillinger i kommunen; landstallet er gennemsnittet af kommunerne "
       "(rapportens »gule prik«), og den samlede kvote (udgift i alt / bevillinger i alt) vises ved siden af."),
    code("R['udgifter_national'] = brug.udgifter_national(B)\n"
         "tun = tabel(R['udgifter_national'], 'tabel_24_udgifter_national', f'Nationale udgifter til HKO, {P.year}')\n"
         "R['udgifter_kommuner'] = brug.udgifter_kommuner(B)\n"
         "ucols = ['kommunekode', 'kommune', 'befolkning', 'antal_pa', 'antal_hm', 'antal_is', 'udgift_pa', 'udgift_hm', 'udgift_is',\n"
         "         'udgift_pa_hm', 'enhedspris_pa', 'enhedspris_hm', 'enhedspris_is', 'udgiftsandel', 'befolkningsandel', 'difference',\n"
         "         'hoejere_end_forventet']\n"
         "tuk = tabel(R['udgifter_kommuner'][ucols], 'figur_24_udgifter_kommuner', f'Udgifter og enhedspriser pr. kommune, {P.year}')\n"
         "d = tuk.assign(befolkning_10000=tuk['befolkning'] / 10000, udgift_1000kr=tuk['udgift_pa_hm'] / 1000)\n"
         "fig = plots.scatter_with_mean(d, x='befolkning_10000', y='udgift_1000kr', xlabel='Kommunestørrelse (10.000 indbyggere)',\n"
         "                              ylabel='Bruttoudgifter PA og hjælpemidler (1.000 kr.)')\n"
         "pub.figure(fig, 'figur_24_udgifter_stoerrelse', source=tuk, title='Figur 24: Samlede udgifter vs. kommunestørrelse')\n"
         "plt.show()\n"
         "d25 = tuk.sort_values('difference').assign(difference_pp=lambda x: x['difference'] * 100)\n"
         "d25 = d25 if P.all_kommuner else d25.loc[d25['kommunekode'].isin(P.kommuner)]\n"
         "fig = plots.bar_chart(d25, x='kommune', y='difference_pp', ylabel='Procentpoint', rotate=90, figsize=(14, 5))\n"
         "pub.figure(fig, 'figur_25_udgiftsandel_befolkningsandel', source=tuk,\n"
         "           title='Figur 25: Difference ml. andel udgifter og andel befolkning',\n"
         "           note='Højere udgifter end forventet: differencen er over 0,5 procentpoint.')\n"
         "plt.show()"),
    code("R['enhedspriser'] = brug.enhedspriser(B)\n"
         "t26 = tabel(R['enhedspriser'], 'figur_26_enhedspriser', f'Figur 26: Enhedspriser, {P.year}',\n"
         "            note='Gennemsnit af kommunernes enhedspriser (kommuner med bevillinger) og samlet udgift pr. bevilling.')\n"
         "fig = plots.bar_chart(t26, x='ordning', y='enhedspris_gns_kommuner', hue='niveau', ylabel='Kr. pr. bevilling')\n"
         "pub.figure(fig, 'figur_26_enhedspriser', source=t26, title='Figur 26: Gennemsnitlige enhedspriser')\n"
         "plt.show()\n"
         "d27 = tuk.assign(befolkning_10000=tuk['befolkning'] / 10000)\n"
         "fig = plots.scatter_with_mean(d27, x='befolkning_10000', y='enhedspris_pa', xlabel='Kommunestørrelse (10.000 indbyggere)',\n"
         "                              ylabel='Kr. pr. bevilling (personlig assistance)')\n"
         "pub.figure(fig, 'figur_27_enhedspriser_stoerrelse', source=tuk, title='Figur 27: Enhedspriser vs. kommunestørrelse')\n"
         "plt.show()\n"
         "R['enhedspris_sammenhaenge'] = brug.enhedspris_sammenhaenge(B)\n"
         "tes = tabel(R['enhedspris_sammenhaenge'], 'tabel_26b_enhedspris_sager',\n"
         "            'Sammenhæng mellem enhedspris og antal sager pr. indbygger (Spearman, kommuneniveau)')\n"
         "R['udgifter_grupper'] = brug.udgifter_grupper(B)\n"
         "tug = tabel(R['udgifter_grupper'], 'tabel_24b_udgifter_strategi', 'Enhedspriser og udgift pr. indbygger efter strategi (casekommuner)')"),

    md("## 5.6 Bevillingsprocessen\n\n"
       "Sagsbehandlingstiden er dage mellem ansøgningsdato og bevillingsdato (l.1597), opgjort i uger for sager "
       "med begge datoer. Fristen for hjælpemidler er fire uger fra 1. januar 2020."),
    code("R['figur_29_30'] = brug.figur_29_30(B)\n"
         "f29 = tabel(R['figur_29_30'], 'figur_29_sagsbehandlingstid', 'Figur 29-30: Sagsbehandlingstid og andel sager over 4 uger',\n"
         "            note='Sagsgennemgang i casekommunerne.')\n"
         "fa = f29.loc[f29['niveau'] == brug.ALLE_CASE]\n"
         "fig = plots.bar_chart(fa, x='ordning', y='gennemsnit_uger', hue='aar', ylabel='Uger')\n"
         "pub.figure(fig, 'figur_29_sagsbehandlingstid', source=f29, title='Figur 29: Gennemsnitlig sagsbehandlingstid')\n"
         "plt.show()\n"
         "fig = plots.bar_chart(fa, x='ordning', y='andel_over_4_uger', hue='aar', percent=True, share=True, ylabel='Pct. af sagerne')\n"
         "pub.figure(fig, 'figur_30_over_4_uger', source=f29, title='Figur 30: Andel sager med en sagsbehandlingstid over 4 uger')\n"
         "plt.show()"),
    code("R['tabel_17'] = brug.tabel_17(B)\n"
         "t17 = tabel(R['tabel_17'], 'tabel_17_organisering_sagsbehandlingstid',\n"
         "            'Tabel 17: Sammenhængen mellem organisering, prioritering og sagsbehandlingstid (uger)')\n"
         "R['tabel_18'] = brug.tabel_18(B)\n"
         "t18 = tabel(R['tabel_18'], 'tabel_18_ressourceforbrug', 'Tabel 18: Ressourceforbrug ifm. bevilling af HKO (timer pr. sag)',\n"
         "            note='Nøglepersonernes egne skøn i casekommunerne.')\n"
         "R['tabel_19'] = brug.tabel_19(B)\n"
         "t19 = tabel(R['tabel_19'], 'tabel_19_opfoelgning', 'Tabel 19: Opfølgningspraksis for personlig assistance og hjælpemidler',\n"
         "            sums=brug.SUMS['tabel_19'])"),

    md("## 5.7 Delkonklusion\n\nSammenfatningen nedenfor er skrevet ud fra de beregnede (diskretionerede) tal."),
    code("def v(df, col='andel', **kw):\n"
         "    d = landet(df)\n"
         "    for k, x in kw.items():\n"
         "        d = d.loc[d[k] == x]\n"
         "    return d[col].iloc[0] if len(d) == 1 else float('nan')\n"
         "y0, y1 = P.year - 1, P.year\n"
         "txt = f'''\n"
         "**Omfang.** I {y0}-{y1} var der {num(v(t11, 'antal', ordning='Personlig assistance', periode='I alt'))} bevillinger af\n"
         "personlig assistance, {num(v(t11, 'antal', ordning='Hjælpemidler', periode='I alt'))} af hjælpemidler og\n"
         "{num(v(t11, 'antal', ordning='Isbryderordning', periode='I alt'))} isbryderforløb. Af kommunerne havde\n"
         "{pct(v(t12, anvendelsesgrad='lav'))} en lav, {pct(v(t12, anvendelsesgrad='mellem'))} en mellem og\n"
         "{pct(v(t12, anvendelsesgrad='hoej'))} en høj anvendelsesgrad i {y1}.\n\n"
         "**Fastholdelse.** {pct(v(ty, ordning='Personlig assistance', tema='perspektiv', kategori='fastholdelse'))} af sagerne om\n"
         "personlig assistance og {pct(v(ty, ordning='Hjælpemidler', tema='perspektiv', kategori='fastholdelse'))} af\n"
         "hjælpemiddelsagerne blev bevilget med et fastholdelsesperspektiv.\n\n"
         "**Parallelindsatser.** For {pct(v(t16, population='Personlig assistance', indsats='Personlig assistance (eneste indsats)'))}\n"
         "af modtagerne af personlig assistance og {pct(v(t16, population='Hjælpemidler', indsats='Hjælpemiddel (eneste indsats)'))}\n"
         "af modtagerne af hjælpemidler var ordningen den eneste indsats.\n"
         "'''\n"
         "display(Markdown(txt))\n"
         "d29 = landet(f29).sort_values('aar')\n"
         "for o in ('Personlig assistance', 'Hjælpemidler', 'Fortrinsadgang'):\n"
         "    s = d29.loc[d29['ordning'] == o]\n"
         "    if len(s):\n"
         "        display(Markdown(f'**Sagsbehandlingstid, {o.lower()}:** ' + ', '.join(\n"
         "            f\"{int(a)}: {num(w, 1)} uger\" for a, w in zip(s['aar'], s['gennemsnit_uger']))))"),

    md("## Reproduktion af rapportens tal\n\n"
       "Kun i rapportens egen opsætning (2019, alle kommuner) sammenlignes de beregnede tal med rapportens; "
       "sammenligningen sker i kørslens `reproduction.csv`."),
    code("if P.is_report_setting:\n"
         "    for target_id, value in brug.reproduction_values(brug.resultater(B, done=R), P).items():\n"
         "        pub.reproduce(target_id, value)\n"
         "    print(f'{len(pub.values)} tal til sammenligning med rapporten')\n"
         "pub.finish()"),
]
nb.cells = cells
write(nb, OUT)
