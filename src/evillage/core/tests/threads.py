"""Running jobs at the same moment in real threads (the PostgreSQL concurrency tests)."""

import threading

from django.db import connection

from evillage.core.errors import DomainError


def run_together(jobs: list) -> list:
    """Run each job (a no-argument callable) in its own thread, all released at once.

    Each outcome is the job's result, a DomainError's code, or the repr of anything else
    (a deadlock or an IntegrityError is exactly what these tests look for).
    """
    start = threading.Barrier(len(jobs))
    outcomes: list = [None] * len(jobs)

    def work(index, job):
        try:
            start.wait()
            outcomes[index] = job()
        except DomainError as exc:
            outcomes[index] = exc.code
        except Exception as exc:
            outcomes[index] = repr(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=work, args=pair) for pair in enumerate(jobs)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert not any(t.is_alive() for t in threads), "a thread is stuck"
    return outcomes
