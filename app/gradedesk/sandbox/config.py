"""The sandbox's start-up options and its run-time knobs."""

from __future__ import annotations

import ipaddress
from dataclasses import dataclass, field
from pathlib import Path

# canvas: Canvas's own routes, extensions, paging and throttle. minimal: only what 1EdTech AGS 2.0
# requires, with Moodle-shaped URLs, so a client cannot lean on Canvas's generosity by accident.
PROFILES = ("canvas", "minimal")


def is_loopback_host(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


@dataclass
class SandboxConfig:
    host: str = "127.0.0.1"
    port: int = 0
    seed: int = 1
    students: int = 24
    line_items: int = 6
    latency_ms: int = 0
    fault_rate: float = 0.0
    throttle: bool = True
    tool_public_keys: list[bytes] = field(default_factory=list)
    state_dir: Path | None = None
    profile: str = "canvas"

    def __post_init__(self) -> None:
        if not is_loopback_host(self.host):
            raise ValueError(
                f"The sandbox only listens on loopback (127.0.0.1, ::1, localhost), "
                f"not {self.host!r}: it has no real security.")
        if not 0.0 <= self.fault_rate <= 1.0:
            raise ValueError("--fault-rate must be between 0 and 1.")
        if self.students < 1 or self.line_items < 1:
            raise ValueError("The course needs at least one student and one line item.")
        if self.profile not in PROFILES:
            raise ValueError(f"--profile must be {' or '.join(PROFILES)}, not {self.profile!r}.")


@dataclass
class Knobs:
    """Changeable at run time through PATCH /sandbox/admin/settings."""

    throttle: bool = True
    high_water: float = 600.0
    maximum: float = 800.0
    leak_per_s: float = 10.0
    up_front: float = 50.0
    request_cost: float = 1.0
    token_cost: float = 200.0
    latency_ms: int = 0
    # Held back after a write was applied: the reply comes this late (a client that gives
    # up, or is killed, meanwhile has a lost reply to recover from).
    reply_delay_ms: int = 0
    fault_rate: float = 0.0  # half 500s, half dropped connections
    # Finer faults, drawn independently of fault_rate: a 5xx reply, a connection cut
    # mid-reply, and a request held ``hang_s`` before it is served (a client that gave up
    # meanwhile sees its write applied late, as behind a gateway that timed out).
    error_rate: float = 0.0
    drop_rate: float = 0.0
    hang_rate: float = 0.0
    hang_s: float = 0.0
    older_canvas_reply: bool = False
    ags_scores_multiple_files: bool = False
    token_lifetime_s: int = 3600
    progress_step_s: float = 0.3
    key_active: bool = True
    key_enabled_for_account: bool = True
    course_state: str = "active"  # active | deleted | concluded
    tool_installed: bool = True
    ags_improved_course_concluded_response_codes: bool = False
    max_attempts: int | None = None
    ltiaas_error_status: int | None = None  # inject an LTIAAS failure on every API call
    ltiaas_error_non_json: bool = False
    ltiaas_service_key_revoked: bool = False

    def update(self, changes: dict[str, object]) -> None:
        for name, value in changes.items():
            if not hasattr(self, name) or name.startswith("_"):
                raise KeyError(name)
            current = getattr(self, name)
            if isinstance(current, bool) and not isinstance(value, bool):
                raise TypeError(f"{name} must be true or false")
            # A wrong type would turn every later request into a 500: refuse it here.
            numeric = isinstance(value, int | float) and not isinstance(value, bool)
            if isinstance(current, int | float) and not isinstance(current, bool) and \
                    not numeric:
                raise TypeError(f"{name} must be a number")
            if isinstance(current, str) and not isinstance(value, str):
                raise TypeError(f"{name} must be text")
            if isinstance(value, int | float) and not isinstance(value, bool) and \
                    (value != value or value < 0):  # NaN or negative
                raise ValueError(f"{name} must be a number of 0 or more")
            if current is None and value is not None and not numeric:
                raise TypeError(f"{name} must be a number or null")
            if name.endswith("_rate") and numeric and float(value) > 1:  # type: ignore[arg-type]
                raise ValueError(f"{name} must be between 0 and 1")
            if name == "course_state" and value not in ("active", "deleted", "concluded"):
                raise ValueError("course_state must be active, deleted or concluded")
            setattr(self, name, value)
