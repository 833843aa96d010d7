"""Helpers for the engine tests: a client for a running sandbox and the test rig."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import httpx

from gradedesk.platforms.lti_advantage.client import LtiAdvantageClient, LtiAdvantageConfig
from gradedesk.sandbox.server import RunningSandbox
from gradedesk.store import (
    ConnectionRow,
    Database,
    OutboxEntry,
    OutboxState,
    drafts,
    outbox,
    snapshots,
)
from gradedesk.sync.engine import SyncEngine
from gradedesk.sync.events import SyncEvent
from gradedesk.sync.outgoing import PushOptions, outgoing_score


def client_for(info: dict[str, Any], pem: bytes) -> LtiAdvantageClient:
    return LtiAdvantageClient(LtiAdvantageConfig(
        issuer=info["issuer"], client_id=info["client_id"], deployment_id=info["deployment_id"],
        token_url=info["token_url"], lineitems_url=info["lineitems_url"],
        nrps_url=info["nrps_url"]), pem)


@dataclass
class Rig:
    """A connection to the sandbox with an engine that records its events."""

    db: Database
    sandbox: RunningSandbox
    connection: ConnectionRow
    client: LtiAdvantageClient
    events: list[SyncEvent] = field(default_factory=list)

    @property
    def engine(self) -> SyncEngine:
        return SyncEngine(self.db, self.connection, self.client, on_event=self.events.append)

    def item(self, number: int = 31) -> str:
        return f"{self.sandbox.info['lineitems_url']}/{number}"

    def learners(self) -> list[str]:
        """Students who can be graded (Canvas refuses scores for its Test Student)."""
        return [m.user_id for m in snapshots.list_members(self.db, self.connection.id,
                                                          learners_only=True)
                if m.name != "Test Student"]

    def unscored(self, number: int = 31) -> list[str]:
        """Learners with no result on the item (so nothing on the server to conflict with)."""
        have = {r.user_id for r in snapshots.list_results(self.db, self.connection.id,
                                                          self.item(number))}
        return [user for user in self.learners() if user not in have]

    def ledger(self) -> list[dict[str, Any]]:
        entries: list[dict[str, Any]] = httpx.get(self.sandbox.info["ledger_url"],
                                                  timeout=10).json()
        return entries

    def server_result(self, user: str, number: int = 31) -> dict[str, Any]:
        reply = httpx.get(f"{self.sandbox.info['admin_url']}/result",
                          params={"line_item": self.item(number), "user_id": user}, timeout=10)
        reply.raise_for_status()
        found: dict[str, Any] = reply.json()
        return found

    def colleague(self, user: str, score: float, comment: str | None = None,
                  number: int = 31) -> None:
        body: dict[str, Any] = {"line_item_id": self.item(number), "user_id": user,
                                "score_given": score}
        if comment:
            body["comment"] = comment
        httpx.post(f"{self.sandbox.info['admin_url']}/results", json=body,
                   timeout=10).raise_for_status()


def mark_sending(db: Database, client: Any, entry: OutboxEntry) -> bytes:
    """What the engine does just before a POST: the entry marked sending with the exact bytes
    that will go out. Returns them, for a test to send (or not) as a crash would leave it."""
    assert entry.draft_id is not None
    with db.read() as conn:
        draft = drafts.draft_by_id(conn, entry.draft_id)
    assert draft is not None
    score = outgoing_score(draft, PushOptions(), canvas_extensions=client.supports_progress)
    payload: bytes = client.score_payload(score)
    with db.transaction() as conn:
        outbox.transition(conn, entry.id, OutboxState.SENDING,
                          payload_text=payload.decode("utf-8"), count_attempt=True)
    return payload
