"""Create (once) and use the peer's own virtual environment under var/bench/."""

import json
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
DEFAULT_VENV = ROOT / "var" / "bench" / "oscar-venv"
HARNESS = Path(__file__).resolve().parent / "harness.py"
REQUIREMENTS = ("django-oscar==4.2.1", "Django==5.2.19", "psycopg[binary]==3.3.9")
# Written after a successful install: a venv without it (an interrupted install) is rebuilt.
READY = ".bench-ready"


def _log(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


def _run(*command: str) -> None:
    subprocess.run(command, check=True)  # noqa: S603 - our interpreters, fixed arguments


def ensure_venv(venv: Path = DEFAULT_VENV) -> tuple[Path, bool]:
    """The peer's python, and whether the venv had to be created (slow, once per machine)."""
    python = venv / "bin" / "python"
    marker = venv / READY
    wanted = "\n".join(REQUIREMENTS)
    if python.exists() and marker.exists() and marker.read_text() == wanted:
        return python, False
    _log(f"creating the django-oscar venv in {venv} (once; about a minute)")
    started = time.monotonic()
    _run(sys.executable, "-m", "venv", "--clear", str(venv))
    _run(str(python), "-m", "pip", "install", "--quiet", "--upgrade", "pip")
    _run(str(python), "-m", "pip", "install", "--quiet", *REQUIREMENTS)
    marker.write_text(wanted)
    _log(f"  venv ready in {time.monotonic() - started:.0f} s")
    return python, True


def run_harness(python: Path, args: list[str], timeout: float = 1800) -> dict:
    """Run the harness under the peer's python; its last stdout line is a JSON object."""
    done = subprocess.run(  # noqa: S603 - the peer's interpreter, our own harness
        [str(python), str(HARNESS), *args],
        stdout=subprocess.PIPE,
        text=True,
        timeout=timeout,
        check=True,
    )
    lines = done.stdout.strip().splitlines()
    if not lines:
        raise RuntimeError("the oscar harness printed nothing")
    return json.loads(lines[-1])
