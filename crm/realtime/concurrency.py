"""At most so many HTTP requests of one server process run at once; the others wait in its event loop.

Under ASGI, Django runs each HTTP request's work in a thread of its own, with a database connection of
its own. Unbounded, a hundred staff on two processes opened a hundred connections and PostgreSQL
refused the rest ("too many clients", answered 500; bench/README.md, the load run). A waiting
request costs a place in the queue, not a connection. Keep processes times HTTP_CONCURRENCY, plus one
connection per process for the sockets, under PostgreSQL's max_connections.
"""

import asyncio
import weakref


class HttpConcurrencyLimit:
    def __init__(self, app, limit: int):
        self.app, self.limit = app, limit
        self._semaphores: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()

    async def __call__(self, scope, receive, send):
        if self.limit <= 0:
            return await self.app(scope, receive, send)
        loop = asyncio.get_running_loop()
        semaphore = self._semaphores.get(loop)
        if semaphore is None:
            semaphore = self._semaphores[loop] = asyncio.Semaphore(self.limit)
        async with semaphore:
            return await self.app(scope, receive, send)
