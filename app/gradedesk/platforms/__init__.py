"""Platform clients: LTI Advantage (AGS/NRPS, Canvas extensions) and LTIAAS, behind one protocol.

The only layer that speaks HTTP. Import the clients from their modules; this package exports the
protocol and the error tree, which callers above need most.
"""

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
