"""Platform clients: LTI Advantage (AGS/NRPS, Canvas extensions) and LTIAAS, behind one protocol.

The only layer that speaks HTTP. Import the clients from their modules; this package exports the
protocol and the error tree, which callers above need most.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from gradedesk.platforms.base import GradebookPlatform
    from gradedesk.platforms.errors import (
        AuthError,
        ForeignOrigin,
        InsecureUrl,
        InvalidKey,
        MalformedReply,
        NotFound,
        PermissionDenied,
        PlatformConfigError,
        PlatformError,
        Rejected,
        ResponseTooLarge,
        ScopeNotGranted,
        ServerError,
        StaleTimestamp,
        ThrottledError,
        TransportError,
        Unsupported,
    )

# Loaded on first use (PEP 562): a command that only needs a pure module of this package (the
# platform profiles, say) does not pay for the HTTP stack these pull in.
_HOMES = {name: "gradedesk.platforms.base" if name == "GradebookPlatform"
          else "gradedesk.platforms.errors" for name in (
              "AuthError", "ForeignOrigin", "GradebookPlatform", "InsecureUrl", "InvalidKey",
              "MalformedReply", "NotFound", "PermissionDenied", "PlatformConfigError",
              "PlatformError", "Rejected", "ResponseTooLarge", "ScopeNotGranted", "ServerError",
              "StaleTimestamp", "ThrottledError", "TransportError", "Unsupported")}


def __getattr__(name: str) -> Any:
    home = _HOMES.get(name)
    if home is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    value = getattr(importlib.import_module(home), name)
    globals()[name] = value
    return value


__all__ = [
    "AuthError",
    "ForeignOrigin",
    "GradebookPlatform",
    "InsecureUrl",
    "InvalidKey",
    "MalformedReply",
    "NotFound",
    "PermissionDenied",
    "PlatformConfigError",
    "PlatformError",
    "Rejected",
    "ResponseTooLarge",
    "ScopeNotGranted",
    "ServerError",
    "StaleTimestamp",
    "ThrottledError",
    "TransportError",
    "Unsupported",
]
