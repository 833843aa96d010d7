"""What the sync engine's safety costs, as ratios against the bare client side by side.

- pull: ``SyncEngine.pull`` (pages + SQLite snapshots + conflict flags) against the client alone
  fetching the same line items, members and results;
- push: ``SyncEngine.push`` of N drafts (conflict read-back, a durable ``sending`` mark before
  each POST, audit lines, confirming read-back) against the client posting the same N Scores one
  after another;
- with ``--latency-ms`` the sandbox answers like a distant server, where the engine's bounded
  concurrency pays for its extra requests.

    .venv/bin/python bench/sync_overhead.py [--students 200] [--line-items 10] [--grades 100]
"""

from __future__ import annotations

import argparse
import statistics
import tempfile
import time
from pathlib import Path

from gradedesk.domain import ActivityProgress, GradingProgress, Score, utc_now
from gradedesk.platforms.keys import generate_private_key_pem, load_private_key, public_pem
from gradedesk.platforms.lti_advantage.client import LtiAdvantageClient, LtiAdvantageConfig
from gradedesk.sandbox import SandboxConfig, start_sandbox
from gradedesk.store import connections, open_database, snapshots
from gradedesk.store.drafts import DraftEdit
from gradedesk.sync.engine import SyncEngine, save_grade


def timed(action: object) -> float:
    start = time.perf_counter()
    action()  # type: ignore[operator]
    return time.perf_counter() - start


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--students", type=int, default=200)
    parser.add_argument("--line-items", type=int, default=10)
    parser.add_argument("--grades", type=int, default=100)
    parser.add_argument("--latency-ms", type=int, default=0)
    parser.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args()
    pem = generate_private_key_pem()
    config = SandboxConfig(students=args.students, line_items=args.line_items, throttle=False,
                           latency_ms=args.latency_ms,
                           tool_public_keys=[public_pem(load_private_key(pem))])
    pull_ratios, push_ratios = [], []
    with start_sandbox(config) as sandbox:
        info = sandbox.info
        client = LtiAdvantageClient(LtiAdvantageConfig(
            issuer=info["issuer"], client_id=info["client_id"],
            deployment_id=info["deployment_id"], token_url=info["token_url"],
            lineitems_url=info["lineitems_url"], nrps_url=info["nrps_url"]), pem)
        client.list_line_items()  # the token is fetched once, outside the timings
        for round_number in range(args.rounds):
            db = open_database(Path(tempfile.mkdtemp()) / "data")
            row = connections.add_connection(db, "bench", "lti", {"issuer": info["issuer"]})
            engine = SyncEngine(db, row, client)

            def bare_pull() -> None:
                items = client.list_line_items()
                client.list_members()
                for item in items:
                    client.list_results(item.id)

            bare = timed(bare_pull)
            engine_time = timed(engine.pull)
            pull_ratios.append(engine_time / bare)

            item = snapshots.list_line_items(db, row.id)[0]
            learners = [m.user_id for m in snapshots.list_members(db, row.id,
                                                                  learners_only=True)
                        if m.name != "Test Student"][:args.grades]
            base = round_number * 10

            bare = timed(lambda item=item, learners=learners, base=base: [
                client.post_score(item.url, Score(
                    user_id=user, activity_progress=ActivityProgress.COMPLETED,
                    grading_progress=GradingProgress.FULLY_GRADED, timestamp=utc_now(),
                    score_given=float(base + 1), score_maximum=item.score_maximum))
                for user in learners])
            for user in learners:
                save_grade(db, row, item.url, user, DraftEdit(score_given=float(base + 2)))
            engine_time = timed(engine.push)
            push_ratios.append(engine_time / bare)
            db.close()
        client.close()
    print(f"pull: engine/bare = {statistics.median(pull_ratios):.2f} "
          f"(rounds {', '.join(f'{r:.2f}' for r in pull_ratios)})")
    print(f"push of {len(learners)} grades: engine/bare = {statistics.median(push_ratios):.2f} "
          f"(rounds {', '.join(f'{r:.2f}' for r in push_ratios)})")


if __name__ == "__main__":
    main()
