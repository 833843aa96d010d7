"""``gradedesk connection add|config|check|set``: connecting a real course from what a teacher
has (its address and, from the administrator, a client id)."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from gradedesk import bootstrap
from gradedesk.cli.output import emit_json, read_secret_file, secrets_store
from gradedesk.domain import InputError
from gradedesk.platforms import setup
from gradedesk.platforms.check import CheckStatus
from gradedesk.platforms.profiles import PlatformKind, profile_of
from gradedesk.store import ConnectionKind, Database
from gradedesk.store import connections as connection_store

_MARKS = {CheckStatus.OK: "ok", CheckStatus.WARNING: "warning", CheckStatus.ERROR: "FAILED",
          CheckStatus.SKIPPED: "skipped"}


def _key_file(path: str | None) -> bytes | None:
    if not path:
        return None
    try:
        return Path(path).expanduser().read_bytes()
    except OSError as exc:
        raise InputError(f"Cannot read the key file {path}: {exc.strerror or exc}.") from exc


def connection_add(args: argparse.Namespace, db: Database) -> int:
    if args.ltiaas:
        return _add_ltiaas(args, db)
    pem = _key_file(args.private_key_file)
    if args.canvas or args.moodle:
        derived = (setup.canvas_settings(args.canvas, issuer=args.issuer) if args.canvas
                   else setup.moodle_settings(args.moodle, args.type_id or ""))
        added = bootstrap.add_course_connection(
            db, secrets_store(), args.name, derived, client_id=args.client_id,
            deployment_id=args.deployment_id, audience=args.audience, key_id=args.key_id,
            private_key_pem=pem)
        title = profile_of(added.row.settings).title
        print(f"Added {added.row.name!r}: {title} course {derived.course_id} at "
              f"{derived.course_url}. Its private key is in the OS keyring.", file=sys.stderr)
    else:
        added = bootstrap.add_lti_connection(db, secrets_store(), args.name, {
            "issuer": args.issuer, "client_id": args.client_id,
            "deployment_id": args.deployment_id, "token_url": args.token_url,
            "audience": args.audience, "key_id": args.key_id,
            "lineitems_url": args.lineitems_url, "nrps_url": args.nrps_url,
        }, private_key_pem=pem, generate_key=args.generate_key)
        print(f"Added {added.row.name!r} (LTI Advantage); its private key is in the OS keyring.",
              file=sys.stderr)
    name = added.row.name
    if pem is None:
        print(f"Next: your platform's administrator registers GradeDesk's public key - "
              f"`gradedesk connection config {name}` prints what they paste.", file=sys.stderr)
    if not added.row.settings.get("client_id"):
        print(f"Then enter the client id they give you: `gradedesk connection set {name} "
              f"--client-id ID`.", file=sys.stderr)
    print(f"`gradedesk connection check {name}` tells whether everything works.",
          file=sys.stderr)
    if args.generate_key:
        print("Paste this public JWKS into the platform's developer key:", file=sys.stderr)
        emit_json(added.jwks)
    return 0


def _add_ltiaas(args: argparse.Namespace, db: Database) -> int:
    for flag, value in (("--url", args.url), ("--api-key-file", args.api_key_file),
                        ("--service-key-file", args.service_key_file)):
        if not value:
            raise InputError(f"An LTIAAS connection needs {flag}.")
    added = bootstrap.add_ltiaas_connection(
        db, secrets_store(), args.name, args.url,
        api_key=read_secret_file(args.api_key_file, "API key"),
        service_key=read_secret_file(args.service_key_file, "service key"))
    print(f"Added {added.row.name!r} (LTIAAS); its keys are in the OS keyring.",
          file=sys.stderr)
    return 0


def connection_config(args: argparse.Namespace, db: Database) -> int:
    connection = connection_store.require_connection(db, args.name)
    document = bootstrap.admin_configuration(connection, secrets_store())
    kind = profile_of(connection.settings).kind
    if kind is PlatformKind.CANVAS:
        print("Canvas: Admin > Developer Keys > + Developer Key > + LTI Key; Method: Paste "
              "JSON; paste the JSON below, save, and switch the key ON. Then, in the course "
              "(or the account): Settings > Apps > + App > Configuration Type: By Client ID.",
              file=sys.stderr)
        emit_json(document)  # the document itself is what Canvas takes
    elif kind is PlatformKind.MOODLE:
        print("Moodle: Site administration > Plugins > Activity modules > External tool > "
              "Manage tools > configure a tool manually, with these settings. Its client id "
              "and type id (id= in the tool's settings address) go to `gradedesk connection "
              "set` / --type-id.", file=sys.stderr)
        if args.json:
            emit_json(document)
        else:
            for field, value in document.items():
                print(f"{field}:\n{value}\n" if "\n" in value else f"{field}: {value}")
    else:
        print("Register GradeDesk with the platform as an LTI 1.3 tool using this public key "
              "(JWK or PEM) and scopes; services only, no launches.", file=sys.stderr)
        emit_json(document)
    return 0


def connection_check(args: argparse.Namespace, db: Database) -> int:
    connection = connection_store.require_connection(db, args.name)
    report = bootstrap.check_connection(connection, secrets_store(), db)
    if args.json:
        emit_json({"connection": connection.name, "ok": report.ok,
                   "platform": (profile_of(connection.settings).kind.value
                                if connection.kind is ConnectionKind.LTI else "ltiaas"),
                   "clock_skew_s": report.clock_skew_s,
                   "steps": [step.to_json() for step in report.steps]})
    else:
        for step in report.steps:
            print(f"{_MARKS[step.status]:>8}  {step.step}: {step.detail}")
            if step.fix and step.status in (CheckStatus.ERROR, CheckStatus.WARNING):
                print(f"{'':>8}  fix: {step.fix}")
        print(f"{connection.name}: " + ("ready." if report.ok else "not ready yet."))
    return 0 if report.ok else 1


def connection_set(args: argparse.Namespace, db: Database) -> int:
    changes = {"client_id": args.client_id, "deployment_id": args.deployment_id,
               "issuer": args.issuer, "audience": args.audience}
    if args.read_timeout is not None:
        updated = bootstrap.set_read_timeout(db, args.name, args.read_timeout)
    if args.read_timeout is None or any(value is not None for value in changes.values()):
        updated = bootstrap.set_connection_settings(db, secrets_store(), args.name, changes)
    print(f"Updated {updated.name!r}; `gradedesk connection check {updated.name}` tries it.",
          file=sys.stderr)
    return 0
