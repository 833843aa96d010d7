"""Serve the sandbox with uvicorn on loopback, in a background thread or in the foreground."""

from __future__ import annotations

import json
import logging
import os
import secrets
import shutil
import tempfile
import threading
import time
import urllib.request
from pathlib import Path
from types import TracebackType
from typing import Any, Self

import uvicorn
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from starlette.applications import Starlette
from starlette.requests import ClientDisconnect
from starlette.types import ASGIApp

from gradedesk.sandbox import admin, canvas_api, ltiaas_api, spec_api
from gradedesk.sandbox.config import Knobs, SandboxConfig
from gradedesk.sandbox.course import Course, course_csv
from gradedesk.sandbox.persist import SaveAfterWrites, load_course, save_course
from gradedesk.sandbox.state import FAULT_PREFIX, SandboxState
from gradedesk.sandbox.throttle import Throttle
from gradedesk.sandbox.tokens import TokenAuthority, load_public_key, public_key_from_jwk

DEMO_KEY_FILE = "demo-tool-private-key.pem"


class InjectedFaultsFilter(logging.Filter):
    """Drops uvicorn's tracebacks for the faults the sandbox injects on purpose (a cut
    connection, a client that gave up on a held request): thousands of them in a fault trial
    would drown real errors."""

    def filter(self, record: logging.LogRecord) -> bool:
        error = record.exc_info[1] if record.exc_info else None
        if isinstance(error, ConnectionAbortedError) and str(error).startswith(FAULT_PREFIX):
            return False
        return not isinstance(error, ClientDisconnect)


_FAULTS_FILTER = InjectedFaultsFilter()


def _kept_demo_key(state_dir: Path) -> tuple[bytes, Path] | None:
    """The demo key a state folder already holds, so connections made with it keep working
    after a restart; None when there is none (or it is unreadable: a new one is made)."""
    path = state_dir / DEMO_KEY_FILE
    try:
        key = serialization.load_pem_private_key(path.read_bytes(), password=None)
    except (OSError, ValueError, TypeError):
        return None
    if not isinstance(key, rsa.RSAPrivateKey):
        return None
    return key.public_key().public_bytes(serialization.Encoding.PEM,
                                         serialization.PublicFormat.SubjectPublicKeyInfo), path


def _demo_key(state_dir: Path) -> tuple[bytes, Path]:
    """A demo key pair: the private half written owner-only (created 0600, never chmod-ed)."""
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    private = key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                                serialization.NoEncryption())
    state_dir.mkdir(parents=True, exist_ok=True, mode=0o700)
    path = state_dir / DEMO_KEY_FILE
    path.unlink(missing_ok=True)
    descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(descriptor, "wb") as handle:
        handle.write(private)
    public = key.public_key().public_bytes(serialization.Encoding.PEM,
                                           serialization.PublicFormat.SubjectPublicKeyInfo)
    return public, path


def build_state(config: SandboxConfig) -> tuple[SandboxState, Path | None]:
    client_id = f"1000000000{config.seed % 10000:04d}"
    demo_key_file: Path | None = None
    public_keys = list(config.tool_public_keys)
    if not public_keys:
        kept = _kept_demo_key(config.state_dir) if config.state_dir else None
        folder = config.state_dir or Path(tempfile.mkdtemp(prefix="gradedesk-sandbox-"))
        public, demo_key_file = kept or _demo_key(folder)
        public_keys = [public]
    # A spec-only platform has no throttle: Canvas's leaky bucket is a Canvas extension.
    knobs = Knobs(throttle=config.throttle and config.profile == "canvas",
                  latency_ms=config.latency_ms, fault_rate=config.fault_rate)
    state = SandboxState(
        config=config, knobs=knobs,
        course=Course(seed=config.seed, students=config.students, line_items=config.line_items,
                      client_id=client_id, other_client_id="10000000000999"),
        authority=TokenAuthority(client_id=client_id,
                                 public_keys=[load_public_key(k) for k in public_keys]),
        throttle=Throttle(knobs),
        ltiaas_api_key=secrets.token_hex(16), ltiaas_service_key=secrets.token_hex(16),
        ltiaas_ltik=secrets.token_hex(16))
    state.fault_rng.seed(config.seed)
    if config.state_dir is not None and \
            load_course(state.course, config.state_dir, course_identity(config)) and \
            state.course.developer_key is not None:
        # The key "the administrator" pasted before the restart still signs assertions.
        pasted = state.course.developer_key
        state.authority.configure_key(public_key_from_jwk(pasted["public_jwk"]),
                                      list(pasted["scopes"]))
    return state, demo_key_file


def course_identity(config: SandboxConfig) -> dict[str, Any]:
    """The options a saved course was made with: another set makes another course."""
    return {"seed": config.seed, "students": config.students,
            "line_items": config.line_items, "profile": config.profile}


def save_state(state: SandboxState) -> None:
    if state.config.state_dir is not None:
        save_course(state.course, state.config.state_dir, course_identity(state.config))


def build_app(state: SandboxState) -> ASGIApp:
    services = spec_api.routes(state) if state.config.profile == "minimal" else \
        canvas_api.routes(state)
    app = Starlette(routes=[canvas_api.token_route(state), *services,
                            *ltiaas_api.routes(state), *admin.routes(state)])
    if state.config.state_dir is None:
        return app
    return SaveAfterWrites(app, lambda: save_state(state))


def info_of(state: SandboxState, demo_key_file: Path | None) -> dict[str, Any]:
    base, profile = state.base_url, state.config.profile
    info: dict[str, Any] = {
        "profile": profile,
        "base_url": base, "issuer": base, "client_id": state.course.client_id,
        "deployment_id": f"{state.course.course_id}:8865aa05b4b79b64a91a86042e43af5ea8ae79eb",
        "course_id": str(state.course.course_id),
        "token_url": f"{base}/login/oauth2/token",
        "ltiaas_url": f"{base}/ltiaas", "ltiaas_api_key": state.ltiaas_api_key,
        "ltiaas_service_key": state.ltiaas_service_key, "ltiaas_ltik": state.ltiaas_ltik,
        "ledger_url": f"{base}/sandbox/ledger", "admin_url": f"{base}/sandbox/admin",
        "files_url": f"{base}/sandbox/files", "roster_url": f"{base}/sandbox/roster",
        "course_csv_url": f"{base}/sandbox/course.csv",
    }
    if profile == "minimal":
        info.update(lineitems_url=state.spec_container_url(), nrps_url=None)
    else:
        # What a teacher sees in the browser; a client derives the other URLs from its origin.
        info.update(course_url=f"{base}/courses/{state.course.course_id}",
                    lineitems_url=state.course_url("/line_items"),
                    nrps_url=state.course_url("/names_and_roles"))
    if demo_key_file is not None:
        info["demo_private_key_file"] = str(demo_key_file)
    return info


STOP_GRACE_S = 1


class RunningSandbox:
    """A sandbox serving in a background thread until ``stop()`` or the end of a with-block."""

    def __init__(self, config: SandboxConfig) -> None:
        self.state, demo_key_file = build_state(config)
        # A demo key in a folder made for it goes with the sandbox (one in --state-dir stays).
        self._demo_folder = demo_key_file.parent if demo_key_file is not None and \
            config.state_dir is None else None
        uvicorn_errors = logging.getLogger("uvicorn.error")
        if _FAULTS_FILTER not in uvicorn_errors.filters:
            uvicorn_errors.addFilter(_FAULTS_FILTER)
        self._server = uvicorn.Server(uvicorn.Config(
            build_app(self.state), host=config.host, port=config.port, log_level="warning",
            lifespan="off", access_log=False,
            # A stop gives requests still running (one held by the hang knob) a moment to
            # finish, then ends them, instead of waiting out a 30-second hang.
            timeout_graceful_shutdown=STOP_GRACE_S))
        self._thread = threading.Thread(target=self._server.run, name="gradedesk-sandbox",
                                        daemon=True)
        self._thread.start()
        deadline = time.monotonic() + 10
        while not self._server.started:
            if not self._thread.is_alive() or time.monotonic() > deadline:
                raise RuntimeError("The sandbox could not start (is the port in use?).")
            time.sleep(0.01)
        port = self._server.servers[0].sockets[0].getsockname()[1]
        host = f"[{config.host}]" if ":" in config.host else config.host
        self.state.base_url = f"http://{host}:{port}"
        self.info = info_of(self.state, demo_key_file)

    @property
    def base_url(self) -> str:
        return self.state.base_url

    def course_csv(self) -> str:
        """The students and their sections as a gradebook CSV (GET /sandbox/course.csv)."""
        return course_csv(self.state.course)

    def settings(self, **knobs: Any) -> dict[str, Any]:
        request = urllib.request.Request(  # noqa: S310 - our own loopback server
            f"{self.base_url}/sandbox/admin/settings", data=json.dumps(knobs).encode(),
            method="PATCH", headers={"Content-Type": "application/json"})
        with urllib.request.urlopen(request, timeout=10) as reply:  # noqa: S310
            result: dict[str, Any] = json.loads(reply.read())
        return result

    def expire_tokens(self) -> None:
        """Every access token the platform issued so far expires now."""
        request = urllib.request.Request(  # noqa: S310 - our own loopback server
            f"{self.base_url}/sandbox/admin/tokens/expire", data=b"{}", method="POST",
            headers={"Content-Type": "application/json"})
        with urllib.request.urlopen(request, timeout=10):  # noqa: S310
            pass

    def stop(self) -> None:
        self._server.should_exit = True
        self._thread.join(timeout=10)
        save_state(self.state)  # Progress jobs moved on since the last write
        if self._demo_folder is not None:
            shutil.rmtree(self._demo_folder, ignore_errors=True)
            self._demo_folder = None

    def __enter__(self) -> Self:
        return self

    def __exit__(self, exc_type: type[BaseException] | None, exc: BaseException | None,
                 traceback: TracebackType | None) -> None:
        self.stop()


def start_sandbox(config: SandboxConfig) -> RunningSandbox:
    return RunningSandbox(config)
