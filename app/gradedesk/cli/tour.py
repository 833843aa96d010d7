"""``gradedesk`` with nothing configured: start a sandbox course and pull it through the AGS
client, so a new user sees what GradeDesk does before connecting a real platform."""

from __future__ import annotations

import statistics
from typing import TextIO

from gradedesk.platforms.keys import generate_private_key_pem, load_private_key, public_pem
from gradedesk.platforms.lti_advantage.client import LtiAdvantageClient, LtiAdvantageConfig
from gradedesk.sandbox import SandboxConfig, start_sandbox


def run_tour(*, seed: int, out: TextIO) -> int:
    # A throwaway key pair that lives only in memory for this run.
    private_pem = generate_private_key_pem()
    config = SandboxConfig(
        port=0, seed=seed, tool_public_keys=[public_pem(load_private_key(private_pem))])
    with start_sandbox(config) as sandbox:
        info = sandbox.info
        print(f"Started the sandbox course at {info['base_url']} (seed {seed}).", file=out)
        client_config = LtiAdvantageConfig(
            issuer=info["issuer"], client_id=info["client_id"],
            deployment_id=info["deployment_id"], token_url=info["token_url"],
            lineitems_url=info["lineitems_url"], nrps_url=info["nrps_url"],
        )
        with LtiAdvantageClient(client_config, private_pem) as client:
            roster = client.list_members()
            learners = {member.user_id: member for member in roster.learners}
            title = roster.context.title if roster.context and roster.context.title else "Course"
            print(f"{title}: {len(learners)} students, {len(roster.members)} members.", file=out)
            items = client.list_line_items()
            print(f"{len(items)} line items:", file=out)
            width = max((len(item.label) for item in items), default=10)
            for item in items:
                results = client.list_results(item.id)
                scored = [r.result_score for r in results if r.result_score is not None]
                mean = f"mean {statistics.fmean(scored):6.1f}" if scored else "no scores yet"
                print(f"  {item.label:<{width}}  out of {item.score_maximum:5g}  "
                      f"{len(scored):3d} graded  {mean}", file=out)
    print("Next: on a desktop, `gradedesk` opens this course in the window; the README shows "
          "how to grade it from the command line too.", file=out)
    return 0
