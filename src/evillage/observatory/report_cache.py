"""Which cached observatory reports are still good: a generation number in the cache that
every import moves on, so that reports computed before it are never served again."""

from django.core.cache import cache

_GENERATION_KEY = "observatory:generation"


def generation() -> int:
    return cache.get_or_set(_GENERATION_KEY, 1, timeout=None)


def forget_reports() -> None:
    """Every cached report is recomputed when next asked for."""
    try:
        cache.incr(_GENERATION_KEY)
    except ValueError:  # not in the cache (evicted or never set): any new value will do
        cache.set(_GENERATION_KEY, 2, timeout=None)
