"""Writes finished turn traces to Weights & Biases from a thread of its own.

The event loop only ever appends to a bounded queue (`submit`); when W&B is slow or down the
oldest traces are dropped and counted, and no turn waits. Everything that can block (importing
wandb, `wandb.init`, the network) happens in the writer thread. wandb is imported here and only
here, so Home Assistant never loads it unless tracing is on.

What W&B shows: one run per start of the agent, with
- a table of turns (`turns`, logged incrementally: one row per turn with ids, outcome, timings,
  tokens, tool calls and, if allowed, the text) to filter and group by outcome or device, and
- per-turn metrics (`turn/total_ms`, `turn/success`, `llm/*`, `stt/*`, `tools/*`) that W&B
  charts over time without any set-up.
"""

from __future__ import annotations

import base64
import hashlib
import json
import logging
import threading
import urllib.error
import urllib.request
from collections import deque
from collections.abc import Callable
from enum import StrEnum
from pathlib import Path
from typing import Any

from .settings import MODE_ONLINE, ModelInfo, TracingSettings
from .trace import TABLE_COLUMNS, TurnTrace, table_row

_LOGGER = logging.getLogger(__name__)
QUEUE_CAPACITY = 256
INIT_TIMEOUT_S = 15.0  # wandb.init gives up after this when W&B does not answer
CHECK_TIMEOUT_S = 5.0
RETRY_DELAYS_S = (30.0, 60.0, 300.0, 900.0)  # after a failed connection; the last one repeats
FINISH_TIMEOUT_S = 20.0


class WriterState(StrEnum):
    STARTING = "starting"
    WRITING = "writing"
    UNREACHABLE = "unreachable"
    AUTH_REJECTED = "auth_rejected"
    STOPPED = "stopped"


class ApiKeyRejectedError(Exception):
    """W&B answered, and refused the API key."""


class WandbUnreachableError(Exception):
    """W&B did not answer (or answered with a server error)."""


def check_api_key(base_url: str, api_key: str, timeout: float = CHECK_TIMEOUT_S) -> None:
    """Ask W&B who owns this key (blocking: run it in an executor or the writer thread)."""
    request = urllib.request.Request(
        f"{base_url.rstrip('/')}/graphql",
        data=json.dumps({"query": "query Viewer { viewer { id } }"}).encode(),
        headers={
            "Content-Type": "application/json",
            "Authorization": "Basic " + base64.b64encode(f"api:{api_key}".encode()).decode(),
        },
    )
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:
            body = json.loads(response.read() or b"{}")
    except urllib.error.HTTPError as err:
        if err.code in (401, 403):
            raise ApiKeyRejectedError(f"W&B refused the API key (HTTP {err.code})") from None
        raise WandbUnreachableError(f"W&B answered HTTP {err.code}") from None
    except (OSError, ValueError) as err:  # URLError, timeouts and refused connections are OSErrors
        raise WandbUnreachableError(f"W&B at {base_url} did not answer: {err}") from None
    if not isinstance(body, dict) or not (body.get("data") or {}).get("viewer"):
        raise ApiKeyRejectedError("W&B does not know this API key")


class TraceQueue:
    """Bounded, thread-safe, drops the oldest trace when full: a producer never waits."""

    def __init__(self, capacity: int = QUEUE_CAPACITY) -> None:
        self._items: deque[TurnTrace] = deque()
        self._capacity = capacity
        self._ready = threading.Condition()
        self.dropped = 0

    def put(self, trace: TurnTrace) -> None:
        with self._ready:
            if len(self._items) >= self._capacity:
                self._items.popleft()
                self.dropped += 1
            self._items.append(trace)
            self._ready.notify()

    def take_all(self, timeout: float) -> list[TurnTrace]:
        with self._ready:
            if not self._items:
                self._ready.wait(timeout)
            items = list(self._items)
            self._items.clear()
            return items

    def count_dropped(self, count: int) -> None:
        with self._ready:
            self.dropped += count

    def wake(self) -> None:
        with self._ready:
            self._ready.notify_all()

    def __len__(self) -> int:
        return len(self._items)


class _WandbProcess:
    """wandb keeps one service process (wandb-core) per Python process: stop it when the last writer stops."""

    _lock = threading.Lock()
    _users = 0

    @classmethod
    def acquire(cls) -> None:
        with cls._lock:
            cls._users += 1

    @classmethod
    def release(cls) -> None:
        import wandb

        with cls._lock:
            cls._users -= 1
            if cls._users == 0:
                wandb.teardown()


class WandbWriter:
    """Owns the W&B run; `on_state` is called (from the writer thread) each time the state changes."""

    def __init__(
        self,
        settings: TracingSettings,
        model: ModelInfo,
        run_dir: Path,
        on_state: Callable[[WriterState, str | None], None],
        capacity: int = QUEUE_CAPACITY,
    ) -> None:
        self._settings = settings
        self._model = model
        self._run_dir = run_dir
        self._on_state = on_state
        self._queue = TraceQueue(capacity)
        self._stopping = threading.Event()
        self._thread = threading.Thread(target=self._run, name="local_llm_assist tracing", daemon=True)
        self._state = WriterState.STARTING
        self._written = 0
        self._last_error: str | None = None
        self._run_path: str | None = None

    def start(self) -> None:
        self._thread.start()

    def submit(self, trace: TurnTrace) -> None:
        self._queue.put(trace)

    def stop(self, timeout: float = INIT_TIMEOUT_S + FINISH_TIMEOUT_S) -> None:
        """Write what is queued, finish the run and stop wandb's process (blocking)."""
        self._stopping.set()
        self._queue.wake()
        if self._thread.is_alive():
            self._thread.join(timeout)
        if self._thread.is_alive():
            _LOGGER.warning("The tracing thread did not stop within %.0f s; it ends with Home Assistant", timeout)

    def stats(self) -> dict[str, Any]:
        return {
            "state": self._state.value,
            "queued": len(self._queue),
            "dropped": self._queue.dropped,
            "written": self._written,
            "last_error": self._last_error,
            "run_dir": self._run_path,
        }

    def _set_state(self, state: WriterState, error: str | None = None) -> None:
        if error is not None:
            self._last_error = self._settings.redact(error)
        if state is not self._state:
            self._state = state
            self._on_state(state, self._last_error)

    def _run(self) -> None:
        failures = 0
        while not self._stopping.is_set():
            run = self._open_run()
            if run is not None:
                self._write_until_stopped(run)
                return
            if self._state is WriterState.AUTH_REJECTED:
                break  # a new key comes with a re-authentication, which restarts tracing
            delay = RETRY_DELAYS_S[min(failures, len(RETRY_DELAYS_S) - 1)]
            failures += 1
            self._stopping.wait(delay)  # meanwhile the queue keeps the newest traces and counts the rest
        self._stopping.wait()
        self._queue.count_dropped(len(self._queue.take_all(timeout=0)))  # never reached W&B
        self._set_state(WriterState.STOPPED)

    def _open_run(self) -> Any:
        """Start the W&B run, or return None after recording why it could not start."""
        settings = self._settings
        try:
            if settings.mode == MODE_ONLINE:
                check_api_key(settings.base_url, settings.api_key or "")
            return self._init_wandb()
        except ApiKeyRejectedError as err:
            self._set_state(WriterState.AUTH_REJECTED, str(err))
        except WandbUnreachableError as err:
            self._set_state(WriterState.UNREACHABLE, str(err))
        except Exception as err:  # noqa: BLE001 - whatever wandb raises, tracing stops, Home Assistant does not
            self._set_state(WriterState.UNREACHABLE, f"{type(err).__name__}: {err}")
        return None

    def _init_wandb(self) -> Any:
        import wandb

        _disable_wandb_analytics()
        model_sha256 = self._model.sha256 or _sha256_of(self._model.path)
        self._model = ModelInfo(self._model.name, self._model.path, model_sha256)
        self._run_dir.mkdir(parents=True, exist_ok=True)
        settings = self._settings
        _WandbProcess.acquire()
        try:
            run = wandb.init(
                project=settings.project,
                entity=settings.entity,
                dir=str(self._run_dir),
                job_type="assist",
                config={"model": self._model.name, "model_sha256": model_sha256, "include_text": settings.include_text},
                settings=wandb.Settings(
                    mode=settings.mode,
                    api_key=settings.api_key if settings.mode == MODE_ONLINE else None,
                    base_url=settings.base_url,
                    init_timeout=INIT_TIMEOUT_S,
                    finish_timeout=FINISH_TIMEOUT_S,
                    reinit="create_new",
                    console="off",  # never capture Home Assistant's own output
                    silent=True,
                    save_code=False,
                    disable_code=True,
                    disable_git=True,
                    x_disable_stats=True,
                    x_disable_meta=True,
                    x_disable_machine_info=True,
                    x_save_requirements=False,
                ),
            )
        except BaseException:
            _WandbProcess.release()
            raise
        self._run_path = str(Path(run.dir).parent)
        _LOGGER.debug("W&B run started (%s): %s", settings.mode, self._run_path)
        return run

    def _write_until_stopped(self, run: Any) -> None:
        import wandb

        table = wandb.Table(columns=list[str | int](TABLE_COLUMNS), log_mode="INCREMENTAL")
        self._set_state(WriterState.WRITING)
        try:
            while True:
                stopping = self._stopping.is_set()
                batch = self._queue.take_all(timeout=1.0)
                if batch:
                    self._write(run, table, batch)
                if stopping and not len(self._queue):
                    break
        finally:
            try:
                run.finish()
            finally:
                _WandbProcess.release()
                self._set_state(WriterState.STOPPED)
                _LOGGER.debug("W&B run finished: %d traces written, %d dropped", self._written, self._queue.dropped)

    def _write(self, run: Any, table: Any, batch: list[TurnTrace]) -> None:
        try:
            for trace in batch:
                table.add_data(*table_row(trace, self._model.sha256))
            for index, trace in enumerate(batch):
                metrics: dict[str, Any] = {**trace.metrics(), "tracing/dropped": self._queue.dropped}
                if index == len(batch) - 1:
                    metrics["turns"] = table
                run.log(metrics)
            self._written += len(batch)
        except Exception as err:  # noqa: BLE001 - a trace that cannot be written is dropped, never retried forever
            self._queue.count_dropped(len(batch))
            self._last_error = self._settings.redact(f"{type(err).__name__}: {err}")


def _disable_wandb_analytics() -> None:
    """The wandb client reports its own usage to W&B; a home assistant has no business doing that."""
    try:
        from wandb.analytics.opentelemetry import opentelemetry_proxy
    except ImportError:
        return
    opentelemetry_proxy.disable()


def _sha256_of(path: str) -> str | None:
    digest = hashlib.sha256()
    try:
        with Path(path).open("rb") as file:
            while chunk := file.read(1 << 20):
                digest.update(chunk)
    except OSError:
        return None
    return digest.hexdigest()
