"""How a grader names a student: the one rule the CLI and the window share.

"Murphy, Oluwaseun", "Oluwaseun Murphy", "oluwaseun murphy", an accent-free "Mateo Garcia" for
"Mateo García", a surname that only one student has, an email or a user id all name the same
person; a filter finds "García" when typed "garcia".
"""

from __future__ import annotations

import unicodedata
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import TypeVar

T = TypeVar("T")


def fold(text: str | None) -> str:
    """Text as names are compared: accents dropped, case folded, spaces collapsed."""
    if not text:
        return ""
    decomposed = unicodedata.normalize("NFKD", text)
    bare = "".join(c for c in decomposed if not unicodedata.combining(c))
    return " ".join(bare.casefold().replace(",", " , ").split()).replace(" , ", ", ")


@dataclass(frozen=True, slots=True)
class PersonNames:
    """What a student can be called by."""

    user_id: str
    name: str | None = None
    given_name: str | None = None
    family_name: str | None = None
    sort_name: str | None = None
    email: str | None = None

    def full_names(self) -> set[str]:
        """Every way of writing the whole name, folded: "first last" and "last, first"."""
        forms = {fold(self.name), fold(self.sort_name)}
        if self.given_name and self.family_name:
            forms.add(fold(f"{self.given_name} {self.family_name}"))
            forms.add(fold(f"{self.family_name}, {self.given_name}"))
        for text in (self.name, self.sort_name):
            folded = fold(text)
            if ", " in folded:  # "last, first" -> "first last"
                last, first = folded.split(", ", 1)
                forms.add(f"{first} {last}")
            elif " " in folded:
                first, last = folded.rsplit(" ", 1)
                forms.add(f"{last}, {first}")
        forms.discard("")
        return forms

    def surname(self) -> str:
        if self.family_name:
            return fold(self.family_name)
        folded = fold(self.name or "")
        return folded.rsplit(" ", 1)[-1] if folded else ""

    def searchable(self) -> str:
        """One folded text holding every name and the email, for filters."""
        return " | ".join(sorted(self.full_names() | {fold(self.email), self.user_id.casefold()}))


class Ambiguous(Exception):
    """More than one student answers to the name; ``candidates`` lists them."""

    def __init__(self, candidates: Sequence[object]) -> None:
        super().__init__(f"{len(candidates)} students match")
        self.candidates = tuple(candidates)


def find_person(query: str, people: Sequence[T], names: Callable[[T], PersonNames]) -> T | None:
    """The one person ``query`` names (by id, email, whole name or a unique surname), None when
    nobody matches; raises Ambiguous when several do at the most exact level that matches."""
    text = query.strip()
    if not text:
        return None
    folded = fold(text)
    tiers: tuple[Callable[[PersonNames], bool], ...] = (
        lambda p: p.user_id == text,
        lambda p: bool(p.email) and fold(p.email) == folded,
        lambda p: folded in p.full_names(),
        lambda p: p.surname() == folded,
    )
    for matches in tiers:
        found = [person for person in people if matches(names(person))]
        if len(found) == 1:
            return found[0]
        if len(found) > 1:
            raise Ambiguous(found)
    return None


def matches_filter(query: str, person: PersonNames) -> bool:
    """A table filter: every word typed appears in the student's names, email or id."""
    haystack = person.searchable()
    return all(word in haystack for word in fold(query).replace(",", " ").split())
