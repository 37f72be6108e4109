"""Content-addressed file store for referral documents: a file lives at ``<root>/<sha[:2]>/<sha>``.

The same content is stored once; a file is written to a temporary name and renamed into place, so a reader never
sees a partial file and a crash leaves at most a stray temporary file.
"""

from __future__ import annotations

import asyncio
import hashlib
import os
import tempfile
import uuid
from dataclasses import dataclass
from pathlib import Path
from typing import Protocol

from shared.problems import Problem

CHUNK = 1024 * 1024


class Readable(Protocol):
    async def read(self, size: int = -1) -> bytes: ...


@dataclass(frozen=True)
class StoredFile:
    sha256: str
    size: int


class ContentStore:
    def __init__(self, root: Path, *, max_bytes: int) -> None:
        self.root = root
        self.max_bytes = max_bytes

    def path_of(self, sha256: str) -> Path:
        if len(sha256) != 64 or any(c not in "0123456789abcdef" for c in sha256):
            raise ValueError(f"not a SHA-256 hex digest: {sha256!r}")
        return self.root / sha256[:2] / sha256

    def has(self, sha256: str) -> bool:
        return self.path_of(sha256).is_file()

    async def put(self, source: Readable) -> StoredFile:
        """Stream ``source`` into the store, hashing as it goes; 413 beyond ``max_bytes``, 422 when empty."""
        self.root.mkdir(parents=True, exist_ok=True)
        digest, size = hashlib.sha256(), 0
        fd, temp_name = tempfile.mkstemp(dir=self.root, prefix=f".upload-{uuid.uuid4().hex}-")
        temp = Path(temp_name)
        try:
            with os.fdopen(fd, "wb") as out:
                while chunk := await source.read(CHUNK):
                    size += len(chunk)
                    if size > self.max_bytes:
                        raise Problem(
                            413, f"文件过大 The file exceeds {self.max_bytes} bytes", slug="document-too-large"
                        )
                    digest.update(chunk)
                    await asyncio.to_thread(out.write, chunk)
            if size == 0:
                raise Problem(422, "文件为空 The file is empty", slug="document-empty")
            stored = StoredFile(sha256=digest.hexdigest(), size=size)
            target = self.path_of(stored.sha256)
            target.parent.mkdir(parents=True, exist_ok=True)
            os.replace(temp, target)
            return stored
        finally:
            await asyncio.to_thread(temp.unlink, missing_ok=True)
