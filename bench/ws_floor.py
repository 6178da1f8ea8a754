"""The bare chat fan-out that bench/realtime.py holds the CRM's socket processes to (issue 27).

Written directly on the `websockets` library's asyncio server and redis-py's asyncio client, it
does for one chat what a CRM socket process does, without Django, Channels or the database: a
member's `new_message` is pushed through Redis to every process and answered `chat.sent`; each
process writes the frame to its own sockets of the room. Every process has a Redis list of its own,
named in a Redis set: a post reads the set and pushes onto every list in one pipeline (two round
trips, as the CRM's group send), and each process reads its list in batches, encodes each event
once and writes it to its sockets. The frame is the CRM's `chat.message` (`--template`: a pushed
message as JSON, whose `id` and `text` each post replaces), so both send frames of one size.

    python bench/ws_floor.py --port 8765 --redis redis://127.0.0.1:6379/0 --template message.json
"""

import argparse
import asyncio
import contextlib
import itertools
import json
import os
import signal

import redis.asyncio as redis
from websockets.asyncio.server import broadcast, serve

# Events one read takes off a process' list at most, as crm.realtime.channel_layer takes at most.
READ_BATCH = 100
PROCESSES_KEY = "floor:processes"


class Floor:
    def __init__(self, redis_url: str, template: dict):
        self.redis = redis.Redis.from_url(redis_url, socket_timeout=15)
        self.template = template
        self.key = f"floor:process:{os.getpid()}"
        self.rooms: dict[str, set] = {}
        # Message ids unique across the processes, as the database's would be.
        self.ids = itertools.count(os.getpid() * 1_000_000)

    async def serve_socket(self, socket):
        room = self.rooms.setdefault(socket.request.path.partition("?")[0], set())
        room.add(socket)
        try:
            async for frame in socket:
                content = json.loads(frame)
                if content.get("type") == "new_message":
                    await self.post(socket, content)
        finally:
            room.discard(socket)

    async def post(self, socket, content: dict):
        message_id = next(self.ids)
        event = {"room": socket.request.path.partition("?")[0], "message": {**self.template, "id": message_id}}
        event["message"]["text"] = content["text"]
        payload = json.dumps(event)
        processes = await self.redis.smembers(PROCESSES_KEY)
        async with self.redis.pipeline(transaction=False) as pipe:
            for key in processes:
                pipe.rpush(key, payload)
            await pipe.execute()
        await socket.send(json.dumps({"type": "chat.sent", "id": message_id, "client_id": content.get("client_id")}))

    async def read(self):
        while True:
            events = await self.redis.lpop(self.key, READ_BATCH)
            if not events:
                arrived = await self.redis.blpop([self.key], timeout=5)
                if arrived is None:
                    continue
                events = [arrived[1]]
            for raw in events:
                event = json.loads(raw)
                frame = json.dumps({"type": "chat.message", "message": event["message"]})
                broadcast(self.rooms.get(event["room"], ()), frame)

    async def run(self, port: int):
        # Stopped with SIGTERM: leave the set of processes, so that no post is pushed to this one's list.
        asyncio.get_running_loop().add_signal_handler(signal.SIGTERM, asyncio.current_task().cancel)
        await self.redis.sadd(PROCESSES_KEY, self.key)
        try:
            async with serve(self.serve_socket, "127.0.0.1", port, max_queue=None):
                await self.read()
        finally:
            await self.redis.srem(PROCESSES_KEY, self.key)
            await self.redis.delete(self.key)
            await self.redis.aclose()


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--redis", required=True, help="the Redis URL every process of the floor shares")
    parser.add_argument("--template", required=True, help="a JSON file: one message as the CRM pushes it")
    parser.add_argument("--loop", choices=["uvloop", "asyncio"], default="uvloop", help="as the ASGI server's")
    args = parser.parse_args()
    with open(args.template) as template:
        floor = Floor(args.redis, json.load(template))
    if args.loop == "uvloop":
        import uvloop

        asyncio.set_event_loop_policy(uvloop.EventLoopPolicy())
    with contextlib.suppress(asyncio.CancelledError):
        asyncio.run(floor.run(args.port))


if __name__ == "__main__":
    main()
