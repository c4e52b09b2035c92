"""Download a model file: resumable, verified, and never a partial file under the final name.

Model files are hundreds of megabytes and home connections drop, so the bytes go to
`<name>.part` first: a later call resumes it with an HTTP Range request. Only a file whose size
and sha256 check out is renamed (atomically) to the final name, which the integration then loads.

This runs inside Home Assistant's event loop: every file operation and every hash update goes to
the default executor, and the loop only moves bytes from the socket into a buffer.
"""

from __future__ import annotations

import asyncio
import errno
import hashlib
import math
import os
import re
import shutil
import threading
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO, Final

import aiohttp

from .engine.errors import EngineError

PART_SUFFIX: Final = ".part"
# Room left over after the download: a disk filled to the last byte breaks Home Assistant's recorder.
DISK_MARGIN: Final = 32 << 20
CONNECT_TIMEOUT: Final = 30.0
PROGRESS_INTERVAL: Final = 0.1
HASH_BLOCK: Final = 1 << 20
_CONTENT_RANGE: Final = re.compile(r"bytes (\d+)-(\d+)/(\d+|\*)")

ProgressCallback = Callable[[int, int | None], None]


class DownloadError(EngineError):
    """A model download failed; `code` says why (a translation key)."""

    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.code = code


@dataclass(frozen=True)
class DownloadResult:
    """The verified file. `sha256` is what was computed, so the caller can pin an unknown hash."""

    path: Path
    sha256: str
    size: int
    reused: bool
    resumed_from: int


def part_path(destination: Path) -> Path:
    """Where an unfinished download of `destination` lives."""
    return destination.with_name(destination.name + PART_SUFFIX)


async def download_model(
    session: aiohttp.ClientSession,
    url: str,
    destination: Path,
    *,
    expected_sha256: str | None = None,
    expected_size: int | None = None,
    on_progress: ProgressCallback | None = None,
    read_timeout: float = 30.0,
    chunk_size: int = 1 << 20,
) -> DownloadResult:
    """Make `destination` hold the file at `url`, reusing or resuming earlier work.

    Raises DownloadError. Cancellation propagates and keeps the .part for a later resume.
    """
    job = _Download(session, url, destination, expected_sha256, expected_size, on_progress, read_timeout, chunk_size)
    try:
        return await job.run()
    except TimeoutError as err:  # before OSError: TimeoutError is one; aiohttp's timeouts subclass it
        raise DownloadError("download_timeout", f"{url}: no data for {read_timeout:g} s") from err
    except aiohttp.ClientError as err:
        raise DownloadError("download_failed", f"{url}: {str(err) or type(err).__name__}") from err
    except OSError as err:
        if err.errno == errno.ENOSPC:  # the disk filled up under the download (another program, a log)
            # Not kept for a resume: a disk full to the last byte breaks Home Assistant's recorder.
            await _in_thread(_remove, part_path(destination))
            raise DownloadError("download_insufficient_disk", f"{destination.parent}: the disk is full") from err
        raise DownloadError("download_failed", f"cannot store {destination}: {err}") from err


class _RangeRejectedError(Exception):
    """The server answered 416 to our Range: the .part is not a prefix of what it serves now."""


class _Download:
    """One call of download_model; the state lives here so that each step stays short."""

    def __init__(
        self,
        session: aiohttp.ClientSession,
        url: str,
        destination: Path,
        expected_sha256: str | None,
        expected_size: int | None,
        on_progress: ProgressCallback | None,
        read_timeout: float,
        chunk_size: int,
    ) -> None:
        self.session = session
        self.url = url
        self.destination = destination
        self.part = part_path(destination)
        self.expected_sha256 = expected_sha256.lower() if expected_sha256 else None
        self.expected_size = expected_size
        self.progress = _Progress(on_progress)
        self.timeout = aiohttp.ClientTimeout(total=None, sock_connect=CONNECT_TIMEOUT, sock_read=read_timeout)
        self.chunk_size = chunk_size

    async def run(self) -> DownloadResult:
        existing = await _in_thread(_verified_file, self.destination, self.expected_sha256, self.expected_size)
        if existing is not None:
            self.progress.final(existing.size, existing.size)
            return existing
        offset = await _in_thread(_usable_part_size, self.part, self.expected_size)
        if self.expected_size is not None:
            await self._check_disk(self.expected_size - offset)
            if offset == self.expected_size:
                # An earlier call stored every byte but was stopped before it could verify them.
                digest = await _in_thread(_hash_file, self.part)
                self.progress.final(offset, offset)
                return await self._finish(digest.hexdigest(), offset, resumed_from=offset)
        try:
            return await self._fetch(offset)
        except _RangeRejectedError:
            await _in_thread(_remove, self.part)
            return await self._fetch(0)

    async def _fetch(self, offset: int) -> DownloadResult:
        # The part is hashed before connecting: an idle connection would be at the mercy of the
        # read timeout while a large part on a slow SD card is read back.
        digest = await _in_thread(_hash_file, self.part) if offset else hashlib.sha256()
        # identity: a compressed response would make Content-Length and Range offsets count
        # encoded bytes rather than bytes of the file.
        headers = {"Accept-Encoding": "identity"}
        if offset:
            headers["Range"] = f"bytes={offset}-"
        async with self.session.get(self.url, headers=headers, timeout=self.timeout) as response:
            if response.status == 416 and offset:
                raise _RangeRejectedError
            start, total = await self._accept(response, offset)
            if start == 0:
                digest = hashlib.sha256()
            return await self._stream(response, start, total, digest)

    async def _accept(self, response: aiohttp.ClientResponse, offset: int) -> tuple[int, int | None]:
        """Check the response before anything is written; return (first byte's offset, file size)."""
        start, total = _response_span(response, offset, self.url)
        if self.expected_size is not None and total is not None and total != self.expected_size:
            await _in_thread(_remove, self.part)
            raise DownloadError(
                "download_size_mismatch", f"{self.url} serves {total} bytes, expected {self.expected_size}"
            )
        total = self.expected_size if total is None else total
        # A 200 truncates the part, which frees its bytes: in both cases the disk must take total - offset.
        await self._check_disk(0 if total is None else total - offset)
        return start, total

    async def _check_disk(self, needed: int) -> None:
        free = (await _in_thread(shutil.disk_usage, self.destination.parent)).free
        if free < needed + DISK_MARGIN:
            raise DownloadError(
                "download_insufficient_disk",
                f"{self.destination.parent}: {needed / 1e6:.0f} MB needed (+{DISK_MARGIN / 1e6:.0f} MB margin), "
                f"{free / 1e6:.0f} MB free",
            )

    async def _stream(
        self, response: aiohttp.ClientResponse, start: int, total: int | None, digest: hashlib._Hash
    ) -> DownloadResult:
        part_file = await _in_thread(_PartFile.open, self.part, start, digest)
        try:
            done = await self._copy(response, part_file, start, total)
            await _in_thread(part_file.sync)
        finally:
            # In a thread even when cancelled: close waits for a write still running there.
            await _in_thread(part_file.close)
        self.progress.final(done, total)
        if total is not None and done < total:
            raise DownloadError("download_failed", f"{self.url}: connection closed after {done} of {total} bytes")
        return await self._finish(part_file.hexdigest(), done, resumed_from=start)

    async def _copy(self, response: aiohttp.ClientResponse, part_file: _PartFile, start: int, total: int | None) -> int:
        """Socket to file in chunk_size writes (a thread hop per socket read would cost more than the write)."""
        buffer = bytearray()
        done = start
        try:
            async for data in response.content.iter_any():
                buffer += data
                done += len(data)
                if len(buffer) >= self.chunk_size:
                    full, buffer = buffer, bytearray()
                    await _in_thread(part_file.write, full)
                self.progress.update(done, total)
        except (TimeoutError, aiohttp.ClientError):
            await _in_thread(part_file.write, buffer)  # keep every byte that arrived: the next call resumes there
            raise
        await _in_thread(part_file.write, buffer)
        return done

    async def _finish(self, sha256: str, size: int, *, resumed_from: int) -> DownloadResult:
        """Verify the complete part, then give it the final name in one atomic step."""
        if self.expected_size is not None and size != self.expected_size:
            await _in_thread(_remove, self.part)
            raise DownloadError(
                "download_size_mismatch", f"{self.url}: got {size} bytes, expected {self.expected_size}"
            )
        if self.expected_sha256 is not None and sha256 != self.expected_sha256:
            await _in_thread(_remove, self.part)
            raise DownloadError(
                "download_checksum_mismatch", f"{self.url}: sha256 {sha256}, expected {self.expected_sha256}"
            )
        await _in_thread(os.replace, self.part, self.destination)
        return DownloadResult(self.destination, sha256, size, reused=False, resumed_from=resumed_from)


def _response_span(response: aiohttp.ClientResponse, offset: int, url: str) -> tuple[int, int | None]:
    """(offset of the body's first byte, size of the whole file or None) from the status and headers."""
    if response.status == 206:
        match = _CONTENT_RANGE.fullmatch(response.headers.get("Content-Range", ""))
        if match is None or int(match[1]) != offset:
            raise DownloadError(
                "download_failed", f"{url}: asked for bytes {offset}-, got {response.headers.get('Content-Range')}"
            )
        if match[3] != "*":
            return offset, int(match[3])
        return offset, None if response.content_length is None else offset + response.content_length
    if 200 <= response.status < 300:
        return 0, response.content_length  # the server ignored the Range: start over
    raise DownloadError("download_http_error", f"{url}: HTTP {response.status} {response.reason or ''}".rstrip())


class _Progress:
    """Rate-limits the caller's progress callback: it typically updates a UI."""

    def __init__(self, callback: ProgressCallback | None) -> None:
        self._callback = callback
        self._last = -math.inf

    def update(self, done: int, total: int | None) -> None:
        now = asyncio.get_running_loop().time()
        if self._callback is not None and now - self._last >= PROGRESS_INTERVAL:
            self._last = now
            self._callback(done, total)

    def final(self, done: int, total: int | None) -> None:
        if self._callback is not None:
            self._callback(done, total)


class _PartFile:
    """The open .part file and the running hash of its content; its methods run in executor threads.

    A lock serialises them: a cancelled task leaves its write running in the thread, and the
    close that follows must wait for that write rather than close the file under it.
    """

    def __init__(self, handle: BinaryIO, digest: hashlib._Hash) -> None:
        self._handle = handle
        self._digest = digest
        self._lock = threading.Lock()

    @classmethod
    def open(cls, path: Path, start: int, digest: hashlib._Hash) -> _PartFile:
        """Append at `start` (the digest covers the bytes before it), or truncate when start is 0."""
        handle = path.open("ab" if start else "wb")
        if (length := handle.tell()) != start:  # the part changed since it was measured and hashed
            handle.close()
            raise OSError(f"{path} is {length} bytes, expected {start}")
        return cls(handle, digest)

    def write(self, data: bytes | bytearray) -> None:
        with self._lock:
            self._digest.update(data)
            self._handle.write(data)

    def sync(self) -> None:
        """Flush to the disk before the rename, so a power cut cannot leave an empty file under the final name."""
        with self._lock:
            self._handle.flush()
            os.fsync(self._handle.fileno())

    def close(self) -> None:
        with self._lock:
            self._handle.close()

    def hexdigest(self) -> str:
        return self._digest.hexdigest()


async def _in_thread[T, *Ts](func: Callable[[*Ts], T], *args: *Ts) -> T:
    return await asyncio.get_running_loop().run_in_executor(None, func, *args)


def _hash_file(path: Path) -> hashlib._Hash:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        while block := handle.read(HASH_BLOCK):
            digest.update(block)
    return digest


def _verified_file(path: Path, sha256: str | None, size: int | None) -> DownloadResult | None:
    """The existing final file if it is the one expected (no expectation: any file is accepted)."""
    if not path.is_file() or (size is not None and path.stat().st_size != size):
        return None
    digest = _hash_file(path).hexdigest()
    if sha256 is not None and digest != sha256:
        return None
    return DownloadResult(path, digest, path.stat().st_size, reused=True, resumed_from=0)


def _usable_part_size(part: Path, expected_size: int | None) -> int:
    """Bytes already downloaded; a part longer than the file cannot be a prefix of it and goes."""
    part.parent.mkdir(parents=True, exist_ok=True)
    if not part.is_file():
        return 0
    size = part.stat().st_size
    if expected_size is not None and size > expected_size:
        part.unlink()
        return 0
    return size


def _remove(path: Path) -> None:
    path.unlink(missing_ok=True)
