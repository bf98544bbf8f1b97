"""The site-assessment report as one self-contained HTML page (written beside the PDF).

Same content as the PDF (:class:`~amp_qgis_plugin.core.report.content.ReportContent`): the radar
chart inline as SVG, the maps as PNG inside the page (``data:`` URIs), every table as HTML text,
so the page can be mailed or put on an intranet as one file, read on a phone, searched and
copied from. No script, no web font, no network.
"""

from __future__ import annotations

import base64
import html
import os
import re
from pathlib import Path
from typing import TYPE_CHECKING, Dict, List, Optional, Sequence, Tuple

from amp_qgis_plugin.core.atomic import atomic_output
from amp_qgis_plugin.core.report.radar import BAND_COLOURS, NO_DATA_COLOUR
from amp_qgis_plugin.core.report.texts import number_text

if TYPE_CHECKING:  # pragma: no cover
    from amp_qgis_plugin.core.report.content import KeyFigure, ProfileScore, ReportContent
    from amp_qgis_plugin.core.report.maps import MapResult

_CSS = """
body { font-family: "DejaVu Sans", "Segoe UI", Arial, sans-serif; color: #1a1a1a;
       max-width: 60rem; margin: 2rem auto; padding: 0 1rem; line-height: 1.4; }
h1, h2, h3 { color: #1f4e79; }
h1 { margin-bottom: 0.2rem; }
.subtitle { color: #6b6b6b; margin-top: 0; }
.facts { font-size: 0.9rem; }
table { border-collapse: collapse; width: 100%; margin: 0.6rem 0 1rem; font-size: 0.85rem; }
th { background: #1f4e79; color: white; text-align: left; padding: 0.3rem 0.4rem; }
td { padding: 0.25rem 0.4rem; vertical-align: top; border-bottom: 1px solid #e3e3e3; }
td.num, th.num { text-align: right; white-space: nowrap; }
tr.section td { background: #e6ecf2; font-weight: bold; }
.swatch { display: inline-block; width: 0.8rem; height: 0.8rem; margin-right: 0.4rem;
          vertical-align: -0.1rem; }
.nodata, .why { color: #6b6b6b; font-style: italic; }
.why { display: block; font-size: 0.8rem; }
.band-red { color: #b2181b; } .band-yellow { color: #9a6700; } .band-green { color: #1a7f37; }
.warn { color: #a3260f; }
.muted { color: #6b6b6b; font-size: 0.85rem; }
figure { margin: 1rem 0; }
figure img, figure svg { max-width: 100%; height: auto; }
figcaption { font-weight: bold; margin-bottom: 0.3rem; }
.radar { display: flex; justify-content: center; }
ol.sources { font-size: 0.8rem; }
@media print { body { max-width: none; margin: 0; } figure { page-break-inside: avoid; } }
"""


def _e(value: object) -> str:
    return html.escape(str(value), quote=True)


def _band(item_band: str, text: str) -> str:
    if not text:
        return "–"
    return f'<span class="band-{_e(item_band)}">{_e(text)}</span>'


def _score(item: "ProfileScore | KeyFigure") -> str:
    if item.score is None:
        return f'<span class="nodata">{_e(item.score_text)}</span>'
    return _e(item.score_text)


def _swatch(band: str) -> str:
    return f'<span class="swatch" style="background:{BAND_COLOURS.get(band, NO_DATA_COLOUR)}">' \
           "</span>"


def _table(headers: Sequence[Tuple[str, bool]], rows: Sequence[str]) -> str:
    head = "".join(f'<th class="num">{_e(h)}</th>' if num else f"<th>{_e(h)}</th>"
                   for h, num in headers)
    return f"<table><thead><tr>{head}</tr></thead><tbody>{''.join(rows)}</tbody></table>"


def _profile(content: "ReportContent", radar_svg: Optional[str]) -> List[str]:
    t = content.t
    out = [f"<h2>{_e(t('profile'))}</h2>"]
    if radar_svg:
        svg = radar_svg[radar_svg.find("<svg"):]
        svg = re.sub(r"<metadata>.*?</metadata>\s*", "", svg, flags=re.S)  # no RDF boilerplate
        out.append(f'<div class="radar" role="img" aria-label="{_e(t("radar_title"))}">'
                   f"{svg}</div>")
    rows = [f"<tr><td>{'<b>' + _e(p.name) + '</b>' if p.level == 'index' else _e(p.name)}</td>"
            f'<td class="num">{_score(p)}</td><td>{_band(p.band, p.band_text)}</td>'
            f'<td class="num">{_e(p.coverage_text)}</td></tr>' for p in content.profile]
    out.append(_table([(t("attribute"), False), (t("score"), True), (t("band"), False),
                       (t("coverage"), True)], rows))
    out.append(f"<h3>{_e(t('safety_groups'))}</h3>")
    rows = [f"<tr><td>{_e(g.name)}</td>"
            f'<td class="num">{_e(number_text(g.weight, content.lang, 2))}</td>'
            f'<td class="num">{_score(g)}</td><td>{_band(g.band, g.band_text)}</td>'
            f'<td class="num">{_e(g.coverage_text)}</td></tr>' for g in content.safety_groups]
    out.append(_table([(t("group"), False), (t("group_weight"), True), (t("score"), True),
                       (t("band"), False), (t("coverage"), True)], rows))
    out.append(f'<p class="muted">{_e(t("profile_note", bands=content.bands_text()))}</p>')
    if content.scenario is not None:
        out.append(f'<p><b><a href="#scenario">{_e(t("scen_summary", n=content.scenario.total))}'
                   "</a></b></p>")
    out.extend(f'<p class="warn">{_e(note)}</p>' for note in content.notes)
    return out


def _scenario(content: "ReportContent") -> List[str]:
    scenario = content.scenario
    if scenario is None:
        return []
    t = content.t

    def cell(value: str, has_data: bool, num: bool = True) -> str:
        inner = _e(value) if has_data else f'<span class="nodata">{_e(value)}</span>'
        return f'<td class="num">{inner}</td>' if num else f"<td>{inner}</td>"

    out = [f'<h2 id="scenario">{_e(t("scenario"))}</h2>',
           f"<p>{_e(t('scen_intro', n=scenario.total))}</p>",
           f"<h3>{_e(t('scen_changes'))}</h3>"]
    rows = [f"<tr><td>{_e(a)}</td><td>{_e(k)}</td><td class=\"num\">{n}</td></tr>"
            for a, k, n in scenario.changes]
    out.append(_table([(t("scen_action"), False), (t("scen_kind"), False),
                       (t("scen_count"), True)], rows))
    out.append(f"<h3>{_e(t('scen_profile'))}</h3>")
    rows = [f"<tr><td>{'<b>' + _e(r.name) + '</b>' if r.level == 'index' else _e(r.name)}</td>"
            + cell(r.score_before_text, r.score_before is not None)
            + cell(r.score_after_text, r.score_after is not None)
            + cell(r.change_text, r.change is not None)
            + f'<td class="num">{_e(r.coverage_text or "–")}</td></tr>' for r in scenario.profile]
    out.append(_table([(t("attribute"), False), (t("scen_before"), True), (t("scen_after"), True),
                       (t("scen_change"), True), (t("scen_coverage"), True)], rows))
    out.append(f"<h3>{_e(t('scen_indicators'))}</h3>")
    if scenario.indicators:
        no_data = t("no_data")
        rows = [f"<tr><td>{_e(r.key)}</td><td>{_e(r.name)}</td>"
                + cell(f"{r.value_before_text} → {r.value_after_text}",
                       no_data not in (r.value_before_text, r.value_after_text))
                + cell(f"{r.score_before_text} → {r.score_after_text}",
                       r.score_before is not None and r.score_after is not None)
                + cell(r.change_text, r.change is not None) + "</tr>"
                for r in scenario.indicators]
        out.append(_table([(t("col_key"), False), (t("col_indicator"), False),
                           (t("scen_value"), True), (t("scen_score"), True),
                           (t("scen_change"), True)], rows))
    else:
        out.append(f"<p>{_e(t('scen_no_indicator'))}</p>")
    if scenario.value_only:
        items = "; ".join(f"{r.key} {r.value_before_text} → {r.value_after_text}"
                          for r in scenario.value_only)
        out.append(f"<p>{_e(t('scen_value_only', items=items))}</p>")
    out.append(f'<p class="muted">{_e(t("scen_note"))}</p>')
    return out


def _maps(content: "ReportContent", maps: Dict[str, Tuple[bytes, "MapResult"]]) -> List[str]:
    out = []
    for key, (png, result) in maps.items():
        data = base64.b64encode(png).decode("ascii")
        notes = "".join(f'<p class="warn">{_e(n)}</p>' for n in result.notes)
        out.append(f'<figure id="map-{_e(key)}"><figcaption>{_e(result.title)}</figcaption>'
                   f'<img src="data:image/png;base64,{data}" alt="{_e(result.title)}">'
                   f"{notes}</figure>")
    if maps:
        out.append(f'<p class="muted">{_e(content.t("map_note_place"))}</p>')
    return out


def _figure_row(fig: "KeyFigure") -> str:
    why = f'<span class="why">{_e(fig.why)}</span>' if fig.why else ""
    value = _e(fig.value_text) if fig.value is not None else \
        f'<span class="nodata">{_e(fig.value_text)}</span>'
    ref = f'<a href="#source-{fig.source_ref}">[{fig.source_ref}]</a>' if fig.source_ref else ""
    return (f"<tr><td>{_e(fig.key)}</td><td>{_e(fig.name)}{why}</td>"
            f'<td class="num">{value}</td><td class="num">{_score(fig)}</td>'
            f"<td>{_e(fig.threshold or '–')}</td><td>{_e(fig.status)}</td>"
            f'<td class="num">{ref}</td></tr>')


def _key_figures(content: "ReportContent") -> List[str]:
    t = content.t
    headers = [(t("col_key"), False), (t("col_indicator"), False), (t("col_value"), True),
               (t("col_score"), True), (t("col_threshold"), False), (t("col_status"), False),
               (t("col_source"), True)]
    out = [f"<h2>{_e(t('key_figures'))}</h2>"]
    for level in ("attribute", "group"):
        rows = []
        for section in content.sections:
            s = section.score
            if (s.level == "group") != (level == "group"):
                continue
            band = f" ({s.band_text})" if s.band_text else ""
            rows.append(f'<tr class="section"><td colspan="7">{_swatch(s.band)}{_e(s.name)}: '
                        f"{_e(s.score_text)}{_e(band)}, {_e(t('coverage').lower())} "
                        f"{_e(s.coverage_text)}</td></tr>")
            rows.extend(_figure_row(f) for f in section.figures)
        if level == "group":
            index = content.index
            band = f" ({index.band_text})" if index.band_text else ""
            out.append(f"<h3>{_e(index.name)}: {_e(index.score_text)}{_e(band)}, "
                       f"{_e(t('coverage').lower())} {_e(index.coverage_text)}</h3>")
        out.append(_table(headers, rows))
    out.append(f'<p class="muted">{_e(t("status_note"))}</p>')
    if content.other_figures:
        out.append(f"<h3>{_e(t('other_figures'))}</h3>")
        rows = [f"<tr><td>{_e(f.label)}</td><td class=\"num\">{_e(f.value_text)}</td>"
                f"<td class=\"num\">{_e(f.threshold_text or '–')}</td><td class=\"num\">"
                + (f'<a href="#source-{f.source_ref}">[{f.source_ref}]</a>'
                   if f.source_ref else "") + "</td></tr>" for f in content.other_figures]
        out.append(_table([(t("col_indicator"), False), (t("col_value"), True),
                           (t("col_threshold").split(" (")[0], True), (t("col_source"), True)],
                          rows))
    return out


def _coverage(content: "ReportContent") -> List[str]:
    t = content.t
    out = [f"<h2>{_e(t('coverage_title'))}</h2>", f"<h3>{_e(t('coverage_table'))}</h3>"]
    rows = []
    for p in content.profile:
        sections = [s for s in content.sections if
                    (s.score.level == "group" if p.level == "index" else s.score.key == p.key)]
        missing = [f.key for s in sections for f in s.figures if f.weighted and not f.has_data]
        rows.append(f"<tr><td>{_e(p.name)}</td><td class=\"num\">{_score(p)}</td>"
                    f'<td class="num">{_e(p.coverage_text)}</td>'
                    f"<td>{_e(', '.join(missing) or '–')}</td></tr>")
    out.append(_table([(t("attribute"), False), (t("score"), True), (t("coverage"), True),
                       (t("not_computed"), False)], rows))
    if content.gaps:
        rows = [f"<tr><td>{_e(f.key)}</td><td>{_e(f.name)}</td>"
                f'<td class="nodata">{_e(f.why)}</td></tr>' for f in content.gaps]
        out.append(_table([(t("col_key"), False), (t("col_indicator"), False),
                           (t("why"), False)], rows))
    if content.unweighted:
        out.append(f'<p class="muted">{_e(t("why_not_weighted").capitalize())}: '
                   f"{_e(', '.join(f.key for f in content.unweighted))}.</p>")
    out.append(f"<h3>{_e(t('provenance'))}</h3><table><tbody>")
    out.extend(f"<tr><th>{_e(k)}</th><td>{_e(v)}</td></tr>" for k, v in content.provenance)
    out.append("</tbody></table>")
    out.append(f"<h3>{_e(t('warnings'))} {_e(t('warnings_english'))}</h3><ul>")
    out.extend(f"<li>{_e(w)}</li>" for w in content.warnings)
    out.extend(f'<li class="warn">{_e(n)}</li>' for n in content.notes)
    if not content.warnings and not content.notes:
        out.append(f"<li>{_e(t('no_warnings'))}</li>")
    out.append("</ul>")
    out.append(f"<h3>{_e(t('sources'))}</h3><ol class=\"sources\">")
    out.extend(f'<li id="source-{i}">{_e(s)}</li>' for i, s in enumerate(content.sources, 1))
    out.append("</ol>")
    return out


def report_html(content: "ReportContent", *, radar_svg: Optional[str] = None,
                maps: Optional[Dict[str, Tuple[bytes, "MapResult"]]] = None) -> str:
    """The report as one HTML document (text).

    Parameters
    ----------
    content : ReportContent
        What the report says.
    radar_svg : str, optional
        The radar chart as SVG text (:func:`~amp_qgis_plugin.core.report.radar.render_radar`);
        drawn here when not given.
    maps : dict, optional
        ``{key: (png bytes, MapResult)}`` from :func:`~amp_qgis_plugin.core.report.maps.render_map`;
        drawn here when not given.
    """
    from amp_qgis_plugin.core.report.maps import render_map
    from amp_qgis_plugin.core.report.radar import render_radar

    t = content.t
    if radar_svg is None:
        radar_svg = render_radar(content, "svg").decode("utf-8")
    if maps is None:
        maps = {key: render_map(content, key) for key in ("place", "sightlines", "catchments")}
    facts = " · ".join(_e(x) for x in (
        f"{t('area')} {content.area_text}",
        f"{t('osm_date')} {content.osm_date}" if content.osm_date else "",
        f"{t('assessed')} {content.assessed_at}" if content.assessed_at else "",
        f"{t('plugin')} {content.plugin_version}" if content.plugin_version else "") if x)
    title = f"{t('title')}: {content.place_name}"
    body = [f"<h1>{_e(title)}</h1>", f'<p class="subtitle">{_e(t("subtitle"))}</p>',
            f'<p class="facts">{facts}</p>']
    body += _profile(content, radar_svg)
    body += _scenario(content)
    body += _maps(content, maps)
    body += _key_figures(content)
    body += _coverage(content)
    body.append(f'<p class="muted">{_e(t("attribution"))} · '
                f"{_e(dict(content.provenance).get(t('prov_licence'), ''))}</p>")
    return (f'<!DOCTYPE html>\n<html lang="{_e(content.lang)}">\n<head>\n<meta charset="utf-8">\n'
            f'<meta name="viewport" content="width=device-width, initial-scale=1">\n'
            f"<title>{_e(title)}</title>\n<style>{_CSS}</style>\n</head>\n<body>\n"
            + "\n".join(body) + "\n</body>\n</html>\n")


def write_html(content: "ReportContent", path: "os.PathLike[str] | str", **kwargs) -> Path:
    """Write :func:`report_html` to ``path`` atomically; returns ``path``."""
    path = Path(path)
    document = report_html(content, **kwargs)
    with atomic_output(path, suffix=".partial.html") as tmp:
        tmp.write_text(document, encoding="utf-8")
    return path
