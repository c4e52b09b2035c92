"""The model worker: a child process that owns the native runtimes, and its async client.

llama.cpp and faster-whisper run in their own interpreter so a native crash, an
out-of-memory kill or a hung generation takes down the worker, never Home Assistant. The client
speaks JSON lines over the child's stdin and a private copy of its stdout; anything native code
prints goes to stderr, which the client keeps a tail of for error messages.

Requests are served one at a time (an asyncio lock is the queue). A request that exceeds its
timeout, or whose caller gives up, is cancelled with SIGUSR1: a generation stops between two tokens
and the worker stays warm (model and evaluated prompt kept). Only a worker that does not answer the
cancel within CANCEL_GRACE seconds is killed. After a crash the next request restarts it, waiting with exponential
backoff when crashes repeat, and reloads the models (language and speech) that were loaded before.
"""

from __future__ import annotations

import asyncio
import base64
import contextlib
import json
import logging
import os
import signal
import sys
import threading
import time
from collections import deque
from collections.abc import Callable, Mapping
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

from .crash import CrashCause, crash_cause, describe_exit
from .data import (
    ChatMessage,
    GenerationRequest,
    GenerationResult,
    LlmSettings,
    Transcript,
    TranscriptionRequest,
    WhisperSettings,
)
from .errors import (
    EngineError,
    ModelLoadError,
    WorkerCrashedError,
    WorkerStoppedError,
    WorkerTimeoutError,
)
from .orphan import exit_when_orphaned

_LOGGER = logging.getLogger(__name__)

ENGINE_PARENT = str(Path(__file__).resolve().parent.parent)
# The child imports this package as top-level `engine` and then drops the integration folder
# from sys.path, so none of the integration's module names can shadow a library it imports.
_BOOTSTRAP = (
    "import sys; sys.path.insert(0, {parent!r}); import engine.worker as w; sys.path.remove({parent!r}); "
    + "w.serve({home_pid})"
)
STREAM_LIMIT = 64 * 1024 * 1024
STDERR_TAIL_LINES = 30
LOAD_TIMEOUT = 300.0
STOP_GRACE = 5.0
CANCEL_GRACE = 3.0  # a prompt chunk (engine/decoding.py PROMPT_CHUNK) takes about a second
CANCEL_SIGNAL = signal.SIGUSR1
BACKOFF_BASE = 0.5
BACKOFF_MAX = 30.0
CRASHES_BEFORE_ALERT = 3
# Rounds an OpenMP thread spins at a barrier before it sleeps (worker_environment).
OPENMP_SPIN_ROUNDS = 300


# --------------------------------------------------------------------------------------------
# Child side
# --------------------------------------------------------------------------------------------


@dataclass
class _Runtimes:
    """The native runtimes one worker owns: both models live in this one process."""

    llm: Any
    whisper: Any


def serve(parent_pid: int) -> None:
    """Worker main loop: one JSON request per stdin line, one JSON response per line.

    `parent_pid` is the process that started the worker (Home Assistant): passed in rather than
    read here, so a parent that died while the worker was starting is noticed too.
    """
    # Keep a private handle on the real stdout for responses; point fd 1 at stderr so that
    # anything native code prints cannot corrupt the protocol stream.
    responses = os.fdopen(os.dup(1), "w", buffering=1)
    os.dup2(2, 1)
    exit_when_orphaned(parent_pid)
    from .llm import LlamaRuntime
    from .whisper import WhisperRuntime

    runtime = _Runtimes(llm=LlamaRuntime(), whisper=WhisperRuntime())
    cancel = threading.Event()
    signal.signal(CANCEL_SIGNAL, lambda _signum, _frame: cancel.set())
    for line in sys.stdin:
        request = json.loads(line)
        cancel.clear()
        responses.write(json.dumps(_handle(runtime, request, cancel.is_set)) + "\n")
        if request["op"] == "shutdown":
            break


def _handle(runtime: _Runtimes, request: dict[str, Any], cancelled: Callable[[], bool]) -> dict[str, Any]:
    try:
        result = _dispatch(runtime, request["op"], request.get("args", {}), cancelled)
    except EngineError as err:
        return {"id": request["id"], "error": {"code": err.code, "message": str(err)}}
    except Exception as err:  # noqa: BLE001 - any failure must become a response, not a dead worker
        return {"id": request["id"], "error": {"code": "engine_error", "message": repr(err)}}
    return {"id": request["id"], "result": result}


def _dispatch(runtime: _Runtimes, op: str, args: dict[str, Any], cancelled: Callable[[], bool]) -> Any:
    if op == "ping" or op == "shutdown":
        return {"pid": os.getpid()}
    if op == "load_llm":
        return runtime.llm.load(LlmSettings(**args))
    if op == "unload_llm":
        return runtime.llm.unload(LlmSettings(**args))
    if op == "load_whisper":
        return runtime.whisper.load(WhisperSettings(**args))
    if op == "transcribe":
        audio = TranscriptionRequest(**{**args["request"], "pcm": base64.b64decode(args["request"]["pcm"])})
        return asdict(runtime.whisper.transcribe(WhisperSettings(**args["model"]), audio))
    if op == "generate":
        request = GenerationRequest(
            messages=[ChatMessage(**message) for message in args["messages"]],
            grammar=args["grammar"],
            temperature=args["temperature"],
            max_tokens=args["max_tokens"],
            saved_prompts=args["saved_prompts"],
        )
        return asdict(runtime.llm.generate(LlmSettings(**args["model"]), request, cancelled))
    raise EngineError(f"unknown operation {op!r}")


# --------------------------------------------------------------------------------------------
# Parent side
# --------------------------------------------------------------------------------------------


def worker_environment(parent: Mapping[str, str]) -> dict[str, str]:
    """The worker's environment: the parent's, with llama.cpp's OpenMP threads spinning only briefly.

    By default OpenMP threads spin at every barrier. When another process (Home Assistant itself,
    an add-on) holds one of the cores, a spinning thread waits out whole scheduler time slices at
    each of the thousands of barriers per token: measured on two busy cores, a 36-token prompt
    and 8 tokens took 28 s spinning and 0.23 s passive. Fully passive threads sleep at every
    barrier instead, and the wake-ups made a token ~1.5x slower on idle cores; a spin of a few
    hundred rounds before sleeping keeps the idle speed at the busy-core cost of passive waiting
    (scripts/bench_threads.py). GOMP_SPINCOUNT is GNU OpenMP's, the runtime the setup's gcc build
    links. A value the user set is kept.
    """
    return {"OMP_WAIT_POLICY": "PASSIVE", "GOMP_SPINCOUNT": str(OPENMP_SPIN_ROUNDS), **parent}


class WorkerClient:
    """Async handle on the worker process. Safe to call from the event loop: it never blocks."""

    def __init__(
        self,
        *,
        request_timeout: float = 60.0,
        on_health_change: Callable[[bool], None] | None = None,
    ) -> None:
        self.request_timeout = request_timeout
        self._on_health_change = on_health_change
        self._process: asyncio.subprocess.Process | None = None
        self._stderr_task: asyncio.Task[None] | None = None
        self._stderr_tail: deque[str] = deque(maxlen=STDERR_TAIL_LINES)
        self._lock = asyncio.Lock()
        self._next_id = 0
        self._loaded: list[LlmSettings] = []
        self._loaded_whisper: list[WhisperSettings] = []
        self._consecutive_failures = 0
        self._last_failure = 0.0
        self._stopped = False
        self._spawn_count = 0
        self._last_crash: CrashCause | None = None

    @property
    def pid(self) -> int | None:
        return self._process.pid if self._process and self._process.returncode is None else None

    @property
    def restarts(self) -> int:
        return max(0, self._spawn_count - 1)

    @property
    def consecutive_failures(self) -> int:
        return self._consecutive_failures

    @property
    def last_crash(self) -> CrashCause | None:
        """How the worker died the last time it crashed (None: it never has)."""
        return self._last_crash

    async def load_llm(self, settings: LlmSettings) -> dict[str, Any]:
        result: dict[str, Any] = await self._request("load_llm", asdict(settings), LOAD_TIMEOUT)
        if settings not in self._loaded:
            self._loaded.append(settings)
        return result

    async def load_whisper(self, settings: WhisperSettings) -> dict[str, Any]:
        """Load a speech model beside the language model; returns its languages."""
        result: dict[str, Any] = await self._request("load_whisper", asdict(settings), LOAD_TIMEOUT)
        if settings not in self._loaded_whisper:
            self._loaded_whisper.append(settings)
        return result

    async def transcribe(self, model: WhisperSettings, request: TranscriptionRequest) -> Transcript:
        # base64 keeps the protocol one JSON line; 30 s of audio is about 1.3 MB of text.
        encoded = {**asdict(request), "pcm": base64.b64encode(request.pcm).decode("ascii")}
        args = {"model": asdict(model), "request": encoded}
        return Transcript(**await self._request("transcribe", args, self.request_timeout))

    async def generate(
        self, model: LlmSettings, request: GenerationRequest, time_limit: float | None = None
    ) -> GenerationResult:
        """Generate within `time_limit` seconds (default: the client's request timeout)."""
        args = {
            "model": asdict(model),
            "messages": [asdict(message) for message in request.messages],
            "grammar": request.grammar,
            "temperature": request.temperature,
            "max_tokens": request.max_tokens,
            "saved_prompts": request.saved_prompts,
        }
        return GenerationResult(**await self._request("generate", args, time_limit or self.request_timeout))

    async def ping(self) -> dict[str, Any]:
        result: dict[str, Any] = await self._request("ping", {}, self.request_timeout)
        return result

    async def stop(self) -> None:
        """Stop the worker and wait for it to exit (killing it if it does not).

        A request in flight is cancelled first rather than waited for (a generation may run for a
        minute); its caller is told the worker is stopping.
        """
        self._stopped = True
        if self._lock.locked() and self._process is not None and self._process.returncode is None:
            with contextlib.suppress(ProcessLookupError):
                self._process.send_signal(CANCEL_SIGNAL)
        async with self._lock:
            await self._terminate(graceful=True)

    # -- internals ------------------------------------------------------------------------

    async def _request(self, op: str, args: dict[str, Any], limit: float) -> Any:
        async with self._lock:
            if self._stopped:
                raise WorkerStoppedError("the worker is stopped")
            await self._ensure_running()
            try:
                async with asyncio.timeout(limit):
                    response = await self._roundtrip(op, args)
            except TimeoutError:
                # A failure either way (a model too slow for its limit is worth an alert), but one
                # that stopped when asked leaves the worker and its model as they were.
                self._record_failure()
                if await self._cancel_in_flight():
                    raise WorkerTimeoutError(f"{op} took longer than {limit:.1f} s; stopped it") from None
                raise WorkerTimeoutError(f"{op} took longer than {limit:.1f} s; worker restarted") from None
            except asyncio.CancelledError:
                await self._cancel_in_flight()
                raise
            except WorkerCrashedError:
                await self._terminate(graceful=False)
                self._record_failure()
                raise
            self._record_success()
            if self._stopped:  # stopped while this request ran: its answer is no longer wanted
                raise WorkerStoppedError("the worker is stopped")
        if "error" in response:
            raise _error_from_response(response["error"])
        return response["result"]

    async def _roundtrip(self, op: str, args: dict[str, Any]) -> dict[str, Any]:
        process = self._process
        assert process is not None and process.stdin is not None and process.stdout is not None
        self._next_id += 1
        request_id = self._next_id
        try:
            process.stdin.write((json.dumps({"id": request_id, "op": op, "args": args}) + "\n").encode())
            await process.stdin.drain()
            line = await process.stdout.readline()
        except (BrokenPipeError, ConnectionResetError):
            line = b""
        if not line:
            await process.wait()
            self._last_crash = crash_cause(process.returncode)
            raise WorkerCrashedError(self._crash_message(process.returncode), self._last_crash)
        response: dict[str, Any] = json.loads(line)
        if response.get("id") != request_id:
            raise WorkerCrashedError(f"protocol error: answer to {response.get('id')}, expected {request_id}")
        return response

    async def _cancel_in_flight(self) -> bool:
        """Ask the worker to drop the request in flight and wait briefly for its answer.

        True: it answered and is ready for the next request, still warm. False: it did not (hung,
        or busy in native code that cannot stop), so it was killed; the next request restarts it.
        """
        process = self._process
        assert process is not None and process.stdout is not None
        with contextlib.suppress(ProcessLookupError):
            process.send_signal(CANCEL_SIGNAL)
        try:
            async with asyncio.timeout(CANCEL_GRACE):
                line = await process.stdout.readline()
            answered = bool(line) and json.loads(line).get("id") == self._next_id
        except (TimeoutError, ValueError):
            answered = False
        if not answered:
            await self._terminate(graceful=False)
        return answered

    async def _ensure_running(self) -> None:
        if self._process is not None and self._process.returncode is None:
            return
        if self._consecutive_failures > 1:
            delay = min(BACKOFF_MAX, BACKOFF_BASE * 2 ** (self._consecutive_failures - 2))
            remaining = self._last_failure + delay - time.monotonic()
            if remaining > 0:
                await asyncio.sleep(remaining)
        await self._spawn()
        reloads: list[tuple[str, LlmSettings | WhisperSettings]] = [
            *(("load_llm", settings) for settings in self._loaded),
            *(("load_whisper", settings) for settings in self._loaded_whisper),
        ]
        for op, settings in reloads:
            try:
                async with asyncio.timeout(LOAD_TIMEOUT):
                    response = await self._roundtrip(op, asdict(settings))
            except (TimeoutError, WorkerCrashedError) as err:
                await self._terminate(graceful=False)
                self._record_failure()
                cause = err.cause if isinstance(err, WorkerCrashedError) else None
                raise WorkerCrashedError(f"reloading {settings.model_path} failed: {err}", cause) from err
            if "error" in response:
                # A worker left without its model would answer "not loaded" from now on; the next
                # request starts a fresh one and tries again (the memory or the file may be back).
                await self._terminate(graceful=False)
                self._record_failure()
                raise _error_from_response(response["error"])

    async def _spawn(self) -> None:
        self._spawn_count += 1
        self._stderr_tail.clear()
        self._process = await asyncio.create_subprocess_exec(
            sys.executable,
            "-c",
            _BOOTSTRAP.format(parent=ENGINE_PARENT, home_pid=os.getpid()),
            stdin=asyncio.subprocess.PIPE,
            stdout=asyncio.subprocess.PIPE,
            stderr=asyncio.subprocess.PIPE,
            limit=STREAM_LIMIT,
            start_new_session=True,  # a Ctrl-C meant for Home Assistant is not sent to the worker
            env=worker_environment(os.environ),
        )
        self._stderr_task = asyncio.create_task(self._collect_stderr(self._process))

    async def _collect_stderr(self, process: asyncio.subprocess.Process) -> None:
        assert process.stderr is not None
        while line := await process.stderr.readline():
            text = line.decode(errors="replace").rstrip()
            self._stderr_tail.append(text)
            _LOGGER.debug("worker %s: %s", process.pid, text)

    async def _terminate(self, *, graceful: bool) -> None:
        process, self._process = self._process, None
        if process is None:
            return
        if process.returncode is None:
            if graceful and process.stdin is not None:
                with contextlib.suppress(BrokenPipeError, ConnectionResetError):
                    process.stdin.write(b'{"id": 0, "op": "shutdown"}\n')
                    process.stdin.close()
                with contextlib.suppress(TimeoutError):
                    async with asyncio.timeout(STOP_GRACE):
                        await process.wait()
            if process.returncode is None:
                with contextlib.suppress(ProcessLookupError):
                    process.send_signal(signal.SIGKILL)
                await process.wait()
        if self._stderr_task is not None:
            await self._stderr_task
            self._stderr_task = None
        if process.stdin is not None:
            process.stdin.close()

    def _crash_message(self, returncode: int | None) -> str:
        tail = " | ".join(list(self._stderr_tail)[-3:])
        return f"the model worker exited ({describe_exit(returncode)})" + (f": {tail}" if tail else "")

    def _record_failure(self) -> None:
        self._consecutive_failures += 1
        self._last_failure = time.monotonic()
        if self._consecutive_failures == CRASHES_BEFORE_ALERT and self._on_health_change:
            self._on_health_change(False)

    def _record_success(self) -> None:
        if self._consecutive_failures >= CRASHES_BEFORE_ALERT and self._on_health_change:
            self._on_health_change(True)
        self._consecutive_failures = 0


def _error_from_response(error: dict[str, str]) -> EngineError:
    if error["code"].startswith(("model_", "adapter_")):
        return ModelLoadError(error["code"], error["message"])
    failure = EngineError(error["message"])
    failure.code = error["code"]
    return failure
