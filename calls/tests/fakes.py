"""Fakes of Binotel on loopback: the REST API (pytest-httpserver) and the WebSocket stream (websockets' server)."""

import asyncio
import json

from werkzeug import Request, Response

from calls.tests import samples

API_KEY, API_SECRET = "api-key", "api-secret"
WS_KEY, WS_SECRET = "ws-key", "ws-secret"
LIST_PATH = "/api/4.0/stats/list-of-calls-for-period.json"
RECORD_PATH = "/api/4.0/stats/call-record.json"


class FakeRest:
    """`stats/list-of-calls-for-period` over a set of call records, answering like Binotel."""

    def __init__(self, httpserver, records=(), *, as_list: bool = False, rate_limited: int = 0):
        self.records = list(records)
        self.as_list = as_list
        self.rate_limited = rate_limited
        self.periods: list[tuple[int, int]] = []
        httpserver.expect_request(LIST_PATH, method="POST").respond_with_handler(self.list_of_calls)
        self.base_url = httpserver.url_for("/api/4.0/")

    def list_of_calls(self, request: Request) -> Response:
        body = json.loads(request.get_data())
        if (body.get("key"), body.get("secret")) != (API_KEY, API_SECRET):
            return _json({"status": "error", "code": 104, "message": "Wrong data"})
        if self.rate_limited:
            self.rate_limited -= 1
            return _json(samples.load("rest_error.response.GUESS.json"))
        start, stop = int(body["startTime"]), int(body["stopTime"])
        self.periods.append((start, stop))
        if stop - start > 24 * 3600:
            return _json({"status": "error", "code": 104, "message": "Period is too long"})
        found = [r for r in self.records if start <= int(r["startTime"]) <= stop]
        details = found if self.as_list else {r["generalCallID"]: r for r in found}
        return _json({"status": "success", "callDetails": details})


def _json(payload) -> Response:
    return Response(json.dumps(payload), content_type="application/json")


class FakeStream:
    """Binotel's WebSocket: greets, checks `authLikeService`, then plays one script per connection.

    A script is a list of frames (dicts are sent as JSON, strings as they are); after the
    last frame the connection stays open, unless the script ends with DROP.
    """

    DROP = object()

    def __init__(self, scripts):
        self.scripts = list(scripts)
        self.auth_messages: list[dict] = []
        self.connections = 0
        self.server = None
        self.all_played = asyncio.Event()

    async def __aenter__(self):
        from websockets.asyncio.server import serve

        self.server = await serve(self.handler, "127.0.0.1", 0)
        port = self.server.sockets[0].getsockname()[1]
        self.url = f"ws://127.0.0.1:{port}"
        return self

    async def __aexit__(self, *exc):
        self.server.close()
        await self.server.wait_closed()

    async def handler(self, websocket):
        await websocket.send(samples.text("ws_server_greeting.txt"))
        auth = json.loads(await websocket.recv())
        self.auth_messages.append(auth)
        if (auth.get("task"), auth.get("key"), auth.get("secret")) != ("authLikeService", WS_KEY, WS_SECRET):
            await websocket.send("Bad username or password!")
            await websocket.close()
            return
        await websocket.send("You are logged in!")
        script = self.scripts[self.connections] if self.connections < len(self.scripts) else []
        self.connections += 1
        for frame in script:
            if frame is self.DROP:
                websocket.transport.abort()  # no closing handshake: the connection just dies
                return
            await websocket.send(frame if isinstance(frame, str) else json.dumps(frame))
        if self.connections >= len(self.scripts):
            self.all_played.set()
        await websocket.wait_closed()
