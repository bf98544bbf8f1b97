"""Where the candidates are assessed: this process, local worker processes, or a Dask cluster.

Each executor takes the tasks one by one from an iterator (so only a few candidates' data are
in memory or in flight at once: twice the number of workers) and hands every answer to a
callback in the batch's own process, which journals it at once. The answers come in the order
they finish.

:class:`SerialExecutor`
    One candidate after the other in this process; cancellation reaches into the assessment
    (the QGIS algorithm and ``--workers 1``).
:class:`ProcessExecutor`
    ``concurrent.futures`` worker processes on this machine (``--workers N``), started by a
    fork server that has imported the engine once.
:class:`DaskExecutor`
    A ``dask.distributed`` cluster (``--scheduler ADDRESS``). The connection is made, and an
    unreachable scheduler reported, before any work starts. Workers may be other machines:
    they send the written files back as bytes, so no shared file system is needed; they need
    the plugin and its dependencies installed.
"""

from __future__ import annotations

import os
import sys
from typing import Any, Callable, Dict, Iterator, Optional

from amp_qgis_plugin.core.batch.worker import (
    CandidateOutcome,
    CandidateTask,
    assess_candidate,
    preload_modules,
)
from amp_qgis_plugin.core.errors import CancelledError, DataError, DependencyError, InputError
from amp_qgis_plugin.core.feedback import Feedback, ScaledFeedback, check_cancelled

#: Seconds allowed to reach a Dask scheduler (and for it to have a worker) before giving up.
CONNECT_TIMEOUT_S = 5.0

#: Seconds between two looks at the cancel button while waiting for workers.
POLL_S = 0.25

Done = Callable[[CandidateOutcome], None]


class SerialExecutor:
    """Assess the candidates one after the other in this process."""

    workers = 1
    description = "in this process"

    def run(self, tasks: Iterator[CandidateTask], total: int, on_done: Done,
            feedback: Optional[Feedback] = None) -> None:
        """Assess every task of ``tasks`` (``total`` of them), calling ``on_done`` after each."""
        for i, task in enumerate(tasks):
            check_cancelled(feedback)
            sub = ScaledFeedback(feedback, 100.0 * i / max(total, 1),
                                 100.0 * (i + 1) / max(total, 1)) if feedback is not None else None
            on_done(assess_candidate(task, sub))

    def close(self) -> None:
        """Nothing to release."""


class ProcessExecutor:
    """Assess the candidates in ``workers`` local processes."""

    def __init__(self, workers: int) -> None:
        self.workers = workers
        self.description = f"in {workers} local processes"

    def run(self, tasks: Iterator[CandidateTask], total: int, on_done: Done,
            feedback: Optional[Feedback] = None) -> None:
        """Assess every task in the pool; answers reach ``on_done`` as they finish."""
        import multiprocessing
        from concurrent.futures import FIRST_COMPLETED, ProcessPoolExecutor, wait
        from concurrent.futures.process import BrokenProcessPool

        if sys.platform.startswith("linux"):
            context = multiprocessing.get_context("forkserver")
            context.set_forkserver_preload(preload_modules())
        else:  # pragma: no cover - macOS and Windows spawn
            context = multiprocessing.get_context("spawn")
        pool = ProcessPoolExecutor(max_workers=self.workers, mp_context=context,
                                   initializer=watch_batch_process, initargs=(os.getpid(),))
        running: Dict[Any, CandidateTask] = {}
        # start the workers (the fork server imports the engine) while the OSM file is read
        for _ in range(self.workers):
            pool.submit(os.getpid)
        try:
            source = iter(tasks)
            exhausted = False
            while True:
                while not exhausted and len(running) < 2 * self.workers:
                    task = next(source, None)
                    if task is None:
                        exhausted = True
                        break
                    running[pool.submit(assess_candidate, task)] = task
                if not running:
                    break
                finished, _ = wait(list(running), timeout=POLL_S, return_when=FIRST_COMPLETED)
                for future in finished:
                    task = running.pop(future)
                    try:
                        outcome = future.result()
                    except BrokenProcessPool as exc:
                        raise DataError(
                            f"A worker process died while assessing {task.name} (killed, or out "
                            "of memory). The candidates finished so far are kept: run the batch "
                            "again to continue, with fewer workers if memory is short.",
                            options=("workers",)) from exc
                    on_done(outcome)
                check_cancelled(feedback)
        except BaseException:
            for future in running:
                future.cancel()
            pool.shutdown(wait=False, cancel_futures=True)
            raise
        pool.shutdown(wait=True)

    def close(self) -> None:
        """Nothing to release (the pool ends with :meth:`run`)."""


def watch_batch_process(pid: int, every_s: float = 1.0) -> None:
    """In a local worker: end this process when the batch process ``pid`` is gone.

    A batch killed with ``kill -9`` cannot stop its workers; without this they would wait for
    work forever (their parent is the fork server, not the batch process).
    """
    import threading

    def watch() -> None:
        import time

        while True:
            time.sleep(every_s)
            try:
                os.kill(pid, 0)
            except ProcessLookupError:
                os._exit(1)
            except PermissionError:  # pragma: no cover - the pid was reused by another user
                os._exit(1)

    threading.Thread(target=watch, name="amp-batch-watch", daemon=True).start()


class DaskExecutor:
    """Assess the candidates on a Dask distributed cluster."""

    def __init__(self, client) -> None:
        self.client = client
        info = client.scheduler_info()
        self.workers = max(1, sum(int(w.get("nthreads", 1))
                                  for w in info.get("workers", {}).values()))
        self.description = (f"on the Dask cluster at {client.scheduler.address} "
                            f"({len(info.get('workers', {}))} workers, {self.workers} threads)")

    @classmethod
    def connect(cls, address: str, timeout_s: Optional[float] = None) -> "DaskExecutor":
        """Connect to the scheduler at ``address``; fail fast and clearly when it cannot be used.

        Raises
        ------
        DependencyError
            When dask.distributed is not installed.
        InputError
            When the scheduler cannot be reached within the timeout, or has no worker.
        """
        timeout_s = CONNECT_TIMEOUT_S if timeout_s is None else timeout_s
        try:
            from distributed import Client
        except ImportError as exc:
            raise DependencyError(
                "Running on a Dask cluster needs the Python package dask[distributed] "
                f"({exc}); install it, or run on this machine without a scheduler.",
                options=("scheduler",)) from exc
        address = address.strip()
        if not address:
            raise InputError("The Dask scheduler address is empty; give it as "
                             "tcp://HOST:PORT.", options=("scheduler",))
        try:
            client = Client(address, timeout=f"{timeout_s}s", set_as_default=False)
        except (OSError, TimeoutError, ValueError) as exc:
            raise InputError(
                f"Could not reach the Dask scheduler at {address} within {timeout_s:g} s "
                f"({' '.join(str(exc).split()) or type(exc).__name__}). Check the address "
                "(tcp://HOST:PORT) and that 'dask scheduler' runs there; nothing was assessed.",
                options=("scheduler",)) from exc
        try:
            client.wait_for_workers(1, timeout=timeout_s)
        except (OSError, TimeoutError) as exc:
            client.close()
            raise InputError(
                f"The Dask scheduler at {address} has no worker (none joined within "
                f"{timeout_s:g} s): start 'dask worker {address}' on the machines to use; "
                "nothing was assessed.", options=("scheduler",)) from exc
        return cls(client)

    def run(self, tasks: Iterator[CandidateTask], total: int, on_done: Done,
            feedback: Optional[Feedback] = None) -> None:
        """Submit the tasks (at most twice the cluster's threads at once); collect the answers."""
        import time

        from distributed import as_completed

        source = iter(tasks)
        futures = as_completed(loop=self.client.loop, with_results=False)
        running: Dict[str, CandidateTask] = {}

        def submit() -> bool:
            task = next(source, None)
            if task is None:
                return False
            task.folder = None  # remote workers hand the files back
            future = self.client.submit(assess_candidate, task, pure=False,
                                        key=f"amp-batch-{task.stem}-{task.fingerprint[:12]}")
            running[future.key] = task
            futures.add(future)
            return True

        try:
            while len(running) < 2 * self.workers and submit():
                pass
            while running:
                check_cancelled(feedback)
                batch = futures.next_batch(block=False) if futures.has_ready() else []
                if not batch:
                    time.sleep(POLL_S)
                    continue
                for future in batch:
                    task = running.pop(future.key)
                    on_done(self._result(future, task))
                    submit()
        except BaseException:
            for future in list(futures.futures):
                future.cancel()
            raise

    @staticmethod
    def _result(future, task: CandidateTask) -> CandidateOutcome:
        """The answer of ``future``; a task the cluster gave up on (a worker that died on it
        several times) becomes a failed answer for that candidate only."""
        from amp_qgis_plugin.core.batch.candidates import FAILURE_ERROR
        from amp_qgis_plugin.core.batch.state import STATUS_FAILED, CandidateState, utc_now

        try:
            return future.result()
        except CancelledError:
            raise
        except Exception as exc:  # noqa: BLE001 - e.g. KilledWorker: this candidate only
            import traceback

            state = CandidateState(key=task.key, name=task.name, stem=task.stem,
                                   fingerprint=task.fingerprint, status=STATUS_FAILED,
                                   failure=FAILURE_ERROR,
                                   reason=" ".join(f"{type(exc).__name__}: {exc}".split()),
                                   finished_at=utc_now(), traceback=traceback.format_exc())
            return CandidateOutcome(state=state)

    def close(self) -> None:
        """Disconnect from the scheduler (the cluster keeps running)."""
        self.client.close()
