"""What ships, built once per test session: ``packaging/build`` makes the wheel, the sdist, the
PyInstaller bundle and the tarball in dist/. A build newer than every source file (app/,
packaging/, resources/, pyproject.toml) is reused, so a developer re-running these tests
waits for it once; a clean clone (CI) always builds."""

from __future__ import annotations

import pytest
from shipping_support import Artifacts, build


@pytest.fixture(scope="session")
def artifacts() -> Artifacts:
    return build()
