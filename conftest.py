"""Shared pytest fixtures: isolated media folder, and Playwright on Debian's Chromium."""

import os
import shutil
from pathlib import Path

import pytest

CHROMIUM = "/usr/bin/chromium"


@pytest.fixture(autouse=True)
def _test_settings(settings, tmp_path):
    """Uploaded photos go to a throwaway folder, never into var/media; and passwords are
    hashed with a fast hasher, since every factory user has one (real hashing is
    deliberately slow)."""
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.PRIVATE_MEDIA_ROOT = tmp_path / "private"
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    # Nothing cached by one test (e.g. a category's ratings) may leak into the next.
    from django.core.cache import cache

    cache.clear()


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args):
    """Drive Debian's Chromium: Playwright cannot download its own browser here."""
    if not Path(CHROMIUM).exists():
        if os.environ.get("CI"):
            pytest.fail(f"{CHROMIUM} is missing: run `make browser`")
        pytest.skip("Debian's chromium is not installed (make browser)")
    return {**browser_type_launch_args, "executable_path": shutil.which(CHROMIUM) or CHROMIUM}
