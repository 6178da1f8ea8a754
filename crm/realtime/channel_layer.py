"""The Redis channel layer of the project: channels-redis' layer with three changes.

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
import functools
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


# Puts back what a receive popped but never delivered (it was cancelled), then pops up to ARGV[1]
# events at once, keeping a copy in the backup key until they are delivered.
# KEYS: the process key, its backup key.
_RECEIVE_MANY_LUA = """
local backed_up = redis.call('ZRANGE', KEYS[2], 0, -1, 'WITHSCORES')
for i = #backed_up, 1, -2 do
    redis.call('ZADD', KEYS[1], backed_up[i], backed_up[i - 1])
end
redis.call('DEL', KEYS[2])
local popped = redis.call('ZPOPMIN', KEYS[1], ARGV[1])
for i = 1, #popped, 2 do
    redis.call('ZADD', KEYS[2], popped[i + 1], popped[i])
end
return popped
"""
# Events one receive takes off a process' queue at most.
RECEIVE_BATCH = 100


class OverflowQueue(asyncio.Queue):
    """A socket's undelivered events; when full, it keeps only an overflow notice and ignores the rest."""

    overflowed = False

    def put_nowait(self, item):
        if self.overflowed:
            return
        if self.full():
            while not self.empty():
                self.get_nowait()
            self.overflowed = True
            item = OVERFLOW
        super().put_nowait(item)


class RedisChannelLayer(BaseRedisChannelLayer):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.receive_buffer = collections.defaultdict(functools.partial(OverflowQueue, self.capacity))

    async def receive(self, channel):
        try:
            return await super().receive(channel)
        except (RedisError, OSError) as error:
            logger.warning("channel layer unavailable for %s: %r", channel, error)
            return dict(UNAVAILABLE)

    async def receive_single(self, channel):
        """The events waiting for this process, up to RECEIVE_BATCH of them in one round trip.

        channels-redis pops one event per round trip, with three more to keep and drop its backup
        copy: a socket that hears a thousand events a second kept the process' one receive loop
        busy with four thousand round trips. All but the last event go to their sockets' buffers
        here, in order; the last is returned, for `receive` to deliver after them.
        """
        if "!" not in channel:
            return await super().receive_single(channel)
        index = self.consistent_hash(channel)
        key = self.prefix + channel
        backup = self._backup_channel_name(key)
        connection = self.connection(index)
        await self.receive_clean_locks.acquire(key)
        try:
            while True:
                popped = await connection.eval(_RECEIVE_MANY_LUA, 2, key, backup, RECEIVE_BATCH)
                if popped:
                    break
                # Nothing waiting: block until an event comes, put it back, and take it with any others.
                arrived = await connection.bzpopmin(key, timeout=self.brpop_timeout)
                if arrived is not None:
                    _key, member, score = arrived
                    await connection.zadd(key, {member: float(score)})
            members = popped[0::2]
            cleaner = asyncio.ensure_future(connection.zrem(backup, *members))
            self.receive_cleaners.append(cleaner)

            def cleaned(task):
                self.receive_cleaners.remove(task)
                self.receive_clean_locks.release(key)

            cleaner.add_done_callback(cleaned)
        except BaseException:
            self.receive_clean_locks.release(key)
            raise
        events = [self._unpack(member, channel) for member in members]
        for targets, message in events[:-1]:
            for target in targets if isinstance(targets, list) else [targets]:
                self.receive_buffer[target].put_nowait(message)
        return events[-1]

    def _unpack(self, member, channel):
        message = self.deserialize(member)
        return message.pop("__asgi_channel__", channel), message

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
