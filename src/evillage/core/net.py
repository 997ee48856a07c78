from django.conf import settings
from django.http import HttpRequest


def client_ip(request: HttpRequest) -> str | None:
    """The client's address, as login throttling must count it.

    With TRUSTED_PROXY_COUNT = n, the n proxies in front of the app each appended one
    address to X-Forwarded-For, so the client is the n-th address from the right;
    anything further left was written by the client and cannot be trusted.
    """
    count = getattr(settings, "TRUSTED_PROXY_COUNT", 0)
    forwarded = request.META.get("HTTP_X_FORWARDED_FOR", "")
    if count and forwarded:
        hops = [hop.strip() for hop in forwarded.split(",") if hop.strip()]
        if len(hops) >= count:
            return hops[-count]
    return request.META.get("REMOTE_ADDR")
