"""Writes of identical products and photo rights (see fingerprints.py and rights.py)."""

from evillage.sameitem.services.fingerprints import (
    photo_fingerprint,
    photo_forget,
    photos_backfill,
    photos_fingerprint,
    photos_fingerprint_missing,
    photos_without_fingerprints,
    uploads_check_rights,
)
from evillage.sameitem.services.rights import (
    RightsSweepResult,
    case_appeal,
    case_decide,
    case_hide,
    case_license,
    case_withdraw,
    rights_sweep,
)

__all__ = [
    "RightsSweepResult",
    "case_appeal",
    "case_decide",
    "case_hide",
    "case_license",
    "case_withdraw",
    "photo_fingerprint",
    "photo_forget",
    "photos_backfill",
    "photos_fingerprint",
    "photos_fingerprint_missing",
    "photos_without_fingerprints",
    "rights_sweep",
    "uploads_check_rights",
]
