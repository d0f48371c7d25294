"""Writes notebooks/00_datagrundlag.ipynb (no outputs). Run: .venv/bin/python notebooks/_build/build_00.py"""
import sys
from pathlib import Path


sys.path.insert(0, str(Path(__file__).resolve().parent))
from common import code, md, new_notebook, parameter_cells, write  # noqa: E402

HERE = Path(__file__).resolve().parent
nb = new_notebook()

nb.cells = [
    md("# 0. Datagrundlag\n\nOverblik over kørslens inddata: kilde, antal rækker, år og kommuner, der er dækket, "
       "og om hver fil overholder sin datakontrakt (`data_contracts/`)."),
    *parameter_cells(),
    code("import matplotlib\n"
         "from IPython.display import HTML, Markdown, display\n"
         "from hko_research import reference\n"
         "from hko_research.datagrundlag import input_overview\n"
         "from hko_research.output import Publisher\n"
         "from hko_research.plots import choropleth, set_theme\n"
         "from hko_research.validation import validate_inputs\n"
         "set_theme()\n"
         "pub = Publisher.for_notebook(P, notebook='00_datagrundlag')\n"
         "if P.synthetic:\n"
         "    display(HTML('<div style=\"background:#b00020;color:white;padding:8px 12px;font-weight:bold\">"
         "Syntetiske data – tallene er ikke rigtige registerdata</div>'))"),
    md("## Kørslens parametre"),
    code("navne = reference.kommune_navne()\n"
         "valgte = ', '.join(navne[k] for k in P.kommuner) if len(P.kommuner) <= 20 else f'{len(P.kommuner)} kommuner'\n"
         "display(Markdown(f'''- **År:** {P.year} (data dækker {', '.join(map(str, P.covered_years))})\n"
         "- **Kommuner:** {P.kommuner_spec} – {valgte}\n"
         "- **Datamappe:** `{P.data_dir}` ({'syntetiske data' if P.synthetic else 'rigtige data'})\n"
         "- **Mindste cellestørrelse:** {P.min_cell_size}'''))"),
    md("## Validering af inddata\n\nHver fil kontrolleres mod sin kontrakt: kolonner, typer, tilladte værdier, "
       "nøgler og relationer mellem filerne. Alle fejl vises på én gang."),
    code("rapport = validate_inputs(P)\n"
         "print(rapport.to_text())"),
    md("## Oversigt over inddata"),
    code("oversigt = input_overview(P.data_dir, rapport, synthetic=P.synthetic)\n"
         "oversigt = pub.table(oversigt, 'bilag_datagrundlag_inddata', title='Inddata i kørslen',\n"
         "          note='Antal rækker og kolonner, år og kommuner dækket, datastatus og valideringsstatus pr. fil.', keys=['kolonner', 'kommuner_daekket'])\n"
         "pub.show(oversigt)"),
    md("## Datakontrakter\n\nHvad hver fil skal indeholde (fra `data_contracts/`): kolonne, DST-variabel, beskrivelse, "
       "type, om feltet må være tomt, tilladte værdier og nøgle. Brug tabellen som tjekliste ved bestilling af udtræk."),
    code("from hko_research.contracts import data_dictionary\n"
         "ordbog = pub.table(data_dictionary(), 'bilag_datakontrakter', title='Datakontrakter: kolonner pr. inddatafil',\n"
         "                   note='Kolonnenavne matches uden hensyn til store/små bogstaver. Se data_contracts/README.md.')\n"
         "pub.show(ordbog)"),
    md("## Valgte kommuner\n\nKortet viser de kommuner, kørslen er afgrænset til (markeret), på DAGI-kommunegrænser "
       "(Geodatastyrelsen/Danske Kommuner). Farven viser befolkningen i 4. kvartal af det valgte år."),
    code("import pandas as pd\n"
         "from hko_research.contracts import read_input\n"
         "bef = read_input(P.data_dir, 'befolkning')\n"
         "kvartal = f'{P.year}K4'\n"
         "befolkning = bef.loc[bef['kvartal'] == kvartal].set_index('kommunekode')['befolkning'].astype(float)\n"
         "kilde = bef.loc[bef['kvartal'] == kvartal, 'kilde'].unique()\n"
         "kort_data = pd.DataFrame({'kommunekode': befolkning.index, 'antal_indbyggere': befolkning.values,\n"
         "                          'valgt': befolkning.index.isin(P.kommuner)})\n"
         "kort_data = pub.table(kort_data, 'kort_befolkning_valgte_kommuner', title=f'Befolkning {kvartal} og valgte kommuner',\n"
         "                      note=f'Kilde: {\", \".join(kilde)} (FOLK1A er ægte DST-tal; syntetisk_ekstrapolation er fremskrevet).')\n"
         "fig = choropleth(kort_data.set_index('kommunekode')['antal_indbyggere'], title=f'Valgte kommuner ({len(P.kommuner)}) – befolkning {kvartal}',\n"
         "                 highlight=set(P.kommuner), legend_label='Indbyggere')\n"
         "pub.figure(fig, 'kort_valgte_kommuner', source=kort_data, title='Valgte kommuner',\n"
         "           note='Kommunegrænser: DAGI, Geodatastyrelsen og Danske Kommuner.')"),
    code("pub.finish()"),
]
write(nb, HERE.parent / "00_datagrundlag.ipynb")

