"""REFI-QDA exchange files: ``.qdpx`` projects and ``.qdc`` codebooks (NVivo, ATLAS.ti, MAXQDA,
QualCoder), read into and written from the canonical coding tables of :mod:`.coding`.

A ``.qdpx`` is a zip with ``project.qde`` (XML in the namespace ``urn:QDA-XML:project:1.0``) and
the text sources under ``Sources/``. What is read (REFI-QDA 1.5):

* ``Users/User`` (guid, name): the coders;
* ``CodeBook/Codes/Code`` (nested): the codebook. A code's id, and whether it is categorical or a
  value of a categorical code, is written on the first line of its ``Description`` as
  ``hko: kode=<id>[; kategorisk][; kræves]`` or ``hko: kode=<id>; værdi=<value>`` (the codebook
  that ``hko-research template ... --out kodebog.qdc`` writes carries these lines; a code typed
  in the QDA program without one gets the id of its name, e.g. "Tæt kontakt" -> ``taet_kontakt``);
* ``Sets/Set`` with ``MemberCode``: a code that groups other codes (``omfatter``);
* ``Variables`` and ``Cases/Case`` with ``VariableValue`` and ``SourceRef``: the cases, their
  attributes (a variable's name is the attribute id, or a name whose id is it) and their sources;
* ``Sources/TextSource`` with ``PlainTextSelection/Coding`` (a coded passage: the quote) or
  ``Coding`` on the whole source; ``Coding/@creatingUser`` is the coder, ``@creationDateTime``
  the date, ``CodeRef/@targetGUID`` the code.

Problems are located by the line in ``project.qde``.
"""
from __future__ import annotations

import io
import re
import uuid
import zipfile
from pathlib import Path
from typing import Any

import pandas as pd

from .coding import (
    PRESENT,
    Codebook,
    CodingTables,
    Located,
    Project,
    _text,
    canonical_kodebog,
    canonical_kodning,
    canonical_sager,
    check_codebook,
    check_codings,
    check_sager,
    slug,
    split,
)
from .readers import ReadProblem

NS = "urn:QDA-XML:project:1.0"
CODEBOOK_NS = "urn:QDA-XML:codebook:1.0"
_TAG_RE = re.compile(r"^\s*hko:\s*(.*)$", re.IGNORECASE)
_ZIP_DATE = (2000, 1, 1, 0, 0, 0)
_VAR_TYPES = {"string": "Text", "int": "Integer", "float": "Float", "bool": "Boolean", "date": "Date"}
_VALUE_TAGS = ("TextValue", "BooleanValue", "IntegerValue", "FloatValue", "DateValue", "DateTimeValue")


# ---------------------------------------------------------------------------------- reading
def _q(tag: str, ns: str = NS) -> str:
    return f"{{{ns}}}{tag}"


def parse_tag(description: str | None) -> tuple[dict[str, str], set[str], str | None]:
    """(key=value pairs, flags, the rest of the description) of a ``hko:`` first line."""
    if not description:
        return {}, set(), None
    lines = description.strip().splitlines()
    m = _TAG_RE.match(lines[0]) if lines else None
    if not m:
        return {}, set(), _text(description)
    pairs, flags = {}, set()
    for part in re.split(r"[;,]", m.group(1)):
        part = part.strip()
        if not part:
            continue
        if "=" in part:
            k, v = part.split("=", 1)
            pairs[k.strip().lower().replace("æ", "ae")] = v.strip()
        else:
            flags.add(part.lower().replace("æ", "ae"))
    return pairs, flags, _text("\n".join(lines[1:]))


def _parse_codebook(root, ns: str, file: str):
    """Canonical kodebog rows, {guid: (kode, value or None)} and the code's location."""
    rows: list[dict] = []
    guids: dict[str, tuple[str, str | None]] = {}
    where: dict[str, Located] = {}
    problems: list[ReadProblem] = []
    codes_el = root.find(f"{_q('CodeBook', ns)}/{_q('Codes', ns)}") if root.tag != _q("CodeBook", ns) \
        else root.find(_q("Codes", ns))

    def walk(el, parent: str | None, parent_categorical: bool):
        name = el.get("name") or ""
        desc_el = el.find(_q("Description", ns))
        pairs, flags, rest = parse_tag(desc_el.text if desc_el is not None else None)
        guid = el.get("guid")
        loc = Located(file, line=el.sourceline)
        if parent_categorical and ("vaerdi" in pairs or "kode" not in pairs):
            value = pairs.get("vaerdi") or slug(name)
            row = next(r for r in rows if r["kode"] == parent)
            row["_values"].append((value, name))
            guids[guid] = (parent, value)
            for child in el.findall(_q("Code", ns)):
                problems.append(Located(file, line=child.sourceline).problem(
                    "kodebog", f"værdien {name!r} af {parent} har selv underkoder; en værdi kan ikke have underkoder"))
            return
        kode = pairs.get("kode") or slug(name)
        categorical = "kategorisk" in flags
        rows.append({"kode": kode, "etiket": name or kode, "overkode": parent, "_values": [],
                     "kraevet": "kraeves" in flags, "omfatter": None, "beskrivelse": rest})
        guids[guid] = (kode, None)
        where[kode] = loc
        for child in el.findall(_q("Code", ns)):
            walk(child, kode, categorical)

    if codes_el is not None:
        for el in codes_el.findall(_q("Code", ns)):
            walk(el, None, False)
    sets_el = root.find(_q("Sets", ns)) if root.tag == _q("CodeBook", ns) else root.find(_q("Sets", ns))
    if sets_el is not None:
        for s in sets_el.findall(_q("Set", ns)):
            desc_el = s.find(_q("Description", ns))
            pairs, _, _ = parse_tag(desc_el.text if desc_el is not None else None)
            kode = pairs.get("kode") or slug(s.get("name") or "")
            row = next((r for r in rows if r["kode"] == kode), None)
            if row is None:
                continue  # a set that is not a code of the codebook (e.g. a working set in NVivo)
            members = []
            for m in s.findall(_q("MemberCode", ns)):
                target = guids.get(m.get("targetGUID"))
                if target is None:
                    problems.append(Located(file, line=m.sourceline).problem(
                        "omfatter", f"sættet {s.get('name')!r} henviser til en kode, der ikke findes (guid "
                        f"{m.get('targetGUID')})", "omfatter", m.get("targetGUID")))
                    continue
                members.append(target[0])
            row["omfatter"] = "|".join(members) or None
    for r in rows:
        vals = r.pop("_values")
        r["vaerdier"] = "|".join(v for v, _ in vals) or None
        r["vaerdietiketter"] = "|".join(n for _, n in vals) or None
    kb = canonical_kodebog(pd.DataFrame(rows, columns=["kode", "etiket", "overkode", "vaerdier", "vaerdietiketter",
                                                        "kraevet", "omfatter", "beskrivelse"]))
    return kb, guids, where, problems


def _variable_value(vv) -> Any:
    for tag in _VALUE_TAGS:
        el = vv.find(_q(tag))
        if el is not None:
            text = (el.text or "").strip()
            if tag == "BooleanValue":
                return {"true": True, "false": False, "1": True, "0": False}.get(text.lower(), text)
            return text
    return None


def read_qdc(path: Path) -> pd.DataFrame:
    """The canonical kodebog of a REFI-QDA codebook file (``.qdc``)."""
    from lxml import etree

    root = etree.parse(str(path)).getroot()
    kb, _, _, problems = _parse_codebook(root, CODEBOOK_NS, Path(path).name)
    if problems:
        from .readers import ReadProblems

        raise ReadProblems.of(problems)
    return kb


def read_qdpx(path: Path, proj: Project) -> CodingTables:
    """Read a REFI-QDA project export into the canonical tables of ``proj``."""
    from lxml import etree

    path = Path(path)
    name = path.name
    try:
        zf = zipfile.ZipFile(path)
    except (zipfile.BadZipFile, OSError) as exc:
        raise ReadProblem(name, "readable", f"filen er ikke et REFI-QDA-projekt (.qdpx er en zip-fil): {exc}") from exc
    with zf:
        qde = next((n for n in zf.namelist() if n.lower().endswith("project.qde")), None)
        if qde is None:
            raise ReadProblem(name, "readable", "zip-filen indeholder ingen project.qde")
        try:
            root = etree.fromstring(zf.read(qde), parser=etree.XMLParser(resolve_entities=False, no_network=True))
        except etree.XMLSyntaxError as exc:
            raise ReadProblem(name, "readable", f"project.qde er ikke gyldig XML: {exc}") from exc
        if root.tag != _q("Project"):
            raise ReadProblem(name, "readable", f"project.qde har ikke et REFI-QDA Project-element i navnerummet {NS}")
        members = set(zf.namelist())

        def source_text(src) -> str | None:
            content = src.find(_q("PlainTextContent"))
            if content is not None:
                return content.text or ""
            p = src.get("plainTextPath")
            if not p:
                return None
            rel = p.split("internal://", 1)[1] if p.startswith("internal://") else p
            for cand in (f"Sources/{rel}", rel):
                if cand in members:
                    return zf.read(cand).decode("utf-8-sig")
            return None

        tables = CodingTables(kodebog=pd.DataFrame(), sager=pd.DataFrame(), kodning=pd.DataFrame(), source=path)
        kb, guids, kb_where, problems = _parse_codebook(root, NS, name)
        tables.kodebog = kb
        tables.problems["kodebog"] = problems + check_codebook(kb, kb_where, name)

        users = {u.get("guid"): _text(u.get("name")) for u in root.iterfind(f"{_q('Users')}/{_q('User')}")}
        variables = {v.get("guid"): v.get("name") or "" for v in root.iterfind(f"{_q('Variables')}/{_q('Variable')}")}
        contract = proj.sager_contract()
        columns = contract.column_names()
        by_label = {slug(contract.column(c).label): c for c in columns}

        def attribute(var_name: str) -> str | None:
            s = slug(var_name)
            return s if s in columns else by_label.get(s)

        case_recs, case_locs_list = [], []
        source_case: dict[str, str | None] = {}
        case_level: list[tuple[str | None, Any]] = []
        for case in root.iterfind(f"{_q('Cases')}/{_q('Case')}"):
            rec: dict[str, Any] = {"sag": _text(case.get("name"))}
            for vv in case.findall(_q("VariableValue")):
                ref = vv.find(_q("VariableRef"))
                var = variables.get(ref.get("targetGUID")) if ref is not None else None
                col = attribute(var) if var else None
                if col is not None and col != "sag":
                    rec[col] = _variable_value(vv)
            for sref in case.findall(_q("SourceRef")):
                g = sref.get("targetGUID")
                if g in source_case and source_case[g] != rec["sag"]:
                    tables.problems["kodning"].append(Located(name, line=sref.sourceline).problem(
                        "kilde_to_sager", f"kilden (guid {g}) er knyttet til både {source_case[g]!r} og {rec['sag']!r}"))
                source_case[g] = rec["sag"]
            for cref in case.findall(_q("CodeRef")):
                case_level.append((rec["sag"], cref))
            case_recs.append(rec)
            case_locs_list.append(Located(name, line=case.sourceline))
        typed, problems = check_sager(proj, case_recs, case_locs_list)
        tables.problems["sager"] += problems
        tables.sager = canonical_sager(typed, columns)
        case_locs = {str(r.get("sag")): loc for r, loc in zip(typed, case_locs_list)}

        rows: list[dict] = []
        locs: list[Located] = []

        def coding(c, sag, kilde, citat):
            loc = Located(name, line=c.sourceline)
            ref = c.find(_q("CodeRef"))
            target = guids.get(ref.get("targetGUID")) if ref is not None else None
            if target is None:
                tables.problems["kodning"].append(loc.problem(
                    "ukendt_kode", f"kodningen henviser til en kode, der ikke findes i kodebogen (guid "
                    f"{ref.get('targetGUID') if ref is not None else '?'})", "kode",
                    ref.get("targetGUID") if ref is not None else None))
                if users.get(c.get("creatingUser")) is None:
                    tables.problems["kodning"].append(loc.problem(
                        "mangler_koder", f"kodningen i sagen {sag!r} har ingen koder", "koder", None))
                return
            kode, value = target
            book_vals = split(kb.set_index("kode").at[kode, "vaerdier"]) if kode in set(kb["kode"]) else []
            vaerdi = value if value is not None else (None if book_vals else PRESENT)
            stamp = c.get("creationDateTime")
            rows.append({"sag": sag, "kode": kode, "vaerdi": vaerdi, "koder": users.get(c.get("creatingUser")),
                         "kilde": kilde, "citat": citat, "dato": stamp[:10] if stamp else None})
            locs.append(loc)

        for sag, cref in case_level:
            loc = Located(name, line=cref.sourceline)
            tables.problems["kodning"].append(loc.problem(
                "mangler_koder", f"sagen {sag!r} har en kode sat direkte på sagen (CodeRef) uden koder; kod en passage "
                "eller kilden i stedet, så koderen registreres", "koder", None))
        for src in root.iterfind(f"{_q('Sources')}/{_q('TextSource')}"):
            sag = source_case.get(src.get("guid"))
            kilde = _text(src.get("name"))
            has_codings = src.find(_q("Coding")) is not None or src.find(f"{_q('PlainTextSelection')}/{_q('Coding')}") is not None
            if sag is None:
                if has_codings:
                    tables.problems["kodning"].append(Located(name, line=src.sourceline).problem(
                        "kilde_uden_sag", f"kilden {kilde!r} er kodet, men ikke knyttet til nogen sag (SourceRef i Cases)",
                        "sag", kilde))
                continue
            text = source_text(src)
            for sel in src.findall(_q("PlainTextSelection")):
                start, end = int(sel.get("startPosition", 0)), int(sel.get("endPosition", 0))
                citat = text[start:end] if text is not None else _text(sel.get("name"))
                for c in sel.findall(_q("Coding")):
                    coding(c, sag, kilde, _text(citat))
            for c in src.findall(_q("Coding")):
                coding(c, sag, kilde, None)
        tables.problems["kodning"] += check_codings(proj, kb, tables.sager, rows, locs, case_locs)
        tables.kodning = canonical_kodning(rows)
    return tables


# ---------------------------------------------------------------------------------- writing
def _guid(*parts: str) -> str:
    return str(uuid.uuid5(uuid.NAMESPACE_URL, "hko-research:" + ":".join(parts)))


def _code_elements(parent_el, kb: pd.DataFrame, ns: str, project_name: str):
    """Nested Code elements for a canonical kodebog; returns {kode: guid} and {(kode, value): guid}."""
    from lxml import etree

    book = Codebook(kb)
    code_guid, value_guid = {}, {}
    codable = set(book.codable())
    by_parent: dict[str | None, list[dict]] = {}
    for r in kb.to_dict("records"):
        by_parent.setdefault(r["overkode"], []).append(r)

    def add(el_parent, r):
        g = _guid(project_name, "kode", r["kode"])
        code_guid[r["kode"]] = g
        categorical = bool(split(r["vaerdier"]))
        el = etree.SubElement(el_parent, f"{{{ns}}}Code", guid=g, name=r["etiket"],
                              isCodable="true" if (r["kode"] in codable and not categorical) else "false")
        flags = "".join(["; kategorisk" if categorical else "", "; kræves" if r["kraevet"] else ""])
        desc = f"hko: kode={r['kode']}{flags}" + (f"\n{r['beskrivelse']}" if r["beskrivelse"] else "")
        etree.SubElement(el, f"{{{ns}}}Description").text = desc
        for v, label in book.value_labels(r["kode"]).items():
            vg = _guid(project_name, "vaerdi", r["kode"], v)
            value_guid[(r["kode"], v)] = vg
            vel = etree.SubElement(el, f"{{{ns}}}Code", guid=vg, name=label, isCodable="true")
            etree.SubElement(vel, f"{{{ns}}}Description").text = f"hko: kode={r['kode']}; værdi={v}"
        for child in by_parent.get(r["kode"], []):
            add(el, child)

    for r in by_parent.get(None, []):
        add(parent_el, r)
    return code_guid, value_guid


def _sets(parent_el, kb: pd.DataFrame, ns: str, code_guid: dict, project_name: str) -> None:
    from lxml import etree

    groups = [r for r in kb.to_dict("records") if r["omfatter"]]
    if not groups:
        return
    sets = etree.SubElement(parent_el, f"{{{ns}}}Sets")
    for r in groups:
        s = etree.SubElement(sets, f"{{{ns}}}Set", guid=_guid(project_name, "saet", r["kode"]), name=r["etiket"])
        etree.SubElement(s, f"{{{ns}}}Description").text = f"hko: kode={r['kode']}"
        for m in split(r["omfatter"]):
            etree.SubElement(s, f"{{{ns}}}MemberCode", targetGUID=code_guid[m])


def write_qdc(kodebog: pd.DataFrame, path: Path, project_name: str = "kodebog") -> Path:
    """A REFI-QDA codebook (``.qdc``) to import into a QDA program."""
    from lxml import etree

    root = etree.Element(f"{{{CODEBOOK_NS}}}CodeBook", nsmap={None: CODEBOOK_NS}, origin="hko-research")
    codes = etree.SubElement(root, f"{{{CODEBOOK_NS}}}Codes")
    code_guid, _ = _code_elements(codes, kodebog, CODEBOOK_NS, project_name)
    _sets(root, kodebog, CODEBOOK_NS, code_guid, project_name)
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(etree.tostring(root, xml_declaration=True, encoding="utf-8", pretty_print=True))
    return path


def qdpx_bytes(proj: Project, tables: CodingTables) -> bytes:
    """The canonical tables as a REFI-QDA project export (the same bytes on every run)."""
    from lxml import etree

    E = lambda parent, tag, **kw: etree.SubElement(parent, _q(tag), **{k: str(v) for k, v in kw.items()})  # noqa: E731
    root = etree.Element(_q("Project"), nsmap={None: NS}, name=proj.title, origin="hko-research")
    kod = tables.kodning
    coders = sorted({str(x) for x in kod["koder"].dropna()} | {str(x) for x in tables.sager["koder"].dropna()})
    users_el = E(root, "Users")
    user_guid = {}
    for c in coders:
        user_guid[c] = _guid(proj.name, "koder", c)
        E(users_el, "User", guid=user_guid[c], name=c)
    codebook = E(root, "CodeBook")
    codes = E(codebook, "Codes")
    code_guid, value_guid = _code_elements(codes, tables.kodebog, NS, proj.name)

    contract = proj.sager_contract()
    attrs = [c for c in contract.column_names() if c != "sag"]
    var_el = E(root, "Variables")
    var_guid = {}
    for c in attrs:
        var_guid[c] = _guid(proj.name, "variabel", c)
        v = E(var_el, "Variable", guid=var_guid[c], name=c, typeOfVariable=_VAR_TYPES[contract.column(c).type])
        E(v, "Description").text = contract.column(c).label

    # one text source per case and source reference; its text holds the coded passages
    sources: dict[tuple, dict] = {}
    for r in kod.itertuples(index=False):
        key = (r.sag, _text(r.kilde))
        s = sources.setdefault(key, {"text": "", "selections": [], "whole": []})
        stamp = None if pd.isna(r.dato) else pd.Timestamp(r.dato).strftime("%Y-%m-%dT00:00:00Z")
        target = value_guid[(r.kode, r.vaerdi)] if (r.kode, r.vaerdi) in value_guid else code_guid[r.kode]
        item = {"user": user_guid.get(r.koder), "stamp": stamp, "target": target}
        if isinstance(r.citat, str) and r.citat:
            start = len(s["text"])
            s["text"] += r.citat
            s["selections"].append({**item, "start": start, "end": len(s["text"])})
            s["text"] += "\n\n"
        else:
            s["whole"].append(item)
    source_guid = {key: _guid(proj.name, "kilde", str(key[0]), str(key[1])) for key in sources}

    cases_el = E(root, "Cases")
    for rec in tables.sager.to_dict("records"):
        case = E(cases_el, "Case", guid=_guid(proj.name, "sag", str(rec["sag"])), name=rec["sag"])
        for c in attrs:
            v = rec.get(c)
            if v is None or v is pd.NA or (isinstance(v, float) and pd.isna(v)):
                continue
            vv = E(case, "VariableValue")
            E(vv, "VariableRef", targetGUID=var_guid[c])
            t = contract.column(c).type
            tag = {"Text": "TextValue", "Integer": "IntegerValue", "Float": "FloatValue", "Boolean": "BooleanValue",
                   "Date": "DateValue"}[_VAR_TYPES[t]]
            E(vv, tag).text = ("true" if v else "false") if t == "bool" else str(int(v) if t == "int" else v)
        for key in sorted((k for k in sources if k[0] == rec["sag"]), key=lambda k: (str(k[1]),)):
            E(case, "SourceRef", targetGUID=source_guid[key])
    files: dict[str, str] = {}
    src_el = E(root, "Sources")
    for key in sorted(sources, key=lambda k: (str(k[0]), str(k[1]))):
        s = sources[key]
        g = source_guid[key]
        attrs_ = {"guid": g, "plainTextPath": f"internal://{g}.txt"}
        if key[1] is not None:
            attrs_["name"] = key[1]
        ts = E(src_el, "TextSource", **attrs_)
        files[f"Sources/{g}.txt"] = s["text"]
        for i, sel in enumerate(s["selections"]):
            pts = E(ts, "PlainTextSelection", guid=_guid(g, "udsnit", str(i)), startPosition=sel["start"],
                    endPosition=sel["end"])
            _coding(E, pts, sel, g, f"u{i}")
        for i, item in enumerate(s["whole"]):
            _coding(E, ts, item, g, f"h{i}")
    _sets(root, tables.kodebog, NS, code_guid, proj.name)

    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as zf:
        def add(name: str, data: bytes):
            info = zipfile.ZipInfo(name, date_time=_ZIP_DATE)
            info.compress_type = zipfile.ZIP_DEFLATED
            zf.writestr(info, data)
        add("project.qde", etree.tostring(root, xml_declaration=True, encoding="utf-8", pretty_print=True))
        for n in sorted(files):
            add(n, files[n].encode("utf-8"))
    return buf.getvalue()


def _coding(E, parent, item: dict, source_guid: str, tag: str) -> None:
    kw = {"guid": _guid(source_guid, "kodning", tag, item["target"])}
    if item["user"]:
        kw["creatingUser"] = item["user"]
    if item["stamp"]:
        kw["creationDateTime"] = item["stamp"]
    c = E(parent, "Coding", **kw)
    E(c, "CodeRef", targetGUID=item["target"])


def write_qdpx(proj: Project, tables: CodingTables, path: Path) -> Path:
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(qdpx_bytes(proj, tables))
    return path
