"""Writes for accounts: registration, profile, roles, identity verification, API tokens.

Every function validates before it writes and raises `evillage.core.errors` with a
stable code; a failure leaves the database as it was.
"""

from evillage.accounts.services.tokens import (
    MAX_TOKENS_PER_USER,
    api_token_create,
    api_token_revoke,
)
from evillage.accounts.services.users import (
    Registration,
    registration_check,
    role_grant,
    role_revoke,
    user_register,
    user_set_residence,
    user_update_profile,
)
from evillage.accounts.services.verification import (
    id_number_clean,
    id_number_digest,
    id_number_mask,
    verification_approve,
    verification_reject,
    verification_submit,
)

__all__ = [
    "MAX_TOKENS_PER_USER",
    "Registration",
    "api_token_create",
    "api_token_revoke",
    "id_number_clean",
    "id_number_digest",
    "id_number_mask",
    "registration_check",
    "role_grant",
    "role_revoke",
    "user_register",
    "user_set_residence",
    "user_update_profile",
    "verification_approve",
    "verification_reject",
    "verification_submit",
]
