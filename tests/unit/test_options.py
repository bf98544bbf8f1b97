"""Options objects: every default comes from resources/scoring/*.json, one validation rule."""

from __future__ import annotations

from dataclasses import dataclass

import pytest

from amp_qgis_plugin.core import thresholds
from amp_qgis_plugin.core.errors import InputError
from amp_qgis_plugin.core.indicators.registry import INDICATORS
from amp_qgis_plugin.core.options import Options, option


@pytest.mark.parametrize("name", list(INDICATORS))
def test_every_option_default_is_the_data_file_value(name):
    options = INDICATORS[name].options
    made = options()
    doc = thresholds.load_thresholds(options.THEME)
    for field in options.names():
        spec = options.spec(field)
        if spec.key is None:
            continue
        entry = doc.get("defaults", {}).get(spec.key) or doc["thresholds"][spec.key]
        assert getattr(made, field) == entry["value"], field
        assert options.default(field) == entry["value"], field


def test_a_changed_data_file_changes_the_cli_default(set_default, capsys):
    from amp_qgis_plugin.cli import build_parser
    from amp_qgis_plugin.core.indicators.frontage import FrontageOptions

    set_default("frontage", "edge_buffer", 42)
    assert FrontageOptions().max_distance_m == 42
    args = build_parser().parse_args(["frontage", "--data", "x.gpkg", "--out", "y.gpkg"])
    assert args.max_distance_m == 42
    with pytest.raises(SystemExit):
        build_parser().parse_args(["frontage", "--help"])
    assert "(default 42 m)" in " ".join(capsys.readouterr().out.split())


@dataclass
class _Toy(Options):
    THEME = "frontage"
    distance_m: float = option("edge_buffer", label="frontage distance", minimum=0,
                               exclusive_minimum=True, maximum=100)
    grade_by: str = option("grade_by", label="grading unit", choices=("facade", "segment"))


@pytest.mark.parametrize("kwargs, text, option_id", [
    ({"distance_m": 0}, "The frontage distance must be more than 0 and at most 100 m, not 0.",
     "distance_m"),
    ({"distance_m": 101}, "The frontage distance must be more than 0 and at most 100 m, not 101.",
     "distance_m"),
    ({"distance_m": float("nan")}, "The frontage distance must be more than 0", "distance_m"),
    ({"grade_by": "floor"}, "The grading unit must be one of 'facade', 'segment', not 'floor'.",
     "grade_by"),
])
def test_one_validation_rule_names_label_range_and_option(kwargs, text, option_id):
    with pytest.raises(InputError) as err:
        _Toy(**kwargs)
    assert str(err.value).startswith(text)
    assert err.value.options == (option_id,)
    assert "--" not in str(err.value)


def test_none_means_the_default_and_parameters_list_every_option():
    toy = _Toy(distance_m=None)
    assert toy.distance_m == 30.0
    assert toy.parameters() == {"distance_m": "30.0", "grade_by": "facade"}
    assert toy.replace(distance_m=12.5, grade_by=None).distance_m == 12.5


def test_cli_names_its_flag_for_an_option_error(senaatintori_gpkg, tmp_path, capsys):
    from amp_qgis_plugin.cli import main

    code = main(["frontage", "--data", str(senaatintori_gpkg), "--out", str(tmp_path / "f.gpkg"),
                 "--distance", "0"])
    err = capsys.readouterr().err.strip()
    assert code == 1
    assert err == ("amp-place frontage: The frontage distance must be more than 0 and at most "
                   "500 m, not 0.0. (--distance)")
    assert not (tmp_path / "f.gpkg").exists()
