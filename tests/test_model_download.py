"""The model downloader against a real HTTP server on 127.0.0.1 serving a real model file.

The server implements Range requests itself and misbehaves on demand (drops the connection,
answers 404, stalls, serves wrong bytes), so every path the downloader takes on a home
connection is exercised over a real socket. Only "disk full" is simulated.
"""

from __future__ import annotations

import asyncio
import errno
import hashlib
import re
import shutil
import socket
import subprocess
import time
from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from types import SimpleNamespace

import aiohttp
import pytest
from aiohttp import web
from aiohttp.test_utils import TestServer

from custom_components.local_llm_assist import model_download as download
from custom_components.local_llm_assist.model_download import DownloadError, download_model, part_path
from toolkit.models import SMOKE_LLM

SMOKE_SHA256 = "b179c9523d0e6a0f98a330c7562b682750a6f8c8c15e5bc70ea373728110db53"
SMALL_SIZE = 8 << 20  # most cases serve the model's first 8 MB: same code paths, a tenth of the bytes
SEND_BLOCK = 256 << 10


@dataclass
class Served:
    """A file the test server serves, and how it should misbehave."""

    body: bytes
    sha256: str
    drop_after: int | None = None  # close the connection after this many body bytes (first request only)
    status: int | None = None  # answer this status with no file
    stall_before: float = 0.0  # seconds before the headers
    stall_after: int | None = None  # body bytes sent before a stall of stall_for seconds
    stall_for: float = 0.0
    corrupt: bool = False  # flip one byte in the middle
    ranges: bool = True  # honour Range requests (False: always 200 with the whole file)
    requests: list[str | None] = field(default_factory=list)  # the Range header of each GET
    stalled: asyncio.Event = field(default_factory=asyncio.Event)


@dataclass
class Server:
    served: Served
    url: str


@pytest.fixture(scope="module")
def model_bytes() -> bytes:
    """The real smoke model, read once per module (outside the event loop)."""
    data = SMOKE_LLM.read_bytes()
    assert hashlib.sha256(data).hexdigest() == SMOKE_SHA256
    return data


def range_start(header: str | None) -> int | None:
    match = re.fullmatch(r"bytes=(\d+)-", header or "")
    return None if match is None else int(match[1])


async def serve_file(request: web.Request) -> web.StreamResponse:
    served: Served = request.app["served"]
    served.requests.append(request.headers.get("Range"))
    if served.status is not None:
        return web.Response(status=served.status, text="no such model")
    await asyncio.sleep(served.stall_before)
    body = served.body
    if served.corrupt:  # same length, one byte off: only the hash can tell
        middle = len(body) // 2
        body = body[:middle] + bytes([body[middle] ^ 0xFF]) + body[middle + 1 :]
    start = range_start(request.headers.get("Range")) if served.ranges else None
    if start is not None and start >= len(body):
        return web.Response(status=416, headers={"Content-Range": f"bytes */{len(body)}"})
    response = web.StreamResponse(status=200 if start is None else 206)
    if start is not None:
        response.headers["Content-Range"] = f"bytes {start}-{len(body) - 1}/{len(body)}"
    response.content_length = len(body) - (start or 0)
    await response.prepare(request)
    await send_body(request, response, memoryview(body)[start or 0 :], first=len(served.requests) == 1)
    return response


async def send_body(request: web.Request, response: web.StreamResponse, body: memoryview, *, first: bool) -> None:
    served: Served = request.app["served"]
    drop_after = served.drop_after if first else None
    for sent in range(0, len(body), SEND_BLOCK):
        if served.stall_after is not None and sent >= served.stall_after and not served.stalled.is_set():
            served.stalled.set()
            await asyncio.sleep(served.stall_for)
        if drop_after is not None and sent + SEND_BLOCK > drop_after:
            await response.write(body[sent:drop_after])
            assert request.transport is not None
            request.transport.close()  # mid-file: the client sees fewer bytes than Content-Length
            raise asyncio.CancelledError
        await response.write(body[sent : sent + SEND_BLOCK])


async def start_server(served: Served) -> AsyncIterator[Server]:
    app = web.Application()
    app["served"] = served
    app.router.add_get("/model.gguf", serve_file)
    server = TestServer(app)
    await server.start_server()
    try:
        yield Server(served, str(server.make_url("/model.gguf")))
    finally:
        await server.close()


@pytest.fixture
async def full_server(socket_enabled: None, model_bytes: bytes) -> AsyncIterator[Server]:
    async for server in start_server(Served(model_bytes, SMOKE_SHA256)):
        yield server


@pytest.fixture
async def server(socket_enabled: None, model_bytes: bytes) -> AsyncIterator[Server]:
    small = model_bytes[:SMALL_SIZE]
    async for running in start_server(Served(small, hashlib.sha256(small).hexdigest())):
        yield running


@pytest.fixture
async def session() -> AsyncIterator[aiohttp.ClientSession]:
    async with aiohttp.ClientSession() as client:
        yield client


@pytest.fixture
def destination(tmp_path: Path) -> Path:
    return tmp_path / "models" / "model.gguf"


def files_in(directory: Path) -> list[str]:
    return sorted(path.name for path in directory.iterdir()) if directory.exists() else []


async def test_complete_download_reports_progress_and_the_real_sha(
    full_server: Server, session: aiohttp.ClientSession, destination: Path
) -> None:
    progress: list[tuple[int, int | None]] = []
    started = time.monotonic()
    result = await download_model(
        session,
        full_server.url,
        destination,
        expected_sha256=SMOKE_SHA256,
        expected_size=len(full_server.served.body),
        on_progress=lambda done, total: progress.append((done, total)),
    )
    elapsed = time.monotonic() - started
    size = len(full_server.served.body)
    assert (result.path, result.sha256, result.size, result.reused, result.resumed_from) == (
        destination,
        SMOKE_SHA256,
        size,
        False,
        0,
    )
    assert destination.stat().st_size == size
    assert files_in(destination.parent) == ["model.gguf"]
    assert full_server.served.requests == [None]
    done = [value for value, _ in progress]
    assert done == sorted(done) and progress[-1] == (size, size)
    assert {total for _, total in progress} == {size}
    assert len(progress) <= elapsed / download.PROGRESS_INTERVAL + 2  # rate-limited, plus the final call


async def test_unknown_hash_is_computed_for_pinning(
    server: Server, session: aiohttp.ClientSession, destination: Path
) -> None:
    result = await download_model(session, server.url, destination)
    assert result.sha256 == server.served.sha256 and result.size == SMALL_SIZE


@pytest.mark.parametrize("pinned", [True, False])
async def test_existing_verified_file_is_reused_without_the_network(
    server: Server, session: aiohttp.ClientSession, destination: Path, pinned: bool
) -> None:
    await download_model(session, server.url, destination, expected_sha256=server.served.sha256)
    server.served.requests.clear()
    progress: list[tuple[int, int | None]] = []
    result = await download_model(
        session,
        server.url,
        destination,
        expected_sha256=server.served.sha256 if pinned else None,
        on_progress=lambda done, total: progress.append((done, total)),
    )
    assert result.reused and result.sha256 == server.served.sha256 and result.size == SMALL_SIZE
    assert server.served.requests == []
    assert progress == [(SMALL_SIZE, SMALL_SIZE)]


async def test_existing_file_with_another_hash_is_replaced(
    server: Server, session: aiohttp.ClientSession, destination: Path
) -> None:
    destination.parent.mkdir()
    destination.write_bytes(b"an older model")
    result = await download_model(session, server.url, destination, expected_sha256=server.served.sha256)
    assert not result.reused and result.sha256 == server.served.sha256
    assert hashlib.sha256(destination.read_bytes()).hexdigest() == server.served.sha256


async def test_dropped_connection_keeps_the_part_and_the_next_call_resumes(
    full_server: Server, session: aiohttp.ClientSession, destination: Path
) -> None:
    size = len(full_server.served.body)
    full_server.served.drop_after = 40 << 20
    with pytest.raises(DownloadError) as failure:
        await download_model(session, full_server.url, destination, expected_sha256=SMOKE_SHA256, expected_size=size)
    assert failure.value.code == "download_failed"
    assert files_in(destination.parent) == ["model.gguf.part"]
    kept = part_path(destination).stat().st_size
    assert kept == 40 << 20  # every byte that arrived, the unwritten buffer included

    result = await download_model(session, full_server.url, destination, expected_sha256=SMOKE_SHA256)
    assert full_server.served.requests == [None, f"bytes={kept}-"]
    assert result.resumed_from == kept > 0
    assert (result.sha256, result.size, result.reused) == (SMOKE_SHA256, size, False)
    assert files_in(destination.parent) == ["model.gguf"]


async def test_server_ignoring_range_restarts_from_zero(
    server: Server, session: aiohttp.ClientSession, destination: Path
) -> None:
    destination.parent.mkdir()
    part_path(destination).write_bytes(b"x" * 1000)  # would corrupt the file if appended to
    server.served.ranges = False
    result = await download_model(session, server.url, destination, expected_sha256=server.served.sha256)
    assert server.served.requests == ["bytes=1000-"]
    assert result.resumed_from == 0 and result.sha256 == server.served.sha256


async def test_part_longer_than_the_file_is_discarded(
    server: Server, session: aiohttp.ClientSession, destination: Path
) -> None:
    destination.parent.mkdir()
    part_path(destination).write_bytes(b"x" * (SMALL_SIZE + 10))
    result = await download_model(session, server.url, destination)  # no expected size: the server says 416
    assert server.served.requests == [f"bytes={SMALL_SIZE + 10}-", None]
    assert result.sha256 == server.served.sha256 and files_in(destination.parent) == ["model.gguf"]


async def test_complete_part_is_verified_without_the_network(
    server: Server, session: aiohttp.ClientSession, destination: Path
) -> None:
    destination.parent.mkdir()
    part_path(destination).write_bytes(server.served.body)
    result = await download_model(
        session, server.url, destination, expected_sha256=server.served.sha256, expected_size=SMALL_SIZE
    )
    assert server.served.requests == []
    assert result.resumed_from == SMALL_SIZE and files_in(destination.parent) == ["model.gguf"]


async def test_checksum_mismatch_leaves_no_file(
    server: Server, session: aiohttp.ClientSession, destination: Path
) -> None:
    server.served.corrupt = True
    with pytest.raises(DownloadError) as failure:
        await download_model(session, server.url, destination, expected_sha256=server.served.sha256.upper())
    assert failure.value.code == "download_checksum_mismatch"
    assert server.served.sha256 in str(failure.value)
    assert files_in(destination.parent) == []


async def test_size_mismatch_is_caught_from_the_headers(
    server: Server, session: aiohttp.ClientSession, destination: Path
) -> None:
    with pytest.raises(DownloadError) as failure:
        await download_model(session, server.url, destination, expected_size=SMALL_SIZE + 1)
    assert failure.value.code == "download_size_mismatch"
    assert files_in(destination.parent) == []


async def test_http_error_names_the_status(server: Server, session: aiohttp.ClientSession, destination: Path) -> None:
    server.served.status = 404
    with pytest.raises(DownloadError, match="404") as failure:
        await download_model(session, server.url, destination)
    assert failure.value.code == "download_http_error"
    assert files_in(destination.parent) == []


async def test_unreachable_server_is_a_download_failure(
    socket_enabled: None, session: aiohttp.ClientSession, destination: Path
) -> None:
    with socket.socket() as bound:  # bound, not listening: connections to its port are refused
        bound.bind(("127.0.0.1", 0))
        url = f"http://127.0.0.1:{bound.getsockname()[1]}/model.gguf"
        with pytest.raises(DownloadError) as failure:
            await download_model(session, url, destination)
    assert failure.value.code == "download_failed"
    assert files_in(destination.parent) == []


@pytest.mark.parametrize("where", ["before the headers", "mid-file"])
async def test_stalled_server_times_out(
    server: Server, session: aiohttp.ClientSession, destination: Path, where: str
) -> None:
    if where == "mid-file":
        server.served.stall_after, server.served.stall_for = 2 << 20, 30.0
    else:
        server.served.stall_before = 30.0
    started = time.monotonic()
    with pytest.raises(DownloadError) as failure:
        await download_model(session, server.url, destination, read_timeout=0.3, chunk_size=256 << 10)
    assert failure.value.code == "download_timeout"
    assert time.monotonic() - started < 5
    assert not destination.exists()
    if where == "mid-file":  # what arrived is kept for a resume
        assert part_path(destination).stat().st_size == 2 << 20


@pytest.mark.parametrize("size_known", [True, False])
async def test_insufficient_disk_fails_before_writing(
    server: Server,
    session: aiohttp.ClientSession,
    destination: Path,
    monkeypatch: pytest.MonkeyPatch,
    size_known: bool,
) -> None:
    free = SMALL_SIZE  # enough for the file, not for the margin on top
    fake_shutil = SimpleNamespace(disk_usage=lambda path: SimpleNamespace(total=free, used=0, free=free))
    monkeypatch.setattr(download, "shutil", fake_shutil)  # only the downloader's view of the disk
    with pytest.raises(DownloadError) as failure:
        await download_model(session, server.url, destination, expected_size=SMALL_SIZE if size_known else None)
    assert failure.value.code == "download_insufficient_disk"
    # A known size is checked before connecting; otherwise the headers are read, not the body.
    assert server.served.requests == ([] if size_known else [None])
    assert files_in(destination.parent) == []


async def test_cancel_keeps_the_part_and_a_later_call_resumes(
    server: Server, session: aiohttp.ClientSession, destination: Path
) -> None:
    server.served.stall_after, server.served.stall_for = 4 << 20, 30.0
    task = asyncio.create_task(
        download_model(session, server.url, destination, expected_sha256=server.served.sha256, chunk_size=256 << 10)
    )
    await asyncio.wait_for(server.served.stalled.wait(), 10)
    await wait_for_part(destination, (4 << 20) - (256 << 10))
    task.cancel()
    with pytest.raises(asyncio.CancelledError):
        await task
    assert files_in(destination.parent) == ["model.gguf.part"]
    kept = part_path(destination).stat().st_size

    server.served.stall_after = None
    result = await download_model(session, server.url, destination, expected_sha256=server.served.sha256)
    assert server.served.requests[-1] == f"bytes={kept}-"
    assert result.resumed_from == kept > 0 and result.sha256 == server.served.sha256
    assert files_in(destination.parent) == ["model.gguf"]


async def wait_for_part(destination: Path, size: int) -> None:
    """Until the part holds what was sent before the stall, less the client's unwritten buffer (< 256 KiB)."""
    for _ in range(100):
        if part_path(destination).exists() and part_path(destination).stat().st_size >= size:
            return
        await asyncio.sleep(0.05)
    raise AssertionError(f"the part never reached {size} bytes")


@pytest.fixture
def small_disk(tmp_path: Path) -> Iterator[Path]:
    """A real 48 MiB file system (tmpfs), so that the disk really fills up under a download."""
    mount_point = tmp_path / "small-disk"
    mount_point.mkdir()
    mounted = subprocess.run(
        ["mount", "-t", "tmpfs", "-o", "size=48m", "tmpfs", str(mount_point)], capture_output=True, text=True
    )
    if mounted.returncode != 0:
        pytest.skip(f"cannot mount a tmpfs here ({mounted.stderr.strip()}); test_insufficient_disk covers the check")
    try:
        yield mount_point
    finally:
        subprocess.run(["umount", "-l", str(mount_point)], check=True)


def fill(directory: Path, leave: int) -> None:
    """Take the file system's free space down to `leave` bytes, as another program writing would.

    The download may still be writing what it received before the stall: if it takes the last of
    the room first, the disk is full all the same.
    """
    with (directory / "other-program.bin").open("wb", buffering=0) as other:
        while (free := shutil.disk_usage(directory).free) > leave:
            try:
                other.write(bytes(min(free - leave, 8 << 20)))
            except OSError as err:
                if err.errno != errno.ENOSPC:
                    raise
                return


async def test_disk_filling_up_during_the_download_says_so_and_gives_the_room_back(
    server: Server, session: aiohttp.ClientSession, small_disk: Path
) -> None:
    """The free-space check passed (8 MB file, 48 MiB disk), then another program filled the disk:
    the error says the disk is full (not "connection lost, try again") and the part is removed, so
    the disk is not left full for Home Assistant's recorder."""
    destination = small_disk / "model.gguf"
    # The disk is filled during the stall: long enough for a busy machine, or the download races the filler.
    server.served.stall_after, server.served.stall_for = 2 << 20, 5.0
    download = asyncio.ensure_future(download_model(session, server.url, destination, chunk_size=256 << 10))
    await server.served.stalled.wait()
    part = part_path(destination)
    # Writing has begun (in a thread of the downloader: there is no event to await).
    while not (part.exists() and part.stat().st_size >= 1 << 20):  # noqa: ASYNC110
        await asyncio.sleep(0.01)
    # Leave more than one write (256 KiB) free: a write still in flight must not fail here.
    await asyncio.to_thread(fill, small_disk, 512 << 10)
    with pytest.raises(DownloadError) as failure:
        await download
    assert failure.value.code == "download_insufficient_disk", failure.value
    assert files_in(small_disk) == ["other-program.bin"]
