"""The layout's own words in English and Swedish: map titles, notes, style class labels.

The report's content (section titles, figure labels, the profile, provenance) comes from the
engine's report content model (:mod:`amp_qgis_plugin.core.report`); what only a QGIS layout has
(map captions, legend entries, the translation of style class labels, notes on a map) is here.
"""

from __future__ import annotations

import re
from typing import Dict, Tuple

#: key -> (English, Swedish); ``{name}`` fields are filled by :func:`text`.
TEXTS: Dict[str, Tuple[str, str]] = {
    "map1_title": ("{place}: frontage, seating and lighting",
                   "{place}: fasader, sittplatser och belysning"),
    "map1_subtitle": ("Ground-floor frontage by Gehl grade, seating, the street lamps of the "
                      "lighting model and the modelled horizontal illuminance at ground level",
                      "Bottenvåningar efter Gehl-klass, sittplatser, belysningsmodellens "
                      "gatlampor och beräknad horisontell belysningsstyrka på marken"),
    "map2_title": ("{place}: sightlines and walking access",
                   "{place}: siktlinjer och gångavstånd"),
    "map2_subtitle": ("Left: the area visible from each point of the place (isovist field). "
                      "Right: what can be reached on foot in 5 and 10 minutes",
                      "Vänster: ytan som syns från varje punkt på platsen (isovistfält). "
                      "Höger: vad som nås till fots på 5 och 10 minuter"),
    "none_mapped": ("{what}: none at the place in the data.",
                    "{what}: inga på platsen i underlaget."),
    "group": ("Group", "Grupp"),
    "notes": ("Notes", "Anmärkningar"),
    "continued": ("{title} (continued)", "{title} (forts.)"),
    "footer": ("{place} · {title} · AMP plugin {version} · {osm} {date}",
               "{place} · {title} · AMP-tillägget {version} · {osm} {date}"),
}

#: Swedish labels of the bundled styles' classes (English as the style files write them).
CLASS_LABELS_SV: Dict[str, str] = {
    "Within the SDG 11.2.1 walking distance": "Inom gångavståndet enligt SDG 11.2.1",
    "Farther, or not reached": "Längre bort eller inte nådd",
    "Bench": "Bänk",
    "Bench with back": "Bänk med ryggstöd",
    "Picnic table": "Picknickbord",
    "Lounger": "Solstol",
    "Movable chair": "Flyttbar stol",
    "Seat wall / steps": "Sittmur / trappa",
    "Café outdoor seating": "Uteservering",
    "< 0.4 lx (below P6 E min)": "< 0,4 lx (under P6 E min)",
    "0.4 - 1 lx (dark: below P4 E min)": "0,4–1 lx (mörkt: under P4 E min)",
    "1 - 2 lx (below reassurance E min 2 lx)": "1–2 lx (under trygghetens E min 2 lx)",
    "2 - 5 lx (P6 - P4 average)": "2–5 lx (medel P6–P4)",
    "5 - 10 lx (P4 - P2 average)": "5–10 lx (medel P4–P2)",
    "10 - 15 lx (P2 - P1 average; about 10 lx optimum)":
        "10–15 lx (medel P2–P1; omkring 10 lx optimalt)",
    "15 - 30 lx": "15–30 lx",
    "> 30 lx (close to daylight perception)": "> 30 lx (nära dagsljusets upplevelse)",
    "< 500 m² (very enclosed)": "< 500 m² (mycket sluten)",
    "500 - 1,000 m²": "500–1 000 m²",
    "1,000 - 2,500 m²": "1 000–2 500 m²",
    "2,500 - 5,000 m²": "2 500–5 000 m²",
    "5,000 - 10,000 m²": "5 000–10 000 m²",
    "10,000 - 20,000 m²": "10 000–20 000 m²",
    "20,000 m² - full 100 m disc (31,416 m²)": "20 000 m² – hel cirkel 100 m (31 416 m²)",
}


def text(key: str, lang: str, **fields: object) -> str:
    """The text ``key`` in ``lang`` ("sv" or "en") with ``fields`` filled in."""
    english, swedish = TEXTS[key]
    return (swedish if lang == "sv" else english).format(**fields)


def class_label(label: str, lang: str) -> str:
    """A style class label in ``lang`` (Swedish from :data:`CLASS_LABELS_SV`, else as given)."""
    if lang != "sv":
        return label
    if label in CLASS_LABELS_SV:
        return CLASS_LABELS_SV[label]
    # numbers a style writes in English (0.4, 1,000) in Swedish form where no entry matches
    return re.sub(r"(\d),(\d{3})", "\\1\u00a0\\2", re.sub(r"(\d)\.(\d)", "\\1,\\2", label))
