"""Issue 12, item 5: each start builds only the command it runs (``build_parser(argv)``). The
result must be what the whole parser gives for the same words: the same arguments, the same
help and the same errors."""

from __future__ import annotations

import pytest

from gradedesk.cli import build_parser

ARGVS = [
    ["show", "course"],
    ["--data-dir", "/tmp/d", "show", "course", "--line-item", "3", "--json"],
    ["--data-dir=/tmp/d", "grade", "course", "--line-item", "1", "--user", "u", "--score", "4",
     "--attach", "https://x/a.pdf", "https://x/b.pdf"],
    ["--data", "/tmp/d", "status"],  # an abbreviation of --data-dir
    ["--data-dir", "show", "status"],  # "show" is the folder's name here
    ["status", "--data-dir", "/tmp/e"],
    ["connection", "add", "c", "--canvas", "https://school.instructure.com/courses/7",
     "--client-id", "1"],
    ["connection", "list", "--json"],
    ["column", "edit", "c", "3", "--points", "5"],
    ["push", "course", "--resolve", "mine", "--no-preserve-score", "--time-limit", "0"],
    ["pull", "course", "--time-limit", "30"],
    ["gui", "--size", "1280x800", "--sandbox"],
    ["export", "course", "--all", "out.csv"],
    ["demo", "--seed", "3"],
    [],
]
WRONG = [
    ["show"],  # NAME missing
    ["grade", "course", "--line-item", "1"],  # --user missing
    ["bogus"],
    ["--bogus", "show", "course"],
    ["status", "--bogus"],
    ["push", "course", "--time-limit", "-1"],
    ["gui", "--size", "10x10"],
    ["connection"],
    ["--version"],
    ["--help"],
    ["show", "--help"],
    ["connection", "add", "--help"],
    ["--data-dir", "/tmp/d", "column", "--help"],
]


@pytest.mark.parametrize("argv", ARGVS, ids=" ".join)
def test_the_command_alone_parses_as_the_whole_parser(argv: list[str]) -> None:
    assert vars(build_parser(argv).parse_args(argv)) == vars(build_parser().parse_args(argv))


@pytest.mark.parametrize("argv", WRONG, ids=" ".join)
def test_help_and_errors_are_the_whole_parsers(argv: list[str],
                                               capsys: pytest.CaptureFixture[str]) -> None:
    said = []
    for parser in (build_parser(argv), build_parser()):
        with pytest.raises(SystemExit) as stopped:
            parser.parse_args(argv)
        out, err = capsys.readouterr()
        said.append((stopped.value.code, out, err))
    assert said[0] == said[1]
