"""Content-addressed file store (证据, 移送材料): a file lives at ``<root>/<sha[:2]>/<sha>``, named by its SHA-256.

Uploads stream to a temporary file while hashing and are renamed into place, so a reader never sees a partial
file, identical content is stored once, and a refused or failed upload leaves nothing behind.
"""

from __future__ import annotations

import asyncio
import hashlib
import os
import tempfile
from collections.abc import AsyncIterable
from dataclasses import dataclass
from pathlib import Path
from typing import Protocol

from shared.problems import Problem

CHUNK = 1024 * 1024
HEX = frozenset("0123456789abcdef")


class Readable(Protocol):
    async def read(self, size: int = -1) -> bytes: ...


@dataclass(frozen=True)
class StoredFile:
    sha256: str
    size: int


async def _chunks_of(source: Readable) -> AsyncIterable[bytes]:
    while chunk := await source.read(CHUNK):
        yield chunk


class ContentStore:
    def __init__(self, root: Path, *, max_bytes: int) -> None:
        self.root = root
        self.max_bytes = max_bytes

    def path_of(self, sha256: str) -> Path:
        if len(sha256) != 64 or not HEX.issuperset(sha256):
            raise ValueError(f"not a SHA-256 hex digest: {sha256!r}")
        return self.root / sha256[:2] / sha256

    def has(self, sha256: str) -> bool:
        return self.path_of(sha256).is_file()

    async def put(self, source: Readable) -> StoredFile:
        """Store an uploaded file read in chunks (``UploadFile``)."""
        return await self.put_stream(_chunks_of(source))

    async def put_bytes(self, data: bytes) -> StoredFile:
        """Store content already in memory (a rendered document)."""

        async def one_chunk() -> AsyncIterable[bytes]:
            yield data

        return await self.put_stream(one_chunk())

    async def put_stream(self, chunks: AsyncIterable[bytes]) -> StoredFile:
        """Hash while writing; 413 as soon as ``max_bytes`` is passed, 422 when empty."""
        self.root.mkdir(parents=True, exist_ok=True)
        digest, size = hashlib.sha256(), 0
        fd, temp_name = tempfile.mkstemp(dir=self.root, prefix=".upload-")
        temp = Path(temp_name)
        try:
            with os.fdopen(fd, "wb") as out:
                async for chunk in chunks:
                    size += len(chunk)
                    if size > self.max_bytes:
                        raise Problem(413, f"文件过大 The file exceeds {self.max_bytes} bytes")
                    digest.update(chunk)
                    await asyncio.to_thread(out.write, chunk)
            if size == 0:
                raise Problem(422, "文件为空 The file is empty", slug="empty-file")
            stored = StoredFile(sha256=digest.hexdigest(), size=size)
            target = self.path_of(stored.sha256)
            target.parent.mkdir(parents=True, exist_ok=True)
            os.replace(temp, target)
            return stored
        finally:
            await asyncio.to_thread(temp.unlink, missing_ok=True)

    def rehash(self, sha256: str) -> str | None:
        """The SHA-256 of the stored file's current content; None when it is missing."""
        path = self.path_of(sha256)
        if not path.is_file():
            return None
        digest = hashlib.sha256()
        with path.open("rb") as handle:
            while chunk := handle.read(CHUNK):
                digest.update(chunk)
        return digest.hexdigest()
