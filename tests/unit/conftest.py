"""Fixtures of the review app's tests."""

from __future__ import annotations

import pytest


@pytest.fixture(scope="module")
def published(published_demo, request):
    """The demo warehouse as the app's published copy (TOUSU_PUBLISHED) for a test module."""
    mp = pytest.MonkeyPatch()
    mp.setenv("TOUSU_PUBLISHED", str(published_demo))
    request.addfinalizer(mp.undo)
    return published_demo
