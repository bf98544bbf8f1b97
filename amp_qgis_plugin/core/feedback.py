"""The small feedback object the engine reports to: progress, cancellation and messages.

The protocol uses the method names of ``QgsProcessingFeedback`` so the QGIS adapter can
pass QGIS's own feedback straight in; the CLI passes :class:`ConsoleFeedback`, tests pass
:class:`RecordingFeedback`, scripts may pass nothing (:class:`NullFeedback`).
"""

from __future__ import annotations

import sys
from typing import Iterable, Iterator, Optional, Protocol, TextIO, TypeVar, runtime_checkable

from amp_qgis_plugin.core.errors import CancelledError

T = TypeVar("T")


@runtime_checkable
class Feedback(Protocol):
    """What the engine needs from a feedback object (a subset of ``QgsProcessingFeedback``)."""

    def setProgress(self, progress: float) -> None:  # noqa: N802
        """Report progress in percent (0-100)."""

    def isCanceled(self) -> bool:  # noqa: N802
        """Return True once the user asked to stop."""

    def pushInfo(self, info: str) -> None:  # noqa: N802
        """Report an informational message."""

    def pushWarning(self, warning: str) -> None:  # noqa: N802
        """Report a warning the user should read (data gaps, assumptions)."""


class NullFeedback:
    """Feedback that ignores everything and never cancels."""

    def setProgress(self, progress: float) -> None:  # noqa: N802
        pass

    def isCanceled(self) -> bool:  # noqa: N802
        return False

    def pushInfo(self, info: str) -> None:  # noqa: N802
        pass

    def pushWarning(self, warning: str) -> None:  # noqa: N802
        pass


class RecordingFeedback(NullFeedback):
    """Feedback that records everything; optionally cancels after ``cancel_after`` progress calls.

    Parameters
    ----------
    cancel_after : int, optional
        Answer ``isCanceled() == True`` once ``setProgress`` has been called this many times.
    """

    def __init__(self, cancel_after: Optional[int] = None) -> None:
        self.progress: list[float] = []
        self.infos: list[str] = []
        self.warnings: list[str] = []
        self.cancel_after = cancel_after
        self.cancel_checks = 0

    def setProgress(self, progress: float) -> None:  # noqa: N802
        self.progress.append(float(progress))

    def isCanceled(self) -> bool:  # noqa: N802
        self.cancel_checks += 1
        return self.cancel_after is not None and len(self.progress) >= self.cancel_after

    def pushInfo(self, info: str) -> None:  # noqa: N802
        self.infos.append(info)

    def pushWarning(self, warning: str) -> None:  # noqa: N802
        self.warnings.append(warning)


class ConsoleFeedback(NullFeedback):
    """Feedback for the command line: warnings and (optionally) progress on stderr."""

    def __init__(self, stream: Optional[TextIO] = None, verbose: bool = False) -> None:
        # the stream in force when the feedback is made (not when this module was imported)
        self.stream = stream if stream is not None else sys.stderr
        self.verbose = verbose
        self._last = -10.0

    def setProgress(self, progress: float) -> None:  # noqa: N802
        if self.verbose and progress - self._last >= 10:
            self._last = progress
            print(f"  {progress:5.1f} %", file=self.stream)

    def pushInfo(self, info: str) -> None:  # noqa: N802
        if self.verbose:
            print(info, file=self.stream)

    def pushWarning(self, warning: str) -> None:  # noqa: N802
        print(f"warning: {warning}", file=self.stream)


class ScaledFeedback:
    """Feedback for a sub-task: maps its 0-100 % onto ``[start, end]`` of the parent's progress.

    Cancellation and messages go straight to the parent.
    """

    def __init__(self, parent: Feedback, start: float, end: float) -> None:
        self.parent, self.start, self.end = parent, start, end

    def setProgress(self, progress: float) -> None:  # noqa: N802
        self.parent.setProgress(self.start + (self.end - self.start) * progress / 100.0)

    def isCanceled(self) -> bool:  # noqa: N802
        return self.parent.isCanceled()

    def pushInfo(self, info: str) -> None:  # noqa: N802
        self.parent.pushInfo(info)

    def pushWarning(self, warning: str) -> None:  # noqa: N802
        self.parent.pushWarning(warning)


def check_cancelled(feedback: Optional[Feedback]) -> None:
    """Raise :class:`CancelledError` if the user asked to stop."""
    if feedback is not None and feedback.isCanceled():
        raise CancelledError()


def progress_iter(
    items: Iterable[T],
    feedback: Optional[Feedback],
    total: int,
    *,
    start: float = 0.0,
    end: float = 100.0,
    every: int = 1,
) -> Iterator[T]:
    """Iterate ``items``, reporting progress from ``start`` to ``end`` and checking cancellation.

    Parameters
    ----------
    items : iterable
        What to loop over.
    feedback : Feedback or None
        Where progress goes; cancellation raises :class:`CancelledError`.
    total : int
        Number of items expected (for the percentage).
    start, end : float
        The progress range this loop covers, in percent.
    every : int
        Check and report every ``every`` items (for very cheap loop bodies).
    """
    span = end - start
    for i, item in enumerate(items):
        if feedback is not None and i % every == 0:
            check_cancelled(feedback)
            feedback.setProgress(start + span * (i / max(total, 1)))
        yield item
    if feedback is not None:
        feedback.setProgress(end)
