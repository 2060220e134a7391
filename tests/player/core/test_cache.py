"""The media cache: atomic, hash-verified, resumable, pruned."""

import hashlib

import httpx
import pytest

from player.core.cache import MediaCache, MediaIncomplete, MediaRejected
from tests.support.player_factories import image_bytes, media_ref

DATA = image_bytes(64, 48, (10, 120, 200)) + bytes(range(256)) * 200  # ~50 kB to cut in pieces
REF = media_ref(DATA, 64, 48)
URL = f"http://board.test/media/{REF.sha256}"


class _BrokenStream(httpx.SyncByteStream):
    """Yields some bytes, then the connection drops."""

    def __init__(self, data: bytes) -> None:
        self.data = data

    def __iter__(self):
        yield self.data
        raise httpx.ReadError("connection reset")


def _serve(data: bytes, requests: list[httpx.Request], first_cut: int | None = None):
    def handler(request: httpx.Request) -> httpx.Response:
        requests.append(request)
        range_header = request.headers.get("Range")
        if range_header:
            start = int(range_header.removeprefix("bytes=").rstrip("-"))
            return httpx.Response(206, content=data[start:])
        if first_cut is not None and len(requests) == 1:
            return httpx.Response(200, stream=_BrokenStream(data[:first_cut]))
        return httpx.Response(200, content=data)

    return httpx.Client(transport=httpx.MockTransport(handler))


def test_download_is_verified_and_named_by_hash(tmp_path) -> None:
    cache = MediaCache(tmp_path)
    path = cache.fetch(REF, _serve(DATA, []), URL)
    assert path.name == REF.sha256 and path.read_bytes() == DATA
    assert [p.name for p in tmp_path.iterdir()] == [REF.sha256]


def test_interrupted_write_leaves_no_usable_file_and_keeps_the_partial(tmp_path) -> None:
    cache = MediaCache(tmp_path)
    with pytest.raises(httpx.ReadError):
        cache.fetch(REF, _serve(DATA, [], first_cut=1000), URL)
    assert not cache.has(REF.sha256)
    assert (tmp_path / f"{REF.sha256}.part").read_bytes() == DATA[:1000]


def test_interrupted_download_resumes_with_a_range_request(tmp_path) -> None:
    cache, requests = MediaCache(tmp_path), []
    client = _serve(DATA, requests, first_cut=1000)
    with pytest.raises(httpx.ReadError):
        cache.fetch(REF, client, URL)
    assert cache.fetch(REF, client, URL).read_bytes() == DATA
    assert requests[1].headers["Range"] == "bytes=1000-"


def test_truncated_response_is_kept_as_partial_then_completed(tmp_path) -> None:
    cache, requests = MediaCache(tmp_path), []

    def handler(request: httpx.Request) -> httpx.Response:
        requests.append(request)
        if "Range" in request.headers:
            return httpx.Response(206, content=DATA[500:])
        return httpx.Response(200, content=DATA[:500])  # the proxy cut the body short

    client = httpx.Client(transport=httpx.MockTransport(handler))
    with pytest.raises(MediaIncomplete):
        cache.fetch(REF, client, URL)
    assert not cache.has(REF.sha256)
    assert cache.fetch(REF, client, URL).read_bytes() == DATA


def test_server_ignoring_range_restarts_cleanly(tmp_path) -> None:
    cache = MediaCache(tmp_path)
    (tmp_path / f"{REF.sha256}.part").write_bytes(b"garbage")
    client = httpx.Client(transport=httpx.MockTransport(lambda r: httpx.Response(200, content=DATA)))
    assert cache.fetch(REF, client, URL).read_bytes() == DATA


@pytest.mark.parametrize("body", [DATA[:-1] + b"\x00", DATA + b"extra"], ids=["wrong hash", "too long"])
def test_wrong_content_is_rejected_and_discarded(tmp_path, body: bytes) -> None:
    cache = MediaCache(tmp_path)
    client = httpx.Client(transport=httpx.MockTransport(lambda r: httpx.Response(200, content=body)))
    with pytest.raises(MediaRejected):
        cache.fetch(REF, client, URL)
    assert list(tmp_path.iterdir()) == []


def test_damaged_cached_file_is_refused_and_deleted(tmp_path) -> None:
    cache = MediaCache(tmp_path)
    cache.path(REF.sha256).write_bytes(DATA[:-3])
    assert cache.read_verified(REF.sha256) is None
    assert not cache.has(REF.sha256)


def test_read_verified_returns_intact_bytes(tmp_path) -> None:
    cache = MediaCache(tmp_path)
    cache.path(REF.sha256).write_bytes(DATA)
    assert cache.read_verified(REF.sha256) == DATA


def test_prune_removes_what_left_the_manifest(tmp_path) -> None:
    cache = MediaCache(tmp_path)
    other = hashlib.sha256(b"old").hexdigest()
    for name in (REF.sha256, other, f"{other}.part"):
        (tmp_path / name).write_bytes(b"x")
    assert cache.prune({REF.sha256}) == 2
    assert [p.name for p in tmp_path.iterdir()] == [REF.sha256]

