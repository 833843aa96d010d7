"""The ``gradedesk`` command. A thin shell: it parses arguments and prints; the work lives in
the layers below. Command and flag names are a contract that scripts rely on (see README)."""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Callable, Sequence
from typing import Any

from gradedesk import __version__
from gradedesk.domain import Cancelled, GradeDeskError, TimeLimitReached

# The window's flags, from a module of their own: building the parser on every command does
# not import the window's entry points (gradedesk.ui.app), which only `gui` needs.
from gradedesk.ui.arguments import add_gui_arguments, has_display

PROGRESS_VALUES_GRADING = ("FullyGraded", "Pending", "PendingManual", "Failed", "NotReady")
PROGRESS_VALUES_ACTIVITY = ("Initialized", "Started", "InProgress", "Submitted", "Completed")


def _data_dir_option(parser: argparse.ArgumentParser, *, default: object) -> None:
    parser.add_argument("--data-dir", metavar="DIR", default=default,
                        help="where GradeDesk keeps its database (default: "
                             "$GRADEDESK_DATA_DIR, else your user data folder)")


def _verbose_option(parser: argparse.ArgumentParser, *, default: object) -> None:
    parser.add_argument("--verbose", action="store_true", default=default,
                        help="log debug detail to the log file and show it on stderr, with "
                             "the traceback of an unexpected error")


def _seconds(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a number of seconds") from None
    if not value >= 0 or value == float("inf"):
        raise argparse.ArgumentTypeError("give a number of seconds, 0 or more")
    return value


def _terminal_columns() -> int:
    """``shutil.get_terminal_size().columns``, measured the same way without importing shutil
    (argparse makes a help formatter for every flag it adds, and each asks for the width;
    importing shutil, with bz2 and lzma, costs every start more than the whole measurement)."""
    try:
        columns = int(os.environ["COLUMNS"])
    except (KeyError, ValueError):
        columns = 0
    if columns > 0:
        return columns
    stdout = sys.__stdout__
    try:
        return (os.get_terminal_size(stdout.fileno()).columns if stdout else 0) or 80
    except (ValueError, OSError):  # closed, detached, or not a terminal
        return 80


class _HelpFormatter(argparse.HelpFormatter):
    """argparse's formatter, with the terminal's width from ``_terminal_columns``."""

    def __init__(self, prog: str, indent_increment: int = 2, max_help_position: int = 24,
                 width: int | None = None) -> None:
        super().__init__(prog, indent_increment, max_help_position,
                         _terminal_columns() - 2 if width is None else width)


class _Parser(argparse.ArgumentParser):
    """argparse's parser with ``_HelpFormatter``; its subcommands' parsers are of this class
    too (argparse makes them of the parent's class)."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("formatter_class", _HelpFormatter)
        super().__init__(*args, **kwargs)


class _Command:
    """A subcommand as ``gradedesk --help`` lists it, and how to add its flags."""

    __slots__ = ("add_flags", "common", "help")

    def __init__(self, help_text: str, add_flags: _AddFlags | None, *, common: bool = True
                 ) -> None:
        self.help = help_text
        self.add_flags = add_flags
        self.common = common  # takes --data-dir after its name too


def build_parser(argv: Sequence[str] | None = None) -> argparse.ArgumentParser:
    """The command line. Given the ``argv`` about to be parsed, only the command it names is
    built (building every command's flags costs each start a few milliseconds); when argv
    names none for certain (``_named_command``), or without argv, every command is."""
    parser = _Parser(
        prog="gradedesk",
        description="GradeDesk: grade in a fast desktop gradebook, online or offline, and sync "
        "scores to an LTI 1.3 platform (Canvas, any AGS platform, or LTIAAS).",
    )
    parser.add_argument("--version", action="version", version=f"gradedesk {__version__}")
    _data_dir_option(parser, default=None)
    _verbose_option(parser, default=False)
    # Subcommands accept --data-dir and --verbose too, after their name; SUPPRESS keeps the
    # global ones.
    common = _Parser(add_help=False)
    _data_dir_option(common, default=argparse.SUPPRESS)
    _verbose_option(common, default=argparse.SUPPRESS)
    commands = parser.add_subparsers(dest="command", metavar="COMMAND")
    wanted = None if argv is None else _named_command(argv)
    for name, command in _COMMANDS.items():
        if wanted is not None and name != wanted:
            continue  # argv names another command: this one is neither parsed nor listed
        sub = commands.add_parser(name, help=command.help, add_help=command.add_flags is not None,
                                  parents=[common] if command.common else [])
        if command.add_flags is not None:
            command.add_flags(sub, common)
    return parser


def _named_command(argv: Sequence[str]) -> str | None:
    """The command ``argv`` names, when that is certain: its first word, after nothing but
    --data-dir DIR (or an abbreviation of it) and --verbose. Else None: --help lists every
    command, and an unknown word or option gets argparse's own message, so everything is
    built."""
    takes_value = False
    for word in argv:
        if takes_value:
            takes_value = False
        elif word == "--verbose":
            continue
        elif word.startswith("-"):
            flag = word.split("=", 1)[0]
            if len(flag) < 3 or not "--data-dir".startswith(flag):
                return None
            takes_value = "=" not in word
        else:
            return word if word in _COMMANDS else None
    return None


def _demo_flags(demo: argparse.ArgumentParser,
                common: argparse.ArgumentParser) -> None:
    demo.add_argument("--seed", type=int, default=1, help="the sandbox course's seed")


def _connection_flags(connection: argparse.ArgumentParser,
                      common: argparse.ArgumentParser) -> None:
    actions = connection.add_subparsers(dest="action", metavar="ACTION", required=True)
    add = actions.add_parser(
        "add", parents=[common], help="add a connection",
        description="Connect a course. From its address: --canvas COURSE_URL --client-id ID, "
                    "or --moodle COURSE_URL --type-id N --client-id ID; any other AGS platform "
                    "with --lti and its URLs; or --ltiaas. A key pair is made in the OS "
                    "keyring unless --private-key-file is given; `gradedesk connection config "
                    "NAME` prints what the administrator pastes.")
    add.add_argument("name", metavar="NAME")
    kind = add.add_mutually_exclusive_group(required=True)
    kind.add_argument("--canvas", metavar="COURSE_URL",
                      help="a Canvas course's address (https://school.instructure.com/courses/7)")
    kind.add_argument("--moodle", metavar="COURSE_URL",
                      help="a Moodle course's address (https://moodle.school.edu/course/"
                           "view.php?id=42); needs --type-id")
    kind.add_argument("--lti", action="store_true",
                      help="any LTI Advantage platform, with every URL given")
    kind.add_argument("--ltiaas", action="store_true", help="through the LTIAAS API")
    lti = add.add_argument_group("LTI Advantage")
    lti.add_argument("--issuer", metavar="URL",
                     help="the platform's issuer (Canvas: https://canvas.instructure.com; "
                          "set it for self-hosted Canvas)")
    lti.add_argument("--client-id", metavar="ID", help="the developer key's client id")
    lti.add_argument("--deployment-id", metavar="ID", help="optional: only launches use it")
    lti.add_argument("--type-id", metavar="N",
                     help="Moodle: the external tool's type id (id= in its settings page)")
    lti.add_argument("--token-url", metavar="URL")
    lti.add_argument("--audience", metavar="AUD",
                     help="the client assertion's aud (default: the token URL)")
    lti.add_argument("--key-id", metavar="KID", help="the JWT kid (default: the key thumbprint)")
    key = lti.add_mutually_exclusive_group()
    key.add_argument("--private-key-file", metavar="PEM",
                     help="read the tool's RSA private key once into the keyring")
    key.add_argument("--generate-key", action="store_true",
                     help="make a key pair in the keyring (the default) and print its public "
                          "JWKS")
    lti.add_argument("--lineitems-url", metavar="URL")
    lti.add_argument("--nrps-url", metavar="URL")
    ltiaas = add.add_argument_group("LTIAAS")
    ltiaas.add_argument("--url", metavar="URL", help="your LTIAAS address")
    ltiaas.add_argument("--api-key-file", metavar="F")
    ltiaas.add_argument("--service-key-file", metavar="F")
    listing = actions.add_parser("list", parents=[common], help="list connections")
    listing.add_argument("--json", action="store_true")
    remove = actions.add_parser("remove", parents=[common],
                                help="forget a connection, its local data and its secrets")
    remove.add_argument("name", metavar="NAME")
    test = actions.add_parser("test", parents=[common],
                              help="check credentials and access against the platform")
    test.add_argument("name", metavar="NAME")
    test.add_argument("--json", action="store_true")
    jwks = actions.add_parser("jwks", parents=[common],
                              help="print the public JWKS to paste into the developer key")
    jwks.add_argument("name", metavar="NAME")
    config = actions.add_parser(
        "config", parents=[common],
        help="print what the platform's administrator pastes (Canvas: the developer key's "
             "JSON; Moodle: the tool's settings)")
    config.add_argument("name", metavar="NAME")
    config.add_argument("--json", action="store_true")
    check = actions.add_parser(
        "check", parents=[common],
        help="walk sign-in, columns, students and grades; say what is wrong and how to fix it")
    check.add_argument("name", metavar="NAME")
    check.add_argument("--json", action="store_true")
    set_settings = actions.add_parser(
        "set", parents=[common],
        help="complete or correct a connection (the client id your administrator gave)")
    set_settings.add_argument("name", metavar="NAME")
    set_settings.add_argument("--client-id", metavar="ID")
    set_settings.add_argument("--deployment-id", metavar="ID")
    set_settings.add_argument("--issuer", metavar="URL")
    set_settings.add_argument("--audience", metavar="AUD")
    set_settings.add_argument("--read-timeout", type=_seconds, metavar="SECONDS",
                              help="how long to wait for a reply (default 60; 1 to 600)")


def _column_flags(column: argparse.ArgumentParser,
                  common: argparse.ArgumentParser) -> None:
    column_actions = column.add_subparsers(dest="column_action", metavar="ACTION",
                                           required=True)
    column_add = column_actions.add_parser(
        "add", parents=[common], help="add a column (offline too: the next push creates it)")
    column_add.add_argument("name", metavar="NAME")
    column_edit = column_actions.add_parser("edit", parents=[common], help="change a column")
    column_edit.add_argument("name", metavar="NAME")
    column_edit.add_argument("line_item", metavar="LINE_ITEM",
                             help="the column's id, URL or label")
    for parser_of_column in (column_add, column_edit):
        required = parser_of_column is column_add
        parser_of_column.add_argument("--label", metavar="TEXT", required=required)
        parser_of_column.add_argument("--points", metavar="N", type=float, required=required,
                                      help="points possible")
        parser_of_column.add_argument("--tag", metavar="T")
        parser_of_column.add_argument("--start", metavar="ISO",
                                      help="when work opens (ISO 8601, e.g. 2026-12-01T08:00Z)")
        parser_of_column.add_argument("--end", metavar="ISO", help="when work is due (ISO 8601)")
        parser_of_column.add_argument("--json", action="store_true")
    column_add.add_argument("--offline", action="store_true",
                            help="only record it here; the next push creates it")
    column_remove = column_actions.add_parser(
        "remove", parents=[common], help="delete a column (on Canvas: its assignment)")
    column_remove.add_argument("name", metavar="NAME")
    column_remove.add_argument("line_item", metavar="LINE_ITEM")
    column_remove.add_argument("--yes", action="store_true",
                               help="do not ask (a terminal is asked to confirm)")


def _pull_flags(pull: argparse.ArgumentParser,
                common: argparse.ArgumentParser) -> None:
    pull.add_argument("name", metavar="NAME")
    pull.add_argument("--json", action="store_true")
    pull.add_argument("--time-limit", type=_seconds, metavar="SECONDS",
                      help="stop after this long (default: an hour; 0: no limit)")


def _show_flags(show: argparse.ArgumentParser,
                common: argparse.ArgumentParser) -> None:
    show.add_argument("name", metavar="NAME")
    show.add_argument("--line-item", metavar="ID", help="a line item's id, URL or label")
    show.add_argument("--pending-manual", action="store_true",
                      help="only submissions waiting for a manual grade")
    show.add_argument("--mine", action="store_true",
                      help="only my students in the split among graders (who I am: --grader, "
                           "else as `gradedesk split NAME --grader ME` remembered)")
    show.add_argument("--grader", metavar="NAME",
                      help="only this grader's students in the split among graders")
    show.add_argument("--json", action="store_true")


def _grade_flags(grade: argparse.ArgumentParser,
                 common: argparse.ArgumentParser) -> None:
    grade.add_argument("name", metavar="NAME")
    grade.add_argument("--line-item", metavar="ID", required=True)
    grade.add_argument("--user", metavar="ID", required=True,
                       help="the student's user id (or exact name or email)")
    grade.add_argument("--score", metavar="X", help='the score; "" clears it')
    grade.add_argument("--comment", metavar="TEXT", help="a new comment for the student")
    grade.add_argument("--rubric", metavar="LEVELS",
                       help='grade with the column\'s rubric: "Clarity=3,Evidence=2" (points, '
                            'or #N for the N-th level); the total is the score, the levels '
                            'lead the comment (--comment adds your words after them)')
    grade.add_argument("--grading-progress", metavar="V", choices=PROGRESS_VALUES_GRADING)
    grade.add_argument("--activity-progress", metavar="V", choices=PROGRESS_VALUES_ACTIVITY)
    grade.add_argument("--attach", metavar="URL", nargs="+", default=[],
                       help="file URL(s) the platform should attach to the submission")
    grade.add_argument("--json", action="store_true")


def _push_flags(push: argparse.ArgumentParser,
                common: argparse.ArgumentParser) -> None:
    push.add_argument("name", metavar="NAME")
    push.add_argument("--json", action="store_true")
    push.add_argument("--resolve", choices=("mine", "theirs", "both"),
                      help="settle conflicts: re-send mine, take theirs, or keep their grade "
                           "and add my comment")
    push.add_argument("--prioritize-non-tool-grade", action="store_true", default=None,
                      help="Canvas: keep a grade entered in the browser")
    push.add_argument("--preserve-score", action=argparse.BooleanOptionalAction, default=None,
                      help="Canvas: update the result without setting or clearing the grade")
    push.add_argument("--no-wait", action="store_true",
                      help="do not wait for file uploads to finish")
    push.add_argument("--time-limit", type=_seconds, metavar="SECONDS",
                      help="stop after this long; unsent grades stay queued (default: an "
                           "hour; 0: no limit)")


def _status_flags(status: argparse.ArgumentParser,
                  common: argparse.ArgumentParser) -> None:
    status.add_argument("name", metavar="NAME", nargs="?")
    status.add_argument("--json", action="store_true")


def _conflicts_flags(conflicts: argparse.ArgumentParser,
                     common: argparse.ArgumentParser) -> None:
    conflicts.add_argument("name", metavar="NAME")
    conflicts.add_argument("--json", action="store_true")


def _history_flags(history: argparse.ArgumentParser,
                   common: argparse.ArgumentParser) -> None:
    history.add_argument("name", metavar="NAME")
    history.add_argument("--line-item", metavar="ID")
    history.add_argument("--user", metavar="ID")
    history.add_argument("--limit", type=int, default=50, metavar="N")
    history.add_argument("--json", action="store_true")


def _resolve_flags(resolve: argparse.ArgumentParser,
                   common: argparse.ArgumentParser) -> None:
    resolve.add_argument("name", metavar="NAME")
    resolve.add_argument("choice", choices=("mine", "theirs", "both"),
                         help="re-send mine, take theirs, or keep their grade and add my "
                              "comment")
    resolve.add_argument("--line-item", metavar="ID", help="only this line item's conflicts")
    resolve.add_argument("--user", metavar="ID", help="only this student's conflicts")
    resolve.add_argument("--json", action="store_true")


def _discard_flags(discard: argparse.ArgumentParser,
                   common: argparse.ArgumentParser) -> None:
    discard.add_argument("name", metavar="NAME")
    discard.add_argument("--line-item", metavar="ID")
    discard.add_argument("--user", metavar="ID")
    discard.add_argument("--json", action="store_true")


def _export_flags(export: argparse.ArgumentParser,
                  common: argparse.ArgumentParser) -> None:
    export.add_argument("name", metavar="NAME")
    which = export.add_mutually_exclusive_group(required=True)
    which.add_argument("--line-item", metavar="ID")
    which.add_argument("--all", action="store_true")
    export.add_argument("file", metavar="FILE.csv")


def _import_flags(importing: argparse.ArgumentParser,
                  common: argparse.ArgumentParser) -> None:
    importing.add_argument("name", metavar="NAME")
    importing.add_argument("file", metavar="FILE.csv")
    importing.add_argument("--dry-run", action="store_true",
                           help="show what would change and change nothing")
    importing.add_argument("--json", action="store_true")


def _proposals_flags(proposals: argparse.ArgumentParser,
                     common: argparse.ArgumentParser) -> None:
    proposals.add_argument("name", metavar="NAME")
    proposals.add_argument("--line-item", metavar="ID", help="only this line item's")
    proposals.add_argument("--json", action="store_true")


def _review_flags(review: argparse.ArgumentParser,
                  common: argparse.ArgumentParser) -> None:
    review.add_argument("name", metavar="NAME")
    review.add_argument("--line-item", metavar="ID", help="only this line item's")
    review.add_argument("--user", metavar="ID", help="only this student's")
    review.add_argument("--json", action="store_true")


def _name_and_column(parser: argparse.ArgumentParser) -> None:
    """NAME and --line-item ID: what a command about one column of a connection takes."""
    parser.add_argument("name", metavar="NAME")
    parser.add_argument("--line-item", metavar="ID", required=True,
                        help="the column's id, URL or label")


def _hold_flags(hold: argparse.ArgumentParser,
                common: argparse.ArgumentParser) -> None:
    _name_and_column(hold)
    hold.add_argument("--json", action="store_true")


def _release_flags(release: argparse.ArgumentParser,
                   common: argparse.ArgumentParser) -> None:
    _hold_flags(release, common)
    release.add_argument("--no-push", action="store_true",
                         help="only lift the hold; the next push sends the grades")


def _rubric_flags(rubric: argparse.ArgumentParser,
                  common: argparse.ArgumentParser) -> None:
    actions = rubric.add_subparsers(dest="rubric_action", metavar="ACTION", required=True)
    described = {"import": "give a column a rubric from a JSON file (replacing one proposes "
                           "the recomputed grades for review)",
                 "export": 'write a column\'s rubric to a JSON file ("-": standard output)',
                 "show": "print a column's rubric"}
    for action, help_text in described.items():
        sub = actions.add_parser(action, parents=[common], help=help_text)
        _name_and_column(sub)
        if action != "show":
            sub.add_argument("file", metavar="FILE.json")
        if action != "export":
            sub.add_argument("--json", action="store_true")


def _split_flags(split: argparse.ArgumentParser,
                 common: argparse.ArgumentParser) -> None:
    split.add_argument("name", metavar="NAME")
    scope = split.add_mutually_exclusive_group()
    scope.add_argument("--line-item", metavar="ID",
                       help="split the students of this column (its id, URL or label)")
    scope.add_argument("--all", action="store_true",
                       help="one split for every column of the course")
    scope.add_argument("--load", metavar="FILE.json",
                       help="store a split from its file (a teacher's, hand-edited or not)")
    split.add_argument("--graders", metavar='"Ana,Ben,Chi"',
                       help="the graders, in order, separated by commas")
    split.add_argument("--by", choices=("name", "section", "balanced"),
                       help="alphabetical blocks, whole sections, or even counts in a seeded "
                            "shuffle (the default)")
    split.add_argument("--seed", type=int, metavar="N",
                       help="the shuffle's seed (default 0): the same seed, roster and graders "
                            "give the same split on every computer")
    split.add_argument("--out", metavar="FILE.json",
                       help="also write the split to a file to share or edit by hand")
    split.add_argument("--grader", metavar="ME",
                       help="remember that I am this grader here (show --mine and the window "
                            "default to my students)")
    split.add_argument("--json", action="store_true")


def _progress_flags(progress: argparse.ArgumentParser,
                    common: argparse.ArgumentParser) -> None:
    progress.add_argument("name", metavar="NAME")
    progress.add_argument("--line-item", metavar="ID",
                          help="one column (default: every column a split applies to)")
    progress.add_argument("--json", action="store_true")


def _late_flags(late: argparse.ArgumentParser,
                common: argparse.ArgumentParser) -> None:
    _name_and_column(late)
    late.add_argument("--percent", metavar="P",
                      help="percent of the score taken off per day (or hour) late")
    late.add_argument("--per", metavar="day|hour",
                      help="what P is per (default day); a part of one counts as a whole one")
    late.add_argument("--cap", metavar="C",
                      help="the most taken off in all, in percent of the score")
    late.add_argument("--no-cap", action="store_true", help="remove the cap")
    late.add_argument("--grace", metavar="MINUTES",
                      help="work this many minutes after the due date is on time")
    late.add_argument("--show", action="store_true",
                      help="print the column's late rule and due date; propose nothing")
    late.add_argument("--forget", action="store_true",
                      help="forget the column's late rule (grades already changed stay)")
    late.add_argument("--dry-run", action="store_true",
                      help="show what would be proposed; store nothing")
    late.add_argument("--json", action="store_true")


def _missing_flags(missing: argparse.ArgumentParser,
                   common: argparse.ArgumentParser) -> None:
    _name_and_column(missing)
    missing.add_argument("--dry-run", action="store_true",
                         help="show who would get a 0; store nothing")
    missing.add_argument("--json", action="store_true")


def _gui_flags(gui: argparse.ArgumentParser,
               common: argparse.ArgumentParser) -> None:
    add_gui_arguments(gui, with_data_dir=False)


def _doctor_flags(doctor: argparse.ArgumentParser,
                  common: argparse.ArgumentParser) -> None:
    doctor.add_argument("--json", action="store_true")


_AddFlags = Callable[[argparse.ArgumentParser, argparse.ArgumentParser], None]

_COMMANDS: dict[str, _Command] = {
    # The sandbox owns its flags (main hands them over untouched); listed here for --help.
    "sandbox": _Command("run the built-in sandbox platform (Canvas-faithful AGS + LTIAAS API) "
                        "on loopback", None, common=False),
    "demo": _Command("start a sandbox course and pull it through the AGS client (a quick tour)",
                     _demo_flags, common=False),
    "connection": _Command("add, list, test or remove platform connections", _connection_flags),
    "column": _Command("add, change or remove columns (line items)", _column_flags),
    "pull": _Command("fetch line items, results and students", _pull_flags),
    "show": _Command("show line items, or one line item's students", _show_flags),
    "grade": _Command("record a grade as a draft (works offline)", _grade_flags),
    "push": _Command("send drafts, then wait for file uploads", _push_flags),
    "status": _Command("drafts, queued, conflicts, failures and file jobs", _status_flags),
    "conflicts": _Command("list conflicts, mine and theirs side by side", _conflicts_flags),
    "history": _Command("the audit log: every request that changed a grade", _history_flags),
    "resolve": _Command("settle conflicts one by one (push sends the result)", _resolve_flags),
    "discard": _Command("drop local changes not sent yet (all, one line item's or one "
                        "student's)", _discard_flags),
    "export": _Command("write scores as a Canvas gradebook CSV", _export_flags),
    "import": _Command("read a Canvas gradebook CSV into drafts", _import_flags),
    "proposals": _Command("list proposed grades (rubric changes, late and missing rules) "
                          "waiting for review", _proposals_flags),
    "accept": _Command("accept proposed grades: each becomes a queued draft",
                       _review_flags),
    "reject": _Command("drop proposed grades", _review_flags),
    "hold": _Command("hold a column's grades: saved and queued, not sent until released "
                     "(local)", _hold_flags),
    "release": _Command("release a held column and send its grades in one push",
                        _release_flags),
    "rubric": _Command("import, export or show a column's rubric (local)", _rubric_flags),
    "split": _Command("split the students among graders, the same on every computer, or "
                      "load a teacher's split file (local)", _split_flags),
    "progress": _Command("each grader's progress: assigned, graded, drafted, left (local)",
                         _progress_flags),
    "late": _Command("apply a column's late rule: propose the penalised grades for review "
                     "(local)", _late_flags),
    "missing": _Command("propose 0 for students with no submission after the due date "
                        "(local)", _missing_flags),
    "gui": _Command("open the GradeDesk window", _gui_flags),
    "doctor": _Command("check Python, Qt, the display, the keyring, the data folder, the "
                       "database and each connection; say how to fix what is wrong",
                       _doctor_flags),
}


def _open_window(args: argparse.Namespace) -> int:
    """``gradedesk`` with no command: the window, on the sandbox course when no real platform
    is configured yet; without a display, the text tour of the sandbox instead."""
    if not has_display():
        from gradedesk.cli.tour import run_tour

        print("No display found, so here is the sandbox course as text. On a desktop, "
              "`gradedesk` opens the window; `gradedesk gui --screenshot out.png --sandbox` "
              "renders it to a picture anywhere.\n", file=sys.stderr)
        return run_tour(seed=1, out=sys.stdout)
    from gradedesk.paths import data_dir
    from gradedesk.store import open_database
    from gradedesk.store.connections import is_sandbox, list_connections

    folder = data_dir(args.data_dir)
    db = open_database(folder)
    try:
        # Only the sandbox so far (it lives in memory, gone with the last run): start it again.
        only_sandbox = all(is_sandbox(row) for row in list_connections(db))
    finally:
        db.close()
    window_args = build_parser(["gui"]).parse_args(["gui"])
    window_args.data_dir = args.data_dir
    window_args.verbose = args.verbose
    window_args.sandbox = only_sandbox
    from gradedesk.ui.app import run_gui

    return run_gui(window_args)


def main(argv: Sequence[str] | None = None) -> int:
    args_list = list(sys.argv[1:] if argv is None else argv)
    if args_list[:1] == ["sandbox"]:
        # The sandbox owns its flags (--port, --seed, ...); hand them over untouched.
        from gradedesk.sandbox.cli import main as sandbox_main

        return sandbox_main(args_list[1:])
    parser = build_parser(args_list)
    args = parser.parse_args(args_list)
    try:
        if args.command is None:
            return _open_window(args)
        if args.command == "demo":
            from gradedesk.cli.tour import run_tour

            return run_tour(seed=getattr(args, "seed", 1), out=sys.stdout)
        if args.command == "gui":
            from gradedesk.ui.app import run_gui

            return run_gui(args)
        from gradedesk.cli.commands import run_command

        return run_command(args)
    except TimeLimitReached as stopped:
        print(f"gradedesk: {stopped.user_message} Nothing is lost: run it again, or give "
              "--time-limit SECONDS for longer.", file=sys.stderr)
        return 1
    except Cancelled:
        print("gradedesk: cancelled.", file=sys.stderr)
        return 130
    except GradeDeskError as error:
        print(f"gradedesk: {error.user_message}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        return 130
    except BrokenPipeError:
        # The reader went away (`gradedesk show ... | head`): stop quietly, as Unix tools do.
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        return 0
    except Exception as error:  # noqa: BLE001 - a bug: one line here, the traceback in the log
        from gradedesk.cli.crash import report_crash

        return report_crash(args, error)


if __name__ == "__main__":  # pragma: no cover
    raise SystemExit(main())
