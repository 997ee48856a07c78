"""The client side of benchmarks/messaging.py: many WebSocket clients of the messenger in one
asyncio loop, and the same load over bare Redis publish/subscribe (the ceiling).

Both load shapes are the same for the app and for bare Redis:

- paced (open loop), at R messages per second in total: conversation i sends message n
  at start + (n + i / C) * C / R, whatever happened before, alternately from the buyer
  (n even) and the shop's staff (n odd);
- saturating (closed loop): each conversation sends its next message as soon as the
  previous one reached the other side: C messages in flight, the throughput is what the
  server gives.

Latency is from just before the send to the receipt of the "message" event by the other
side's connection, on the one monotonic clock of this process.
"""

import asyncio
import contextlib
import gc
import json
import time
from collections import Counter
from dataclasses import dataclass, field

from websockets.asyncio.client import ClientConnection, connect
from websockets.exceptions import ConnectionClosed

# A message's text: "bench <phase> <conversation index> <n> <perf_counter_ns at send>".
PREFIX = "bench"


class GcPauses:
    """This (client) process's own garbage-collection pauses over 10 ms: a pause here
    delays every receipt timestamp, so it shows as latency that is not the server's."""

    def __init__(self):
        self.pauses_ms: list[float] = []
        self._started = 0

    def __call__(self, phase: str, info: dict) -> None:
        if phase == "start":
            self._started = time.perf_counter_ns()
        else:
            ms = (time.perf_counter_ns() - self._started) / 1e6
            if ms > 10:
                self.pauses_ms.append(round(ms, 1))

    def __enter__(self):
        gc.callbacks.append(self)
        return self

    def __exit__(self, *exc) -> None:
        gc.callbacks.remove(self)


def percentiles(samples_ms: list[float]) -> dict:
    if not samples_ms:
        return {"n": 0}
    ordered = sorted(samples_ms)

    def at(q: float) -> float:
        return round(ordered[min(len(ordered) - 1, int(q * len(ordered)))], 2)

    return {
        "n": len(ordered),
        "p50_ms": at(0.50),
        "p90_ms": at(0.90),
        "p99_ms": at(0.99),
        "max_ms": round(ordered[-1], 2),
        "mean_ms": round(sum(ordered) / len(ordered), 2),
    }


@dataclass
class Tally:
    """What one load phase saw: receipts per message and side, latencies, errors."""

    phase: str
    conversations: int
    sent_at: dict = field(default_factory=dict)  # (conv, n) -> perf_counter_ns
    receipts: Counter = field(default_factory=Counter)  # (conv, n, "buyer"/"staff") -> count
    latency_ms: list = field(default_factory=list)  # at the other side
    latency_at: list = field(default_factory=list)  # (sent_at, ms)
    echo_ms: list = field(default_factory=list)  # at the sender's own connection
    ack_ms: list = field(default_factory=list)  # "sent" answer to the sender
    idle_received: int = 0
    errors: Counter = field(default_factory=Counter)
    waiters: dict = field(default_factory=dict)  # (conv, n) -> Future, closed loop only
    first_send: int = 0
    last_delivery: int = 0
    closed: set = field(default_factory=set)  # (conv, side) whose connection the server closed

    def expected_done(self) -> bool:
        """Every message sent has reached both sides (but those closed meanwhile)."""
        return all(
            self.receipts[(c, n, side)] >= 1
            for c, n in self.sent_at
            for side in SIDES
            if (c, side) not in self.closed
        )

    def by_fifth(self) -> list:
        ordered = [ms for _, ms in sorted(self.latency_at)]
        size = max(1, len(ordered) // 5)
        chunks = [ordered[i : i + size] for i in range(0, size * 5, size)]
        return [percentiles(chunk).get("p50_ms") for chunk in chunks if chunk]

    def record(self, conv: int, n: int, role: str, ms: float) -> None:
        """One receipt of message n of conversation conv by the `role` side."""
        self.receipts[(conv, n, role)] += 1
        if role == _sender_side(n):
            self.echo_ms.append(ms)
        elif self.receipts[(conv, n, role)] == 1:
            self.latency_ms.append(ms)
            self.latency_at.append((self.sent_at.get((conv, n), 0), ms))
            waiter = self.waiters.pop((conv, n), None)
            if waiter is not None and not waiter.done():
                waiter.set_result(None)

    def summary(self) -> dict:
        sent = len(self.sent_at)
        delivered = missing = duplicates = 0
        for conv, n in self.sent_at:
            for side in SIDES:
                got = self.receipts[(conv, n, side)]
                delivered += min(got, 1)
                missing += got == 0
                duplicates += max(0, got - 1)
        elapsed = (self.last_delivery - self.first_send) / 1e9 if sent else 0
        return {
            "messages_sent": sent,
            "deliveries_expected": 2 * sent,
            "deliveries": delivered,
            "missing": missing,
            "duplicates": duplicates,
            "idle_received": self.idle_received,
            "errors": dict(self.errors),
            "seconds": round(elapsed, 2),
            "messages_per_s": round(sent / elapsed, 1) if elapsed else None,
            "latency": percentiles(self.latency_ms),
            # p50 of each fifth of the phase, in send order: a queue that grows shows here.
            "p50_by_fifth_ms": self.by_fifth(),
            "echo_to_sender": percentiles(self.echo_ms),
            "sent_ack": percentiles(self.ack_ms),
        }


SIDES = ("buyer", "staff")


def _other(side: str) -> str:
    return "staff" if side == "buyer" else "buyer"


def _sender_side(n: int) -> str:
    return "buyer" if n % 2 == 0 else "staff"


@dataclass
class Client:
    role: str  # "buyer", "staff" or "idle"
    conv: int  # conversation index; -1 for idle clients
    token: str
    ws: ClientConnection | None = None


class Phases:
    """The two load shapes, over whatever `_send(tally, conv, n)` sends."""

    count: int  # conversations
    closed: set  # (conv, side) of connections closed by the other end

    async def _send(self, tally: Tally, conv: int, n: int) -> None:
        raise NotImplementedError

    async def paced(self, *, rate: float, seconds: float) -> dict:
        """`rate` messages per second in total for about `seconds`, evenly spread."""
        interval = self.count / rate
        rounds = max(2, round(seconds / interval))
        tally = self.tally = Tally(f"paced{rate:g}", self.count, closed=self.closed)
        start = time.perf_counter() + 0.2

        async def conversation(conv: int) -> None:
            for n in range(rounds):
                delay = start + (n + conv / self.count) * interval - time.perf_counter()
                if delay > 0:
                    await asyncio.sleep(delay)
                await self._send(tally, conv, n)

        await asyncio.gather(*(conversation(i) for i in range(self.count)))
        sending_s = (time.perf_counter_ns() - tally.first_send) / 1e9
        await self._drain(tally, 60.0)
        figures = tally.summary()
        figures["offered_per_s"] = rate
        figures["sending_s"] = round(sending_s, 2)
        return figures

    async def saturating(self, *, rounds: int, timeout_s: float = 15.0) -> dict:
        tally = self.tally = Tally("closed", self.count, closed=self.closed)
        loop = asyncio.get_running_loop()
        stalled = Counter()

        async def conversation(conv: int) -> None:
            for n in range(rounds):
                waiter = tally.waiters[(conv, n)] = loop.create_future()
                await self._send(tally, conv, n)
                try:
                    await asyncio.wait_for(waiter, timeout_s)
                except TimeoutError:
                    stalled["timeout"] += 1
                    return

        await asyncio.gather(*(conversation(i) for i in range(self.count)))
        await self._drain(tally, 5.0)
        figures = tally.summary()
        figures["in_flight"] = self.count
        figures["stalled_conversations"] = stalled["timeout"]
        return figures

    async def _drain(self, tally: Tally, seconds: float) -> None:
        """Wait for the last deliveries (and the sender's echoes), then a little more so
        that duplicates and stray deliveries to idle clients would be seen."""
        deadline = time.perf_counter() + seconds
        while time.perf_counter() < deadline and not tally.expected_done():
            await asyncio.sleep(0.05)
        await asyncio.sleep(0.5)


async def run_phases(load: Phases, sizes: dict, log) -> dict:
    figures: dict = {"paced": {}}
    for rate in sizes["rates"]:
        with GcPauses() as pauses:
            phase = await load.paced(rate=rate, seconds=sizes["paced_s"])
        phase["client_gc_pauses_ms"] = pauses.pauses_ms
        figures["paced"][f"{rate:g}"] = phase
        _say(log, f"paced {rate:g}/s", phase)
    with GcPauses() as pauses:
        figures["saturating"] = await load.saturating(rounds=sizes["closed_rounds"])
    figures["saturating"]["client_gc_pauses_ms"] = pauses.pauses_ms
    _say(log, "saturating", figures["saturating"])
    return figures


class AppLoad(Phases):
    """All the WebSocket clients of one scenario, and the two load phases over them."""

    def __init__(self, uri: str, plan: dict, *, connect_concurrency: int = 32):
        self.uri = uri
        self.conversation_ids = [c["id"] for c in plan["conversations"]]
        self.count = len(self.conversation_ids)
        self.clients: list[Client] = []
        for i, conv in enumerate(plan["conversations"]):
            self.clients.append(Client("buyer", i, conv["buyer_token"]))
            self.clients.append(Client("staff", i, conv["staff_token"]))
        self.clients += [Client("idle", -1, token) for token in plan["idle_tokens"]]
        self.by_side = {(c.conv, c.role): c for c in self.clients if c.role != "idle"}
        self.semaphore = asyncio.Semaphore(connect_concurrency)
        self.readers: list[asyncio.Task] = []
        self.tally: Tally | None = None
        self.connect_failures: Counter = Counter()
        self.closed_early = 0
        self.closed: set = set()  # (conv, role) of connections the server closed
        self.close_codes: Counter = Counter()
        self.closing = False
        self.stray_errors: Counter = Counter()

    async def _open(self, client: Client) -> None:
        async with self.semaphore:
            try:
                client.ws = await connect(
                    self.uri,
                    additional_headers={"Authorization": f"Bearer {client.token}"},
                    open_timeout=120,
                    ping_interval=None,  # the server pings; keep the client quiet
                    max_queue=None,
                )
            except Exception as exc:  # counted and reported, the rest go on
                self.connect_failures[type(exc).__name__] += 1
                return
        self.readers.append(asyncio.create_task(self._read(client)))

    async def connect_all(self) -> dict:
        started = time.perf_counter()
        await asyncio.gather(*(self._open(c) for c in self.clients))
        seconds = time.perf_counter() - started
        connected = sum(c.ws is not None for c in self.clients)
        return {
            "clients": len(self.clients),
            "connected": connected,
            "failures": dict(self.connect_failures),
            "seconds": round(seconds, 2),
            "per_s": round(connected / seconds, 1) if seconds else None,
        }

    async def _read(self, client: Client) -> None:
        ws = client.ws
        try:
            async for raw in ws:
                now = time.perf_counter_ns()
                self._on_event(client, json.loads(raw), now)
        except ConnectionClosed:
            pass
        if not self.closing:
            self.closed_early += 1
            self.closed.add((client.conv, client.role))
            code = ws.close_rcvd.code if ws.close_rcvd else None
            self.close_codes[f"{client.role}:{code}"] += 1

    def _on_event(self, client: Client, event: dict, now: int) -> None:
        tally = self.tally
        kind = event.get("type")
        if kind == "message":
            if client.role == "idle":
                if tally:
                    tally.idle_received += 1
                return
            parts = str(event.get("text", "")).split()
            if len(parts) != 5 or parts[0] != PREFIX or tally is None or parts[1] != tally.phase:
                self.stray_errors["unexpected_message"] += 1
                return
            conv, n, sent_ns = int(parts[2]), int(parts[3]), int(parts[4])
            if conv != client.conv:
                self.stray_errors["message_to_wrong_conversation"] += 1
                return
            tally.last_delivery = max(tally.last_delivery, now)
            tally.record(conv, n, client.role, (now - sent_ns) / 1e6)
        elif kind == "sent" and tally is not None:
            ref = event.get("ref") or [None, None]
            sent_ns = tally.sent_at.get(tuple(ref))
            if sent_ns:
                tally.ack_ms.append((now - sent_ns) / 1e6)
        elif kind == "error":
            target = tally.errors if tally else self.stray_errors
            target[str(event.get("code"))] += 1

    async def _send(self, tally: Tally, conv: int, n: int) -> None:
        client = self.by_side[(conv, _sender_side(n))]
        now = time.perf_counter_ns()
        tally.sent_at[(conv, n)] = now
        tally.first_send = tally.first_send or now
        text = f"{PREFIX} {tally.phase} {conv} {n} {now}"
        payload = {"type": "send", "conversation": self.conversation_ids[conv], "text": text}
        try:
            await client.ws.send(json.dumps({**payload, "ref": [conv, n]}))
        except ConnectionClosed:  # not a message sent: counted apart, not as lost
            del tally.sent_at[(conv, n)]
            tally.errors["send_on_closed_connection"] += 1

    async def close(self) -> None:
        self.closing = True
        await asyncio.gather(
            *(c.ws.close() for c in self.clients if c.ws is not None), return_exceptions=True
        )
        for task in self.readers:
            task.cancel()
        await asyncio.gather(*self.readers, return_exceptions=True)


async def run_app(uri: str, plan: dict, sizes: dict, log) -> dict:
    load = AppLoad(uri, plan)
    figures: dict = {}
    try:
        figures["connect"] = await load.connect_all()
        log(
            f"    {figures['connect']['connected']}/{figures['connect']['clients']} connected"
            f" in {figures['connect']['seconds']} s"
        )
        await asyncio.sleep(1.0)  # let the staff's "seen" writes of the connect settle
        figures.update(await run_phases(load, sizes, log))
        figures["closed_by_server"] = load.closed_early
        figures["close_codes"] = dict(load.close_codes)
        figures["stray"] = dict(load.stray_errors)
    finally:
        await load.close()
    return figures


def _say(log, label: str, phase: dict) -> None:
    lat = phase["latency"]
    log(
        f"    {label}: {phase['messages_sent']} sent, {phase['deliveries']}/"
        f"{phase['deliveries_expected']} delivered, {phase['messages_per_s']} msg/s,"
        f" p50 {lat.get('p50_ms')} ms, p99 {lat.get('p99_ms')} ms, max {lat.get('max_ms')} ms,"
        f" idle got {phase['idle_received']}, errors {phase['errors'] or 0},"
        f" client GC pauses {phase.get('client_gc_pauses_ms') or 'none'}"
    )


# --- the ceiling: the same load over bare Redis publish/subscribe -----------------------


class RedisLoad(Phases):
    """One subscriber connection per client (as one WebSocket per client): the buyer and
    the staff of conversation i subscribe to its channel, each idle client to a channel of
    its own that nobody publishes to. One publisher connection sends for everybody, then
    the other side's subscriber measures the round trip."""

    def __init__(self, url: str, *, conversations: int, idle: int, tag: str):
        self.url = url
        self.count = conversations
        self.idle = idle
        self.tag = tag
        self.tasks: list[asyncio.Task] = []
        self.pubsubs = []
        self.closed: set = set()
        self.tally: Tally | None = None

    def channel(self, conv: int) -> str:
        # Pub/sub channels are global to the Redis server (not per db): a unique prefix.
        return f"evbench:{self.tag}:{conv}"

    async def setup(self) -> dict:
        import redis.asyncio as redis

        self.publisher = redis.Redis.from_url(self.url)
        self.subscribers = redis.Redis.from_url(self.url, max_connections=100_000)
        started = time.perf_counter()
        for conv in range(self.count):
            for role in SIDES:
                await self._subscribe(self.channel(conv), role, conv)
        for i in range(self.idle):
            await self._subscribe(f"evbench:{self.tag}:idle:{i}", "idle", -1)
        return {
            "subscribers": 2 * self.count + self.idle,
            "seconds": round(time.perf_counter() - started, 2),
        }

    async def _subscribe(self, channel: str, role: str, conv: int) -> None:
        pubsub = self.subscribers.pubsub()
        await pubsub.subscribe(channel)
        self.pubsubs.append(pubsub)
        self.tasks.append(asyncio.create_task(self._read(pubsub, role, conv)))

    async def _read(self, pubsub, role: str, conv: int) -> None:
        while True:
            message = await pubsub.get_message(ignore_subscribe_messages=True, timeout=None)
            if message is None:
                continue
            now = time.perf_counter_ns()
            tally = self.tally
            if role == "idle":
                if tally:
                    tally.idle_received += 1
                continue
            event = json.loads(message["data"])
            parts = event["text"].split()
            if tally is None or parts[1] != tally.phase:
                continue
            c, n, sent_ns = int(parts[2]), int(parts[3]), int(parts[4])
            tally.last_delivery = max(tally.last_delivery, now)
            tally.record(c, n, role, (now - sent_ns) / 1e6)

    async def _send(self, tally: Tally, conv: int, n: int) -> None:
        now = time.perf_counter_ns()
        tally.sent_at[(conv, n)] = now
        tally.first_send = tally.first_send or now
        # About the size of the app's "message" event.
        event = {
            "type": "message",
            "conversation": f"c{conv:021d}",
            "shop": "bench shop",
            "buyer": "bench buyer",
            "id": f"m{n:021d}",
            "seq": n,
            "side": _sender_side(n),
            "kind": "text",
            "text": f"{PREFIX} {tally.phase} {conv} {n} {now}",
            "image": "",
            "auto_reply": False,
            "sender": "bench",
            "at": "2026-01-01T00:00:00+00:00",
            "at_label": "2026-01-01 08:00",
        }
        await self.publisher.publish(self.channel(conv), json.dumps(event))

    async def close(self) -> None:
        for task in self.tasks:
            task.cancel()
        await asyncio.gather(*self.tasks, return_exceptions=True)
        for pubsub in self.pubsubs:
            with contextlib.suppress(Exception):
                await pubsub.aclose()
        await self.publisher.aclose()
        await self.subscribers.aclose()


async def run_bare_redis(url: str, sizes: dict, log, *, tag: str) -> dict:
    load = RedisLoad(url, conversations=sizes["conversations"], idle=sizes["idle"], tag=tag)
    figures: dict = {}
    try:
        figures["connect"] = await load.setup()
        log(f"    {figures['connect']['subscribers']} subscribers")
        figures.update(await run_phases(load, sizes, log))
    finally:
        await load.close()
    return figures
