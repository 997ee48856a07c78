#!/usr/bin/env python3
"""Benchmark: the messenger's delivery latency with 1,000 connected WebSocket clients.

For each database (a temporary SQLite file; PostgreSQL, database evillage_bench_msg made
and dropped here) the script migrates a fresh database (`evillage migrate`) and seeds, in
a child process with the ORM and `api_token_create`: C shops with one staff member each
(the owner), C buyers, C conversations (buyer i with shop i), I idle buyers, and an API
token for every user. Then, for each scenario (channel layer: in-memory, channels_redis
core or channels_redis pubsub; uvicorn worker processes; CONN_MAX_AGE) it starts
`uvicorn evillage.asgi:application` on a free loopback port (DEBUG off, rate limits
raised through the MESSENGER_* variables), this process opens the 2C + I WebSocket
connections to /ws/messenger/ (`Authorization: Bearer <token>`), and runs:

- paced (open loop), at each rate R (messages/s in total): conversation i sends message
  n at (n + i / C) * C / R seconds, the buyer for even n and the staff member for odd n,
  whatever happened before, for about 15 s per rate;
- saturating (closed loop): each conversation sends its next message once the previous
  one reached the other side: C messages in flight, the throughput is the server's.

Latency is from just before the client's send to the other side's receipt of the
"message" event (one process, one monotonic clock). Every message must arrive exactly
once at the buyer's connection and once at the staff member's (the sender's own
connection receives it too: its echo); idle clients must receive nothing; the server's
log is searched for tracebacks.

The ceiling: the same loads over bare Redis publish/subscribe (redis-py asyncio), 2C + I
subscriber connections (two per conversation channel, idle ones on channels nobody
publishes to), one publisher connection. Ratio: our p99 over the bare p99 at each rate.

Client, server, Redis and the database share the machine's CPUs; the load average at
the start and end is in the output. Progress goes to stderr; the last stdout line is
one JSON object. `--profile DIR` samples the server with py-spy (not a dependency: on
PATH or in $PY_SPY) into collapsed stacks.

    .venv/bin/python benchmarks/messaging.py            # full, about 30 minutes
    .venv/bin/python benchmarks/messaging.py --quick    # 200 clients, SQLite, under 60 s
    .venv/bin/python benchmarks/messaging.py --database-url sqlite --scenarios redis/2/60
"""

import argparse
import asyncio
import json
import os
import platform
import re
import resource
import shutil
import signal
import socket
import sqlite3
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from collections import Counter
from datetime import UTC, datetime
from importlib.metadata import version
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

from import_places import cpu_model
from messaging_clients import run_app, run_bare_redis

ROOT = Path(__file__).resolve().parent.parent
VENV_BIN = Path(sys.executable).parent
DEFAULT_PG_URL = "postgres://postgres@127.0.0.1:5432/evillage_bench_msg"
DEFAULT_REDIS_URL = "redis://127.0.0.1:6379/7"
LAYERS = {
    "memory": "channels.layers.InMemoryChannelLayer",
    "redis": "channels_redis.core.RedisChannelLayer",
    "redis-pubsub": "channels_redis.pubsub.RedisPubSubChannelLayer",
}
SIZES = {
    "quick": {
        "conversations": 50,
        "idle": 100,
        "rates": [20],
        "paced_s": 6,
        "closed_rounds": 4,
        "scenarios": {"sqlite": ["memory/1", "redis/1"], "postgresql": ["memory/1", "redis/1"]},
        "databases": ["sqlite"],
    },
    "full": {
        "conversations": 100,
        "idle": 800,
        "rates": [10, 25, 50],
        "paced_s": 15,
        "closed_rounds": 10,
        # layer/workers[/CONN_MAX_AGE]: the shipped default (0) and connections kept.
        "scenarios": {
            "sqlite": [
                *("memory/1", "redis/1", "redis/2"),
                *("memory/1/60", "redis/1/60", "redis/2/60", "redis-pubsub/2/60"),
            ],
            "postgresql": [
                *("memory/1", "redis/2", "redis-pubsub/2"),
                *("memory/1/60", "redis/1/60", "redis/2/60"),
                *("redis-pubsub/1/60", "redis-pubsub/2/60"),
            ],
        },
        "databases": ["sqlite", DEFAULT_PG_URL],
    },
}
# High enough that no benchmark sender meets the spam limits.
SERVER_LIMITS = {
    "MESSENGER_MAX_PER_MINUTE": "100000",
    "MESSENGER_MAX_PER_HOUR": "1000000",
    "MESSENGER_NEW_CONVERSATIONS_PER_DAY": "100000",
}


def log(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


def raise_open_files() -> int:
    """Each client needs a socket here and one in the server: raise the soft limit (the
    server, started from here, inherits it)."""
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    wanted = hard if hard != resource.RLIM_INFINITY else 65536
    if soft < wanted:
        resource.setrlimit(resource.RLIMIT_NOFILE, (wanted, hard))
    return resource.getrlimit(resource.RLIMIT_NOFILE)[0]


# --- seeding (child process, Django set up on the benchmark's database) ------------------


def seed(conversations: int, idle: int) -> dict:
    import django

    django.setup()
    from django.contrib.auth.hashers import UNUSABLE_PASSWORD_PREFIX
    from django.db import connection

    from evillage.accounts.models import User
    from evillage.accounts.services.tokens import api_token_create
    from evillage.messaging.models import Conversation
    from evillage.places.models import Country, Level, Place
    from evillage.shops.models import Shop, ShopKind, ShopStaff, StaffRole

    village = None
    for level, code in (
        (Level.PROVINCE, "32"),
        (Level.CITY, "3203"),
        (Level.COUNTY, "320324"),
        (Level.TOWN, "320324100"),
        (Level.VILLAGE, "320324100200"),
    ):
        village, _ = Place.objects.get_or_create(
            country=Country.CHINA,
            code=code,
            defaults={"level": level, "name": f"bench {code}", "parent": village},
        )

    def people(kind: str, n: int) -> list:
        return User.objects.bulk_create(
            User(
                username=f"bench-msg-{kind}-{i}",
                email=f"bench-msg-{kind}-{i}@bench.example",
                display_name=f"{kind} {i}",
                password=UNUSABLE_PASSWORD_PREFIX,
            )
            for i in range(n)
        )

    staff = people("staff", conversations)
    shops = Shop.objects.bulk_create(
        Shop(
            name=f"bench messenger shop {i}",
            kind=ShopKind.INDIVIDUAL,
            village=village,
            owner=owner,
            currency="CNY",
        )
        for i, owner in enumerate(staff)
    )
    ShopStaff.objects.bulk_create(
        ShopStaff(shop=shop, user=shop.owner, role=StaffRole.OWNER) for shop in shops
    )
    buyers = people("buyer", conversations)
    idle = people("idle", idle)
    talks = Conversation.objects.bulk_create(
        Conversation(buyer=buyer, shop=shop) for buyer, shop in zip(buyers, shops, strict=True)
    )

    def token(user) -> str:
        return api_token_create(user=user, name="messenger benchmark")[1]

    plan = {
        "conversations": [
            {"id": talk.public_id, "buyer_token": token(b), "staff_token": token(s)}
            for talk, b, s in zip(talks, buyers, staff, strict=True)
        ],
        "idle_tokens": [token(user) for user in idle],
    }
    connection.close()
    return plan


# --- databases -----------------------------------------------------------------------------


def _pg_admin(url: str) -> tuple[str, str]:
    parts = urlsplit(url)
    name = parts.path.lstrip("/")
    if not re.fullmatch(r"[a-z_][a-z0-9_]*", name):
        raise SystemExit(f"unexpected database name {name!r}")
    return urlunsplit(parts._replace(path="/postgres")), name


def pg_recreate(url: str) -> None:
    import psycopg

    admin, name = _pg_admin(url)
    with psycopg.connect(admin, autocommit=True) as conn:
        conn.execute(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")
        conn.execute(f"CREATE DATABASE {name}")


def pg_drop(url: str) -> None:
    import psycopg

    admin, name = _pg_admin(url)
    with psycopg.connect(admin, autocommit=True) as conn:
        conn.execute(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")


def pg_version(url: str) -> str | None:
    import psycopg

    try:
        with psycopg.connect(_pg_admin(url)[0]) as conn:
            return conn.execute("SHOW server_version").fetchone()[0]
    except Exception:
        return None


def engine_of(url: str) -> str:
    return "sqlite" if url.startswith("sqlite") else "postgresql"


# --- the server ----------------------------------------------------------------------------


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _cpu_seconds(pid: int) -> float:
    """User + system CPU of a process and its children (uvicorn's workers)."""
    tick = os.sysconf("SC_CLK_TCK")
    total = 0.0
    pending = [pid]
    while pending:
        current = pending.pop()
        try:
            fields = Path(f"/proc/{current}/stat").read_text().rsplit(")", 1)[1].split()
            total += (int(fields[11]) + int(fields[12])) / tick
            for task in Path(f"/proc/{current}/task").iterdir():
                pending += [int(c) for c in (task / "children").read_text().split()]
        except (OSError, IndexError, ValueError):
            continue
    return total


class Server:
    def __init__(self, *, env: dict, workers: int, log_path: Path):
        self.port = free_port()
        self.log_path = log_path
        self.log_file = log_path.open("w")
        command = [str(VENV_BIN / "uvicorn"), "evillage.asgi:application"]
        command += ["--host", "127.0.0.1", "--port", str(self.port), "--workers", str(workers)]
        command += ["--ws", "websockets-sansio", "--lifespan", "off"]
        command += ["--log-level", "warning", "--no-access-log"]
        started = time.monotonic()
        # Fixed command line: this venv's uvicorn and our own arguments.
        self.process = subprocess.Popen(  # noqa: S603
            command,
            cwd=ROOT,
            env=env,
            stdout=self.log_file,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        self._wait_ready(workers)
        self.start_s = round(time.monotonic() - started, 2)

    def _wait_ready(self, workers: int) -> None:
        deadline = time.monotonic() + 90
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"server exited: {self.log_tail()}")
            try:
                urllib.request.urlopen(f"http://127.0.0.1:{self.port}/api/openapi.json", timeout=5)
                break
            except urllib.error.HTTPError:
                break  # an answer, whatever its status
            except OSError:
                time.sleep(0.3)
        else:
            raise RuntimeError("server did not answer in 90 s")
        if workers > 1:
            time.sleep(3)  # the other workers import Django too

    @property
    def uri(self) -> str:
        return f"ws://127.0.0.1:{self.port}/ws/messenger/"

    def cpu_seconds(self) -> float:
        return _cpu_seconds(self.process.pid)

    def log_tail(self, lines: int = 20) -> str:
        if not self.log_file.closed:
            self.log_file.flush()
        return "\n".join(self.log_path.read_text(errors="replace").splitlines()[-lines:])

    def problems(self) -> dict:
        """Tracebacks and error lines the server logged; the first one and the last lines."""
        if not self.log_file.closed:
            self.log_file.flush()
        lines = self.log_path.read_text(errors="replace").splitlines()
        found = {
            "tracebacks": sum("Traceback (most recent call last)" in line for line in lines),
            "error_lines": sum("ERROR" in line for line in lines),
        }
        starts = [i for i, line in enumerate(lines) if "Traceback (most recent call" in line]
        if starts:
            found["first"] = "\n".join(lines[max(0, starts[0] - 2) : starts[0] + 40])
            found["tail"] = "\n".join(lines[-12:])
            found["exceptions"] = dict(
                Counter(
                    line.split(":")[0]
                    for line in lines
                    if re.match(r"^[\w.]+(Error|Exception|Timeout)\b", line)
                )
            )
        return found

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGINT)
            try:
                self.process.wait(20)
            except subprocess.TimeoutExpired:
                os.killpg(self.process.pid, signal.SIGKILL)
                self.process.wait()
        self.log_file.close()


def start_profiler(directory: str | None, server: Server, name: str):
    """py-spy (not a project dependency: give its path) sampling the server while the
    clients run; collapsed stacks, one line per stack, to find where the time goes."""
    if not directory:
        return None
    py_spy = os.environ.get("PY_SPY") or shutil.which("py-spy")
    if not py_spy:
        log("    no py-spy on PATH (or PY_SPY): not profiling")
        return None
    out = Path(directory) / f"{name}.txt"
    out.parent.mkdir(parents=True, exist_ok=True)
    # The given profiler on our own server's pid.
    command = [py_spy, "record", "--format", "raw", "--subprocesses", "--threads"]
    command += ["--nonblocking", "--rate", "200", "-o", str(out), "-p", str(server.process.pid)]
    return subprocess.Popen(  # noqa: S603
        command,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )


def stop_profiler(profiler) -> None:
    if profiler is not None:
        profiler.send_signal(signal.SIGINT)
        try:
            profiler.wait(30)
        except subprocess.TimeoutExpired:
            profiler.kill()


def redis_info(url: str) -> dict:
    import redis

    client = redis.Redis.from_url(url)
    try:
        server = client.info("server")
        cpu = client.info("cpu")
        return {
            "version": server["redis_version"],
            "cpu_s": cpu["used_cpu_user"] + cpu["used_cpu_sys"],
        }
    finally:
        client.close()


def redis_flush(url: str) -> None:
    import redis

    client = redis.Redis.from_url(url)
    try:
        client.flushdb()  # only the benchmark's own db number
    finally:
        client.close()


def server_env(
    *,
    database_url: str,
    var_dir: Path,
    layer: str,
    redis_url: str,
    conn_max_age: int = 0,
    settings: str = "evillage.settings",
) -> dict:
    env = {
        **os.environ,
        **SERVER_LIMITS,
        "DJANGO_SETTINGS_MODULE": settings,
        "DATABASE_URL": database_url,
        "VAR_DIR": str(var_dir),
        "DEBUG": "0",
        "SECRET_KEY": "messenger-benchmark-not-secret",
        "ALLOWED_HOSTS": "127.0.0.1,localhost",
        "CONN_MAX_AGE": str(conn_max_age),
    }
    env.pop("REDIS_URL", None)
    env.pop("CHANNEL_LAYER_BACKEND", None)
    if layer != "memory":
        env["REDIS_URL"] = redis_url
        env["CHANNEL_LAYER_BACKEND"] = LAYERS[layer]
    return env


# --- one database: migrate, seed, every scenario --------------------------------------------


def run_database(database: str, sizes: dict, args) -> dict:
    work = Path(tempfile.mkdtemp(prefix="bench-messaging-"))
    database_url = f"sqlite:///{work / 'bench.sqlite3'}" if database == "sqlite" else database
    engine = engine_of(database_url)
    figures: dict = {"engine": engine, "scenarios": {}}
    try:
        if engine == "postgresql":
            pg_recreate(database_url)
        base = server_env(database_url=database_url, var_dir=work, layer="memory", redis_url="")
        started = time.monotonic()
        # This venv's own command, fixed arguments.
        subprocess.run(  # noqa: S603
            [str(VENV_BIN / "evillage"), "migrate", "--verbosity", "0"],
            cwd=ROOT,
            env=base,
            check=True,
        )
        figures["migrate_s"] = round(time.monotonic() - started, 1)
        started = time.monotonic()
        counts = {k: sizes[k] for k in ("conversations", "idle")}
        seeded = subprocess.run(  # noqa: S603
            [sys.executable, __file__, "--seed", "--sizes", json.dumps(counts)],
            cwd=ROOT,
            env=base,
            check=True,
            stdout=subprocess.PIPE,
            text=True,
        )
        plan = json.loads(seeded.stdout.strip().splitlines()[-1])
        figures["seed_s"] = round(time.monotonic() - started, 1)
        log(f"  migrated in {figures['migrate_s']} s, seeded in {figures['seed_s']} s")
        for scenario in args.scenarios or sizes["scenarios"][engine]:
            layer, workers, conn_max_age = parse_scenario(scenario, args.conn_max_age)
            key = f"{layer}/{workers}w/cma{conn_max_age}"
            log(f"  {engine}, layer {layer}, {workers} worker(s), CONN_MAX_AGE={conn_max_age}")
            figures["scenarios"][key] = run_scenario(
                layer,
                workers,
                conn_max_age,
                database_url=database_url,
                work=work,
                plan=plan,
                sizes=sizes,
                args=args,
            )
        return figures
    finally:
        if args.keep:
            log(f"  kept {work} (SQLite file, server logs) and the database")
        else:
            if engine == "postgresql":
                pg_drop(database_url)
            shutil.rmtree(work, ignore_errors=True)


def parse_scenario(text: str, conn_max_age: int) -> tuple[str, int, int]:
    """ "redis/2/60": the Redis core layer, 2 uvicorn workers, CONN_MAX_AGE=60."""
    parts = text.split("/")
    if parts[0] not in LAYERS or len(parts) not in (2, 3):
        raise SystemExit(f"scenario {text!r}: LAYER/WORKERS[/CONN_MAX_AGE], layers {list(LAYERS)}")
    return parts[0], int(parts[1]), int(parts[2]) if len(parts) == 3 else conn_max_age


def run_scenario(layer, workers, conn_max_age, *, database_url, work, plan, sizes, args) -> dict:
    if layer == "memory" and workers > 1:
        return {"status": "skipped: the in-memory layer does not cross processes"}
    if layer != "memory":
        redis_flush(args.redis_url)
    env = server_env(
        database_url=database_url,
        var_dir=work,
        layer=layer,
        redis_url=args.redis_url,
        conn_max_age=conn_max_age,
        settings=args.settings,
    )
    server = None
    try:
        name = f"{engine_of(database_url)}-{layer}-{workers}-cma{conn_max_age}"
        server = Server(env=env, workers=workers, log_path=work / f"server-{name}.log")
        profiler = start_profiler(args.profile, server, name)
        cpu_before = server.cpu_seconds()
        redis_before = redis_info(args.redis_url)["cpu_s"] if layer != "memory" else None
        figures = asyncio.run(run_app(server.uri, plan, sizes, log))
        figures["server_cpu_s"] = round(server.cpu_seconds() - cpu_before, 2)
        if redis_before is not None:
            figures["redis_cpu_s"] = round(redis_info(args.redis_url)["cpu_s"] - redis_before, 2)
        figures["server_start_s"] = server.start_s
        stop_profiler(profiler)
        server.stop()
        figures["server_log"] = server.problems()
        return {
            "status": "ok",
            "layer": LAYERS[layer],
            "workers": workers,
            "conn_max_age": conn_max_age,
            **figures,
        }
    except Exception as exc:
        log(f"    failed: {type(exc).__name__}: {exc}")
        tail = server.log_tail() if server else ""
        return {"status": f"error: {type(exc).__name__}: {exc}", "server_log_tail": tail}
    finally:
        if server is not None:
            server.stop()
        if layer != "memory":
            redis_flush(args.redis_url)


# --- the report ------------------------------------------------------------------------------


def versions(args, databases: list[str]) -> dict:
    found = {"python": platform.python_version(), "sqlite": sqlite3.sqlite_version}
    for package in ("django", "channels", "channels-redis", "redis", "websockets", "uvicorn"):
        found[package] = version(package)
    try:
        found["redis_server"] = redis_info(args.redis_url)["version"]
    except Exception:
        found["redis_server"] = None
    pg = next((d for d in databases if d != "sqlite"), None)
    if pg:
        found["postgresql"] = pg_version(pg)
    return found


def _p(phase: dict | None, key: str) -> float | None:
    return ((phase or {}).get("latency") or {}).get(key)


def summarise(results: dict, bare: dict) -> dict:
    """Per scenario and paced rate: p50, p99, the p99 over bare Redis pub/sub's at the same
    rate (Redis layers), the 100 ms target; and the saturating throughput."""
    rows = {}
    for figures in results.values():
        for key, scenario in (figures.get("scenarios") or {}).items():
            if scenario.get("status") != "ok":
                continue
            row: dict = {}
            phases = [*scenario["paced"].values(), scenario["saturating"]]
            row["lost"] = sum(phase["missing"] for phase in phases)
            row["duplicates"] = sum(phase["duplicates"] for phase in phases)
            row["idle_received"] = sum(phase["idle_received"] for phase in phases)
            row["errors"] = sum(sum(phase["errors"].values()) for phase in phases)
            for rate, phase in scenario["paced"].items():
                ours = _p(phase, "p99_ms")
                ceiling = _p((bare.get("paced") or {}).get(rate), "p99_ms")
                row[f"paced_{rate}_per_s"] = {
                    "p50_ms": _p(phase, "p50_ms"),
                    "p99_ms": ours,
                    "p99_over_bare_redis": round(ours / ceiling, 1)
                    if ours and ceiling and not key.startswith("memory")
                    else None,
                    "p99_under_100ms": ours is not None and ours < 100,
                }
            closed = scenario["saturating"]
            row["saturating"] = {
                "messages_per_s": closed["messages_per_s"],
                "p50_ms": _p(closed, "p50_ms"),
                "p99_ms": _p(closed, "p99_ms"),
            }
            rows[f"{figures['engine']}:{key}"] = row
    return rows


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--quick", action="store_true", help="200 clients, SQLite, under 60 s")
    parser.add_argument(
        "--database-url",
        action="append",
        help=f"'sqlite' or a PostgreSQL URL (made and dropped here); repeatable."
        f" Default: sqlite and {DEFAULT_PG_URL} (quick: sqlite)",
    )
    parser.add_argument("--redis-url", default=DEFAULT_REDIS_URL, help="its db is flushed")
    parser.add_argument(
        "--scenarios",
        nargs="*",
        help="LAYER/WORKERS[/CONN_MAX_AGE], e.g. memory/1 redis/2/60 redis-pubsub/1"
        " (default: by size and database)",
    )
    parser.add_argument("--conversations", type=int, help="C (default 100, quick 50)")
    parser.add_argument("--idle", type=int, help="idle clients (default 800, quick 100)")
    parser.add_argument(
        "--rates", type=float, nargs="*", help="paced loads, messages/s in total (10 25 50)"
    )
    parser.add_argument("--paced-seconds", type=float, help="length of each paced load")
    parser.add_argument("--closed-rounds", type=int, help="saturating messages per conversation")
    parser.add_argument(
        "--conn-max-age", type=int, default=0, help="CONN_MAX_AGE where a scenario names none"
    )
    parser.add_argument(
        "--settings",
        default="evillage.settings",
        help="the server's DJANGO_SETTINGS_MODULE (on PYTHONPATH), to try a settings change",
    )
    parser.add_argument("--no-bare", action="store_true", help="skip the bare Redis ceiling")
    parser.add_argument("--profile", metavar="DIR", help="py-spy the server into DIR")
    parser.add_argument("--keep", action="store_true", help="keep the databases and server logs")
    parser.add_argument("--seed", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--sizes", help=argparse.SUPPRESS)
    args = parser.parse_args()

    if args.seed:  # the seeding child of run_database
        sizes = json.loads(args.sizes)
        print(json.dumps(seed(sizes["conversations"], sizes["idle"])))
        return

    sizes = dict(SIZES["quick" if args.quick else "full"])
    for name, value in (
        ("conversations", args.conversations),
        ("idle", args.idle),
        ("rates", args.rates),
        ("paced_s", args.paced_seconds),
        ("closed_rounds", args.closed_rounds),
    ):
        if value is not None:
            sizes[name] = value
    for scenario in args.scenarios or []:
        parse_scenario(scenario, args.conn_max_age)  # refuse a typo before any work
    databases = args.database_url or sizes["databases"]
    sizes["databases"] = databases
    sizes["clients"] = 2 * sizes["conversations"] + sizes["idle"]

    open_files = raise_open_files()
    load_start = os.getloadavg()
    started = time.monotonic()
    log(
        f"messenger benchmark: {sizes['clients']} clients, {sizes['conversations']}"
        f" conversations, load average {load_start[0]:.2f} on {os.cpu_count()} CPUs"
    )
    bare: dict = {}
    if not args.no_bare:
        log("ceiling: bare Redis publish/subscribe")
        bare = asyncio.run(run_bare_redis(args.redis_url, sizes, log, tag=f"{os.getpid()}"))
    results = {}
    for database in databases:
        log(f"database {engine_of(database if database != 'sqlite' else 'sqlite')}")
        results[database if database == "sqlite" else "postgresql"] = run_database(
            database, sizes, args
        )
    load_end = os.getloadavg()
    figures = {
        "benchmark": "messaging",
        "quick": args.quick,
        "sizes": sizes,
        "bare_redis_pubsub": bare,
        "evillage": results,
        "summary": summarise(results, bare),
        "server": {
            "limits": SERVER_LIMITS,
            "uvicorn": "--ws websockets-sansio, asyncio loop, h11 (no uvloop, no httptools)",
        },
        "machine": {
            "cpus": os.cpu_count(),
            "cpu_model": cpu_model(),
            "load_average_start": [round(x, 2) for x in load_start],
            "load_average_end": [round(x, 2) for x in load_end],
            "open_files_soft_limit": open_files,
        },
        "versions": versions(args, databases),
        "seconds": round(time.monotonic() - started, 1),
        "date": datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC"),
    }
    log(f"done in {figures['seconds']} s, load average {load_end[0]:.2f}")
    for name, row in figures["summary"].items():
        log(f"  {name}: {row}")
    print(json.dumps(figures, ensure_ascii=False))


if __name__ == "__main__":
    main()
