"""How much the AGS client costs over bare HTTP, as a ratio measured side by side.

Both sides fetch every page of results for every line item of the same sandbox course over
loopback; the baseline with plain httpx GETs following the Link headers, the client with its
auth flow, rate limiter, retries and strict parsing into domain values. Run:

    .venv/bin/python bench/pull_overhead.py [--students 400] [--line-items 20] [--rounds 3]

A ratio near 1 means the client adds little; the sandbox itself dominates both sides.
"""

from __future__ import annotations

import argparse
import statistics
import time
import uuid

import httpx
import jwt

from gradedesk.platforms.keys import generate_private_key_pem, load_private_key, public_pem
from gradedesk.platforms.lti_advantage.client import LtiAdvantageClient, LtiAdvantageConfig
from gradedesk.sandbox import SandboxConfig, start_sandbox


def bare_token(info: dict[str, str], private_pem: bytes) -> str:
    now = int(time.time())
    assertion = jwt.encode({"iss": info["client_id"], "sub": info["client_id"],
                            "aud": info["token_url"], "iat": now, "exp": now + 300,
                            "jti": uuid.uuid4().hex}, private_pem, algorithm="RS256")
    reply = httpx.post(info["token_url"], data={
        "grant_type": "client_credentials", "client_assertion": assertion,
        "client_assertion_type": "urn:ietf:params:oauth:client-assertion-type:jwt-bearer",
        "scope": "https://purl.imsglobal.org/spec/lti-ags/scope/lineitem.readonly "
                 "https://purl.imsglobal.org/spec/lti-ags/scope/result.readonly"})
    reply.raise_for_status()
    return str(reply.json()["access_token"])


def pull_with_client(client: LtiAdvantageClient) -> int:
    return sum(len(client.list_results(item.id)) for item in client.list_line_items())


def pull_bare(info: dict[str, str], token: str) -> int:
    headers = {"Authorization": f"Bearer {token}"}
    count = 0
    with httpx.Client(headers=headers) as http:
        url: str | None = info["lineitems_url"]
        items = []
        while url:
            page = http.get(url)
            items.extend(page.json())
            url = page.links.get("next", {}).get("url")
        for item in items:
            url = item["id"] + "/results"
            while url:
                page = http.get(url)
                count += len(page.json())
                url = page.links.get("next", {}).get("url")
    return count


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--students", type=int, default=400)
    parser.add_argument("--line-items", type=int, default=20)
    parser.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args()
    private = generate_private_key_pem()
    config = SandboxConfig(students=args.students, line_items=args.line_items, throttle=False,
                           tool_public_keys=[public_pem(load_private_key(private))])
    with start_sandbox(config) as sandbox:
        info = sandbox.info
        client = LtiAdvantageClient(LtiAdvantageConfig(
            issuer=info["issuer"], client_id=info["client_id"],
            deployment_id=info["deployment_id"], token_url=info["token_url"],
            lineitems_url=info["lineitems_url"], nrps_url=info["nrps_url"]), private)
        client.list_line_items()  # warm up: the client fetches and caches its token
        token = bare_token(info, private)
        client_times, bare_times = [], []
        for _ in range(args.rounds):
            started = time.perf_counter()
            rows = pull_with_client(client)
            client_times.append(time.perf_counter() - started)
            started = time.perf_counter()
            bare_rows = pull_bare(info, token)
            bare_times.append(time.perf_counter() - started)
            assert bare_rows == rows
        client.close()
    print(f"results rows per pull: {rows}")
    print(f"client: median {statistics.median(client_times):.3f} s")
    ratio = statistics.median(client_times) / statistics.median(bare_times)
    print(f"bare httpx: median {statistics.median(bare_times):.3f} s")
    print(f"ratio client / bare: {ratio:.2f}")


if __name__ == "__main__":
    main()
