"""What the window waits for when it opens a big gradebook, as a ratio side by side.

A 2,000 x 60 course (about 90,000 results) written into a real SQLite file; then
``grid.gradebook_cells`` (server copies, drafts, pushes and file jobs merged per cell, what the
gradebook model loads in its worker) against a bare ``SELECT`` of the same scores: the floor of
any store-backed view. Run:

    .venv/bin/python bench/gradebook_load.py [--students 2000] [--line-items 60] [--drafts 500]
"""

from __future__ import annotations

import argparse
import sqlite3
import statistics
import tempfile
import time
from pathlib import Path

from gradedesk.domain import LEARNER_ROLE, LineItem, Member, Result
from gradedesk.store import connections, grid, open_database, snapshots
from gradedesk.store.drafts import DraftEdit, save_draft


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--students", type=int, default=2000)
    parser.add_argument("--line-items", type=int, default=60)
    parser.add_argument("--drafts", type=int, default=500)
    parser.add_argument("--rounds", type=int, default=5)
    args = parser.parse_args()
    folder = Path(tempfile.mkdtemp()) / "data"
    db = open_database(folder)
    row = connections.add_connection(db, "bench", "lti", {"issuer": "https://canvas.test"})
    base = "https://canvas.test/api/lti/courses/1/line_items"
    items = [LineItem(id=f"{base}/{n}", label=f"Assignment {n:02d}", score_maximum=10.0)
             for n in range(1, args.line_items + 1)]
    snapshots.upsert_line_items(db, row.id, items)
    members = [Member(user_id=f"user-{i:05d}", roles=(LEARNER_ROLE,), name=f"Student {i}")
               for i in range(args.students)]
    snapshots.upsert_members(db, row.id, members)
    for n, item in enumerate(items):
        snapshots.upsert_results(db, row.id, item.id, [
            Result(user_id=m.user_id, result_score=float((i + n) % 11), result_maximum=10.0)
            for i, m in enumerate(members) if (i + n) % 4])
    for i in range(args.drafts):
        save_draft(db, row.id, items[i % len(items)].id, members[i].user_id,
                   DraftEdit(score_given=5.0))

    bare_times, cell_times = [], []
    raw = sqlite3.connect(folder / "gradedesk.sqlite3")
    for _ in range(args.rounds):
        start = time.perf_counter()
        bare = raw.execute("SELECT line_item_id, user_id, score FROM server_results").fetchall()
        bare_times.append(time.perf_counter() - start)
        start = time.perf_counter()
        cells = grid.gradebook_cells(db, row.id)
        cell_times.append(time.perf_counter() - start)
    raw.close()
    db.close()
    ratio = statistics.median(cell_times) / statistics.median(bare_times)
    print(f"{len(cells)} cells ({len(bare)} results, {args.drafts} drafts): "
          f"gradebook_cells {statistics.median(cell_times) * 1000:.0f} ms, "
          f"bare SELECT {statistics.median(bare_times) * 1000:.0f} ms, ratio {ratio:.1f}")


if __name__ == "__main__":
    main()
