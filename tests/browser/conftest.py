import os

# Playwright's sync API keeps an asyncio loop running in the test thread; Django would
# then refuse database calls made by the test itself (the live server runs in its own
# thread and is unaffected). This is the documented way to combine the two.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")


import socket
import threading
import time

import pytest


@pytest.fixture(scope="session")
def django_db_modify_db_settings(django_db_modify_db_settings_parallel_suffix, tmp_path_factory):
    """On SQLite the browser tests use a test database in a file, not in memory: the ASGI
    server below answers from threads of its own, each with its own connection, and
    those must all see one database."""
    from django.conf import settings

    database = settings.DATABASES["default"]
    if database["ENGINE"].endswith("sqlite3"):
        folder = tmp_path_factory.mktemp("browser-db")
        database.setdefault("TEST", {})["NAME"] = str(folder / "test.sqlite3")


@pytest.fixture
def asgi_server(transactional_db):
    """The real ASGI application (HTTP and the messenger's WebSocket) served by uvicorn
    on a free port, in a thread of this process: Django's live_server speaks only HTTP."""
    import uvicorn

    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    port = listener.getsockname()[1]
    config = uvicorn.Config(
        "evillage.asgi:application", lifespan="off", log_level="warning", ws="websockets-sansio"
    )
    server = uvicorn.Server(config)
    thread = threading.Thread(target=server.run, kwargs={"sockets": [listener]}, daemon=True)
    thread.start()
    deadline = time.monotonic() + 10
    while not server.started:
        if time.monotonic() > deadline:
            raise RuntimeError("uvicorn did not start")
        time.sleep(0.05)
    yield f"http://127.0.0.1:{port}"
    server.should_exit = True
    thread.join(timeout=5)
    listener.close()
