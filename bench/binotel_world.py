"""The world outside the Binotel listener, for `test_calls_listener.py`: in a process of its own.

Nothing here imports Django, so a spawned process starts without the project's settings.
"""

import asyncio
import json
import time

import websockets
from websockets.asyncio.server import serve

TICK = 0.01  # seconds between the bursts of a paced plan


def outside_world(greeting: str, panel_url: str, ports, plans, reports) -> None:
    """Binotel and the panel's browser, in a process of their own (spawned): a fake Binotel server
    that greets, takes the auth message and sends each plan's frames paced at its rate, and the
    admin's `/ws/calls/` socket, stamping when each call's first push arrives. Both stamp with
    CLOCK_MONOTONIC, which the listener's process shares."""
    asyncio.run(_outside_world(greeting, panel_url, ports, plans, reports))


async def _outside_world(greeting, panel_url, ports, plans, reports) -> None:
    sent_at: dict[str, float] = {}
    arrived: dict[str, float] = {}
    finished = asyncio.Event()

    async def binotel(websocket):
        await websocket.send(greeting)
        await websocket.recv()
        await websocket.send("You are logged in!")
        while True:
            plan = await asyncio.to_thread(plans.get)
            if plan is None:  # the run is over: end the connection so the server can close
                finished.set()
                return
            rate, frames = plan
            started, index = time.monotonic(), 0
            while index < len(frames):
                due = int((time.monotonic() - started) * rate) + 1
                for frame in frames[index : min(due, len(frames))]:
                    if frame["eventName"] == "callStart":
                        sent_at[frame["generalCallID"]] = time.monotonic()
                    await websocket.send(json.dumps(frame))
                index = max(index, min(due, len(frames)))
                await asyncio.sleep(TICK)
            reports.put(("sent", time.monotonic() - started))

    async def panel():
        async with websockets.connect(panel_url, origin="http://127.0.0.1") as socket:
            async for message in socket:
                event = json.loads(message)
                call_id = event.get("call", {}).get("binotel_id")
                if event.get("type") == "call.updated" and call_id and call_id not in arrived:
                    arrived[call_id] = time.monotonic()

    async with serve(binotel, "127.0.0.1", 0) as server:
        reader = asyncio.create_task(panel())
        ports.put(server.sockets[0].getsockname()[1])
        await finished.wait()
        await asyncio.sleep(0.5)  # the last pushes
        reader.cancel()
    reports.put(("times", sent_at, arrived))
