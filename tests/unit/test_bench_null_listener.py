"""The HJ 212 benchmark's null listener answers as the service's listener does, so its rate is a fair ceiling."""

from __future__ import annotations

import asyncio

import pytest

from bench.hj212 import NullListener, packet
from services.monitoring.domain import hj212

pytestmark = pytest.mark.unit


async def test_the_null_listener_answers_every_packet_with_the_services_cn_9014() -> None:
    server = await asyncio.get_running_loop().create_server(NullListener, "127.0.0.1", 0)
    port = server.sockets[0].getsockname()[1]
    try:
        reader, writer = await asyncio.open_connection("127.0.0.1", port)
        sent = [packet(7, hour) for hour in range(3)]
        writer.write(sent[0][:20])  # a packet split across reads, then two in one write
        await writer.drain()
        writer.write(sent[0][20:] + sent[1] + sent[2])
        answers = [await asyncio.wait_for(reader.readuntil(hj212.TRAILER), 5) for _ in sent]
        writer.close()
    finally:
        server.close()
        await server.wait_closed()
    assert answers == [hj212.build(hj212.data_response(hj212.parse(raw))) for raw in sent]
    assert all(hj212.parse(answer).cn == "9014" for answer in answers)
