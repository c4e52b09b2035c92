"""Real model servers on 127.0.0.1 for the engine tests: llama-cpp-python's own server, and faulty ones.

llama-cpp-python's server (`python -m llama_cpp.server`) runs from its own venv, which
scripts/setup builds beside the Home Assistant one from the same portable llama.cpp wheel.
"""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from .helpers import free_port

SERVER_VENV = Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache") / "local_llm_assist" / "server-venv"
START_TIMEOUT = 180.0  # loading a model on two busy cores; the wait ends as soon as it answers
# One thread: on a shared two-core machine, llama.cpp's threads spin-wait for each other and a
# second one, descheduled by other work, can slow a request twentyfold. (The bench uses both cores.)
SERVER_THREADS = 1
CONTEXT_SIZE = 4096


def server_python() -> Path:
    python = SERVER_VENV / "bin" / "python"
    if not python.exists():
        raise RuntimeError(f"no llama.cpp server venv at {SERVER_VENV}: run scripts/setup")
    return python


@dataclass
class LlamaServer:
    """A running `python -m llama_cpp.server`; `url` is its root (http://127.0.0.1:<port>)."""

    process: subprocess.Popen[bytes]
    url: str
    model_alias: str
    api_key: str | None
    log: Path

    def kill(self) -> None:
        if self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGKILL)
        self.process.wait()


def start_llama_server(
    model: Path, log: Path, *, alias: str = "qwen", api_key: str | None = None, threads: int = SERVER_THREADS
) -> LlamaServer:
    """Start the server and wait (bounded) until it answers HTTP; raises with its log if it does not."""
    port = free_port()
    command = [
        str(server_python()),
        "-m",
        "llama_cpp.server",
        *("--model", str(model), "--model_alias", alias),
        *("--host", "127.0.0.1", "--port", str(port)),
        *("--n_ctx", str(CONTEXT_SIZE), "--n_threads", str(threads)),
        *(("--api_key", api_key) if api_key else ()),
    ]
    with log.open("wb") as output:
        process = subprocess.Popen(command, stdout=output, stderr=subprocess.STDOUT, start_new_session=True)
    server = LlamaServer(process, f"http://127.0.0.1:{port}", alias, api_key, log)
    deadline = time.monotonic() + START_TIMEOUT
    while not _answers(server.url):
        if process.poll() is not None or time.monotonic() > deadline:
            server.kill()
            raise RuntimeError(f"llama_cpp.server did not start: {log.read_text()[-2000:]}")
        time.sleep(0.5)
    return server


def _answers(url: str) -> bool:
    try:
        with urllib.request.urlopen(f"{url}/v1/models", timeout=2):
            return True
    except urllib.error.HTTPError:
        return True  # 401 without a key: up and checking keys
    except OSError:
        return False


@contextmanager
def silent_server() -> Iterator[str]:
    """A port that accepts connections and never answers: a hung server."""
    with socket.socket() as listener:
        listener.bind(("127.0.0.1", 0))
        listener.listen(16)
        yield f"http://127.0.0.1:{listener.getsockname()[1]}"


# The key the shared test server is started with: every engine test sends it (and a wrong one for 401).
SERVER_API_KEY = "sk-local-" + "7f3c9a1e5b2d4c6f" * 2


@contextmanager
def sockets_enabled() -> Iterator[None]:
    """Socket creation for a session fixture: Home Assistant's test plugin blocks it outside tests that
    ask for `socket_enabled` (connections stay limited to 127.0.0.1 either way)."""
    import pytest_socket

    pytest_socket.enable_socket()
    try:
        yield
    finally:
        pytest_socket.disable_socket(allow_unix_socket=True)
