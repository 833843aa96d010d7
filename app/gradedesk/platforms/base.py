"""The protocol every gradebook platform client implements (LTI Advantage direct, LTIAAS)."""

from __future__ import annotations

from collections.abc import Iterator
from types import TracebackType
from typing import TYPE_CHECKING, Protocol, Self, runtime_checkable

from gradedesk.domain import (
    CourseContext,
    LineItem,
    Member,
    Progress,
    Result,
    Roster,
    Score,
    ScoreReceipt,
)

if TYPE_CHECKING:  # the protocol needs no HTTP stack (the window imports it at start-up)
    from gradedesk.platforms.http import HttpSession


@runtime_checkable
class GradebookPlatform(Protocol):
    """Blocking calls; run them off the GUI thread. Errors are PlatformError subclasses.

    ``supports_progress``: the platform returns Canvas Progress URLs and accepts file content
    items on Scores (Canvas's submission extension is sent).
    ``has_roster``: the connection has a Names and Roles service; without one, the students
    are those the results name.
    ``refused_params``: optional query parameters the platform refused (learned at run time,
    worth keeping for the connection).
    """

    supports_progress: bool

    @property
    def has_roster(self) -> bool: ...

    @property
    def refused_params(self) -> frozenset[str]: ...

    def list_line_items(self, *, resource_link_id: str | None = None,
                        resource_id: str | None = None, tag: str | None = None
                        ) -> list[LineItem]: ...

    def iter_line_items(self, *, resource_link_id: str | None = None,
                        resource_id: str | None = None, tag: str | None = None
                        ) -> Iterator[LineItem]: ...

    def get_line_item(self, line_item_id: str) -> LineItem: ...

    def create_line_item(self, item: LineItem) -> LineItem: ...

    def update_line_item(self, item: LineItem) -> LineItem: ...

    def delete_line_item(self, line_item_id: str) -> None: ...

    def list_results(self, line_item_id: str, *, user_id: str | None = None) -> list[Result]: ...

    def iter_results(self, line_item_id: str, *, user_id: str | None = None
                     ) -> Iterator[Result]: ...

    def post_score(self, line_item_id: str, score: Score) -> ScoreReceipt: ...

    def score_payload(self, score: Score) -> bytes: ...

    def post_score_payload(self, line_item_id: str, payload: bytes) -> ScoreReceipt: ...

    def get_progress(self, progress_url: str) -> Progress: ...

    def list_members(self, *, role: str | None = None) -> Roster: ...

    def iter_members(self, *, role: str | None = None) -> Iterator[Member]: ...

    def close(self) -> None: ...

    def __enter__(self) -> Self: ...

    def __exit__(self, exc_type: type[BaseException] | None, exc: BaseException | None,
                 traceback: TracebackType | None) -> None: ...


class ClientCore:
    """What both clients share: members assembled from pages, and closing the HTTP session.

    A subclass provides ``_member_pages`` and ``_session`` (an ``HttpSession``).
    """

    _session: HttpSession

    def _member_pages(self, role: str | None
                      ) -> Iterator[tuple[CourseContext | None, list[Member]]]:
        raise NotImplementedError

    def iter_members(self, *, role: str | None = None) -> Iterator[Member]:
        for _, members in self._member_pages(role):
            yield from members

    def list_members(self, *, role: str | None = None) -> Roster:
        context: CourseContext | None = None
        members: list[Member] = []
        for page_context, page_members in self._member_pages(role):
            context = context or page_context
            members.extend(page_members)
        return Roster(context=context, members=tuple(members))

    def close(self) -> None:
        self._session.client.close()

    def __enter__(self) -> Self:
        return self

    def __exit__(self, exc_type: type[BaseException] | None, exc: BaseException | None,
                 traceback: TracebackType | None) -> None:
        self.close()


def query_params(**values: str | None) -> dict[str, str]:
    """Query parameters without the ones left unset."""
    return {key: value for key, value in values.items() if value is not None}
