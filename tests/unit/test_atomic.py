"""Atomic output and sub-task progress: the two small mechanisms every writer and stage uses."""

from __future__ import annotations

import pytest

from amp_qgis_plugin.core.atomic import atomic_output
from amp_qgis_plugin.core.errors import CancelledError
from amp_qgis_plugin.core.feedback import RecordingFeedback, ScaledFeedback


def test_complete_write_replaces_the_target(tmp_path):
    target = tmp_path / "sub" / "out.json"
    with atomic_output(target, suffix=".json.partial") as tmp:
        assert not tmp.exists() and tmp.parent == target.parent
        tmp.write_text("new")
    assert target.read_text() == "new"
    assert [p.name for p in target.parent.iterdir()] == ["out.json"]


def test_failed_write_keeps_the_old_file_and_removes_side_files(tmp_path):
    target = tmp_path / "out.gpkg"
    target.write_text("old")
    with pytest.raises(CancelledError):
        with atomic_output(target, suffix=".partial.gpkg", side_suffixes=("-journal",)) as tmp:
            tmp.write_text("half")
            (tmp.parent / f"{tmp.name}-journal").write_text("j")
            raise CancelledError()
    assert target.read_text() == "old"
    assert [p.name for p in tmp_path.iterdir()] == ["out.gpkg"]


def test_scaled_feedback_maps_progress_and_passes_the_rest():
    parent = RecordingFeedback(cancel_after=3)
    sub = ScaledFeedback(parent, 5, 85)
    sub.setProgress(0)
    sub.setProgress(50)
    sub.pushWarning("w")
    assert parent.progress == [5.0, 45.0] and parent.warnings == ["w"]
    assert not sub.isCanceled()
    sub.setProgress(100)
    assert parent.progress[-1] == 85.0 and sub.isCanceled()
