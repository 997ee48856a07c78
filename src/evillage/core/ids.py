"""Opaque public identifiers: what URLs and the API show instead of primary keys."""

import secrets

# Crockford's base32 without I, L, O, U: easy to read aloud at a village station.
_ALPHABET = "0123456789abcdefghjkmnpqrstvwxyz"
PUBLIC_ID_LENGTH = 16  # 80 random bits


def new_public_id() -> str:
    return "".join(secrets.choice(_ALPHABET) for _ in range(PUBLIC_ID_LENGTH))
