"""The Redis channel layer of the project: channels-redis' layer with four changes.

- One reader per process hands every event to its sockets' inboxes (`RedisChannelLayer`).
- Several group sends leave in one round trip (`group_send_batch`), and a single
  one takes two round trips instead of four.
- A socket whose buffer of undelivered events overflows gets one `layer.overflow`
  event (its consumer closes it with a clear code) instead of silently losing its
  oldest events, as channels-redis' bounded queue does.
- Redis being unreachable reaches a consumer as one `layer.unavailable` event
  (its consumer closes the socket so the client reconnects later) instead of an
  exception that kills the consumer with 1011.
"""

import asyncio
import collections
import logging
import time

from channels_redis.core import RedisChannelLayer as BaseRedisChannelLayer
from redis.exceptions import RedisError

logger = logging.getLogger(__name__)

OVERFLOW = {"type": "layer.overflow"}
UNAVAILABLE = {"type": "layer.unavailable"}

# Trims expired events and adds the new ones under each process' key, skipping any key at capacity.
# KEYS: the process keys; ARGV: one serialized event per key, then one capacity per key, then now and expiry.
_SEND_LUA = """
local count = #KEYS
local now = tonumber(ARGV[2 * count + 1])
local expiry = tonumber(ARGV[2 * count + 2])
local over_capacity = 0
for i = 1, count do
    redis.call('ZREMRANGEBYSCORE', KEYS[i], 0, now - expiry)
    if redis.call('ZCOUNT', KEYS[i], '-inf', '+inf') < tonumber(ARGV[count + i]) then
        -- a microsecond apart: events of one batch for the same process stay in the order they were sent
        redis.call('ZADD', KEYS[i], now + i / 1000000, ARGV[i])
        redis.call('EXPIRE', KEYS[i], expiry)
    else
        over_capacity = over_capacity + 1
    end
end
return over_capacity
"""


# Events the process' reader takes off its queue in one round trip at most.
RECEIVE_BATCH = 100
# How long the reader blocks on an empty queue before it looks again whether any socket is left to read for.
READER_BLOCK_SECONDS = 1


class Inbox:
    """What waits for one socket's consumer: its events from the layer and its client's messages, in order.

    At most `capacity` events wait; one more and the inbox keeps only an overflow notice and
    ignores the rest, so that its consumer closes the socket with a clear code instead of
    silently missing events.
    """

    __slots__ = ("capacity", "items", "overflowed", "waiter")

    def __init__(self, capacity: int):
        self.capacity = capacity
        self.items: collections.deque = collections.deque()
        self.overflowed = False
        self.waiter: asyncio.Future | None = None

    def put_nowait(self, event: dict) -> None:
        if self.overflowed:
            return
        if len(self.items) >= self.capacity:
            self.items.clear()
            self.overflowed = True
            event = OVERFLOW
        self.put_from_client(event)

    def put_from_client(self, message: dict) -> None:
        self.items.append(message)
        if self.waiter is not None and not self.waiter.done():
            self.waiter.set_result(None)

    def empty(self) -> bool:
        return not self.items

    async def get(self) -> dict:
        while not self.items:
            self.waiter = asyncio.get_running_loop().create_future()
            try:
                await self.waiter
            finally:
                self.waiter = None
        return self.items.popleft()


class RedisChannelLayer(BaseRedisChannelLayer):
    """channels-redis' layer, read by one task per process that hands each event to its sockets' inboxes.

    channels-redis reads from inside every consumer's `receive`: each event for a socket cost it
    two new tasks and an `asyncio.wait`, and Channels' consumer loop one more task and another
    wait. Here one reader per process pops the process' queue (up to RECEIVE_BATCH events in one
    round trip, blocking on BZPOPMIN when it is empty) and appends each event to the inbox of
    every socket it is for; a consumer (`crm.realtime.websocket.Consumer`) awaits its inbox alone.
    Once popped, an event is delivered before the reader awaits anything: nothing is lost between.
    """

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.inboxes: dict[str, Inbox] = {}
        self.reader: asyncio.Task | None = None

    async def new_channel(self, prefix="specific"):
        channel = await super().new_channel(prefix)
        self.inboxes[channel] = Inbox(self.capacity)
        return channel

    def inbox(self, channel: str) -> Inbox:
        """The inbox of a channel of this process (`new_channel`), with the process' reader running to fill it."""
        loop = asyncio.get_running_loop()
        if self.reader is None or self.reader.done() or self.reader.get_loop() is not loop:
            self.reader = loop.create_task(self._read())
        return self.inboxes.setdefault(channel, Inbox(self.capacity))

    def forget(self, channel: str) -> None:
        """The channel's consumer has ended: events still on their way to it are dropped."""
        self.inboxes.pop(channel, None)

    async def receive(self, channel):
        if "!" not in channel:
            try:
                return (await self.receive_single(channel))[1]
            except (RedisError, OSError) as error:
                logger.warning("channel layer unavailable for %s: %r", channel, error)
                return dict(UNAVAILABLE)
        inbox = self.inbox(channel)
        try:
            return await inbox.get()
        except asyncio.CancelledError:
            # A consumer ends by cancelling its receive (Channels' own loop): its inbox goes with it.
            if inbox.empty():
                self.forget(channel)
            raise

    async def _read(self) -> None:
        channel = f"specific.{self.client_prefix}!"
        key = self.prefix + channel
        connection = self.connection(self.consistent_hash(channel))
        reader = asyncio.current_task()
        try:
            # Until no socket of the process is left (the next one starts a reader again), or until cancelled:
            # redis-py's retry may take a cancellation that lands in a command for a lost connection.
            while self.inboxes and not reader.cancelling():
                popped = await connection.zpopmin(key, RECEIVE_BATCH)
                if not popped:
                    # Nothing waiting: block until an event comes, then take it with any that followed.
                    arrived = await connection.bzpopmin(key, timeout=READER_BLOCK_SECONDS)
                    popped = [arrived[1:]] if arrived else []
                for member, _score in popped:
                    self._deliver(member)
        except (RedisError, OSError) as error:
            # Every socket of the process hears of it and closes; the next socket to open starts a new reader.
            logger.warning("channel layer unavailable for the sockets of this process: %r", error)
            for inbox in self.inboxes.values():
                inbox.put_nowait(dict(UNAVAILABLE))

    def _deliver(self, member: bytes) -> None:
        message = self.deserialize(member)
        targets = message.pop("__asgi_channel__", None)
        # One message object for all the sockets of the process it is for (Consumer.forward encodes it once).
        for target in targets if isinstance(targets, list) else [targets]:
            inbox = self.inboxes.get(target)
            if inbox is not None:
                inbox.put_nowait(message)

    async def close_pools(self):
        if self.reader is not None:
            self.reader.cancel()
            self.reader = None
        await super().close_pools()

    async def group_send(self, group, message):
        await self.group_send_batch([(group, message)])

    async def group_send_batch(self, sends: list[tuple[str, dict]]) -> None:
        """`group_send` of each (group, message): one round trip to read the groups, one to store the events."""
        by_index = collections.defaultdict(list)
        for position, (group, _message) in enumerate(sends):
            assert self.require_valid_group_name(group), "Group name not valid"
            by_index[self.consistent_hash(group)].append(position)
        members: dict[int, list[str]] = {}
        oldest = time.time() - self.group_expiry
        for index, positions in by_index.items():
            pipe = self.connection(index).pipeline(transaction=False)
            for position in positions:
                key = self._group_key(sends[position][0])
                pipe.zremrangebyscore(key, min=0, max=oldest)
                pipe.zrange(key, 0, -1)
            replies = await pipe.execute()
            for offset, position in enumerate(positions):
                members[position] = [name.decode() for name in replies[2 * offset + 1]]

        keys_by_index = collections.defaultdict(list)
        events_by_index = collections.defaultdict(list)
        capacities_by_index = collections.defaultdict(list)
        for position, (_group, message) in enumerate(sends):
            if not members[position]:
                continue
            keys_to_index, keys_to_event, keys_to_capacity = self._map_channel_keys_to_connection(
                members[position], message
            )
            for index, keys in keys_to_index.items():
                for key in keys:
                    keys_by_index[index].append(key)
                    events_by_index[index].append(keys_to_event[key])
                    capacities_by_index[index].append(keys_to_capacity[key])
        for index, keys in keys_by_index.items():
            over = await self.connection(index).eval(
                _SEND_LUA,
                len(keys),
                *keys,
                *events_by_index[index],
                *capacities_by_index[index],
                time.time(),
                int(self.expiry),
            )
            if over:
                logger.warning("%s of %s process queues over capacity; their events were not stored", over, len(keys))
