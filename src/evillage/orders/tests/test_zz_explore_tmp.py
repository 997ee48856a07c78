import collections, os, pytest
from hypothesis import settings, HealthCheck
from hypothesis.stateful import run_state_machine_as_test
from evillage.orders.tests import test_stateful as T

@pytest.mark.django_db
def test_explore():
    counts = collections.Counter()
    T.event = lambda e: counts.update([e])
    try:
        run_state_machine_as_test(T.OrderMoney, settings=settings(max_examples=int(os.environ.get("N", 300)), stateful_step_count=int(os.environ.get("S", 50)), deadline=None, database=None, suppress_health_check=list(HealthCheck)))
    finally:
        for k, v in sorted(counts.items()):
            print(v, k)
