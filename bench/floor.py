"""The floor: a bare httpx client doing only the platform calls, concurrently, in its own
process (start to exit, like ``gradedesk push``/``pull``). No store, no retries beyond the
throttle's, no checks. Its job arrives as JSON on stdin; it prints one JSON line.

- ``{"mode": "push", "token": T, "concurrency": K, "posts": [[scores_url, body], ...]}``:
  every Score POSTed once, K in flight.
- ``{"mode": "pull", "token": T, "concurrency": K, "lineitems_url": U, "nrps_url": N,
  "page_size": 100}``: the line items, then the members and every line item's results,
  each listing's pages followed by its ``next`` link, K listings at a time.

A throttled reply (403 "Rate Limit Exceeded") is counted, waited out as Canvas advises
((50 - remaining) / 10 s) and retried, so the run still completes; the caller picks the
highest K with none.
"""

from __future__ import annotations

import json
import queue
import sys
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import httpx

SCORE = "application/vnd.ims.lis.v1.score+json"
RESULTS = "application/vnd.ims.lis.v2.resultcontainer+json"
LINE_ITEMS = "application/vnd.ims.lis.v2.lineitemcontainer+json"
MEMBERS = "application/vnd.ims.lti-nrps.v2.membershipcontainer+json"


class Counts:
    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.requests = 0
        self.throttled = 0
        self.rows = 0
        self.failed = 0


def send(http: httpx.Client, counts: Counts, method: str, url: str, **kwargs: Any
         ) -> httpx.Response:
    while True:
        reply = http.request(method, url, **kwargs)
        with counts.lock:
            counts.requests += 1
        if reply.status_code == 403 and b"Rate Limit" in reply.content:
            with counts.lock:
                counts.throttled += 1
            remaining = float(reply.headers.get("x-rate-limit-remaining", "0") or 0)
            time.sleep(max(0.1, (50 - remaining) / 10))
            continue
        if reply.status_code >= 400:
            with counts.lock:
                counts.failed += 1
        return reply


def push(job: dict[str, Any], http: httpx.Client, counts: Counts) -> None:
    def post(pair: list[Any]) -> None:
        url, body = pair
        send(http, counts, "POST", url, content=json.dumps(body).encode(),
             headers={"Content-Type": SCORE})

    with ThreadPoolExecutor(job["concurrency"]) as pool:
        list(pool.map(post, job["posts"]))


def pull(job: dict[str, Any], http: httpx.Client, counts: Counts) -> None:
    params = {"limit": str(job["page_size"])}
    items: list[dict[str, Any]] = []
    url: str | None = job["lineitems_url"]
    first = True
    while url:
        page = send(http, counts, "GET", url, params=params if first else None,
                    headers={"Accept": LINE_ITEMS})
        items.extend(page.json())
        url, first = page.links.get("next", {}).get("url"), False
    listings: queue.Queue[tuple[str, str]] = queue.Queue()
    if job.get("nrps_url"):
        listings.put((job["nrps_url"], MEMBERS))
    for item in items:
        listings.put((item["id"].split("?")[0] + "/results", RESULTS))

    def worker() -> None:
        while True:
            try:
                url_now, accept = listings.get_nowait()
            except queue.Empty:
                return
            next_url: str | None = url_now
            first_page = True
            while next_url:
                page = send(http, counts, "GET", next_url, params=params if first_page else None,
                            headers={"Accept": accept})
                body = page.json()
                rows = body.get("members", []) if isinstance(body, dict) else body
                with counts.lock:
                    counts.rows += len(rows)
                next_url, first_page = page.links.get("next", {}).get("url"), False

    threads = [threading.Thread(target=worker) for _ in range(job["concurrency"])]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()


def main() -> int:
    job = json.loads(sys.stdin.read())
    counts = Counts()
    limits = httpx.Limits(max_connections=job["concurrency"] + 2,
                          max_keepalive_connections=job["concurrency"] + 2)
    with httpx.Client(headers={"Authorization": f"Bearer {job['token']}"}, limits=limits,
                      timeout=60) as http:
        (push if job["mode"] == "push" else pull)(job, http, counts)
    print(json.dumps({"requests": counts.requests, "throttled": counts.throttled,
                      "rows": counts.rows, "failed": counts.failed}))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
