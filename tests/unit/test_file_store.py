"""The one content-addressed file store behind cases' evidence and referral's documents."""

from __future__ import annotations

import hashlib
from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from shared.file_store import ContentStore
from shared.problems import Problem


async def chunks(*parts: bytes) -> AsyncIterator[bytes]:
    for part in parts:
        yield part


def leftovers(root: Path) -> list[Path]:
    return [p for p in root.rglob("*") if p.is_file()]


async def test_same_content_is_stored_once_under_its_sha256(tmp_path: Path) -> None:
    store = ContentStore(tmp_path, max_bytes=100)
    first = await store.put_stream(chunks(b"abc", b"def"))
    again = await store.put_stream(chunks(b"abcdef"))
    sha = hashlib.sha256(b"abcdef").hexdigest()
    assert first == again
    assert (first.sha256, first.size) == (sha, 6)
    assert leftovers(tmp_path) == [tmp_path / sha[:2] / sha]
    assert store.has(sha)
    assert store.rehash(sha) == sha


async def test_too_large_and_empty_are_refused_leaving_nothing(tmp_path: Path) -> None:
    store = ContentStore(tmp_path, max_bytes=5)
    with pytest.raises(Problem) as too_large:
        await store.put_stream(chunks(b"abc", b"def"))
    with pytest.raises(Problem) as empty:
        await store.put_stream(chunks())
    assert (too_large.value.status, empty.value.status) == (413, 422)
    assert leftovers(tmp_path) == []


async def test_rehash_tells_altered_and_missing_files(tmp_path: Path) -> None:
    store = ContentStore(tmp_path, max_bytes=100)
    stored = await store.put_stream(chunks(b"original"))
    store.path_of(stored.sha256).write_bytes(b"changed")
    assert store.rehash(stored.sha256) == hashlib.sha256(b"changed").hexdigest()
    assert store.rehash("0" * 64) is None


@pytest.mark.parametrize("name", ["../../etc/passwd", "A" * 64, "0" * 63])
def test_only_sha256_digests_name_a_file(tmp_path: Path, name: str) -> None:
    with pytest.raises(ValueError):
        ContentStore(tmp_path, max_bytes=1).path_of(name)
