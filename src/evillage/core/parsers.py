"""Request body parsing for the API."""

import json
from typing import Any

from ninja.parser import Parser


def _contains_nul(value: Any) -> bool:
    if isinstance(value, str):
        return "\x00" in value
    if isinstance(value, dict):
        return any(_contains_nul(k) or _contains_nul(v) for k, v in value.items())
    if isinstance(value, list):
        return any(_contains_nul(item) for item in value)
    return False


class NulSafeJsonParser(Parser):
    """JSON bodies, refusing text with NUL characters (PostgreSQL cannot store them).

    Raising here makes Django Ninja answer 400 (code `bad_request`)."""

    def parse_body(self, request):
        data = json.loads(request.body)
        if _contains_nul(data):
            raise ValueError("NUL character in the request body")
        return data
