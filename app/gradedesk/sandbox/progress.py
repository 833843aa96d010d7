"""File uploads behind content items: Canvas downloads each URL in the background and reports
through a Progress that moves queued -> running -> completed, or failed with a message."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime

import httpx

from gradedesk.sandbox.course import ProgressRecord
from gradedesk.sandbox.state import SandboxState


async def fetch_file(state: SandboxState, url: str) -> tuple[int | None, str] | None:
    """None when the file downloads; else (status or None for no answer, detail)."""
    # A client per download: it lives and dies on the server's own event loop.
    try:
        async with httpx.AsyncClient(timeout=5.0, follow_redirects=True) as fetcher:
            response = await fetcher.get(url)
    except (httpx.HTTPError, ValueError) as error:
        return None, str(error) or type(error).__name__
    if response.status_code >= 400:
        return response.status_code, response.text[:200]
    return None if response.content else (500, "empty file")


def start_upload(state: SandboxState, line_item: int, user: str, url: str,
                 title: str) -> ProgressRecord:
    record = state.course.new_progress(line_item, user, url, title)
    state.spawn(_run(state, record))
    return record


async def _run(state: SandboxState, record: ProgressRecord) -> None:
    step = state.knobs.progress_step_s
    await asyncio.sleep(step)
    record.state, record.updated_at = "running", datetime.now(UTC)
    outcome = await fetch_file(state, record.url)
    await asyncio.sleep(step)
    record.updated_at = datetime.now(UTC)
    if outcome is None:
        record.state = "completed"
        record.attachment_id = state.course.new_attachment_id()
    else:
        status, detail = outcome
        record.state = "failed"
        record.message = (f"uploading to file service failed with {status}: {detail}"
                          if status is not None else f"file url could not be fetched: {detail}")
