"""The seeded course: people, line items, results, submissions, comments and Progress jobs.

Everything is derived from the seed, so the same seed gives the same course. All state lives
here and is touched only from the server's event loop (admin helpers take the lock).
"""

from __future__ import annotations

import csv
import io
import random
import threading
import uuid
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

ROLE = "http://purl.imsglobal.org/vocab/lis/v2/membership"
LEARNER = f"{ROLE}#Learner"
INSTRUCTOR = f"{ROLE}#Instructor"
TA = f"{ROLE}/Instructor#TeachingAssistant"
DESIGNER = f"{ROLE}#ContentDeveloper"

GIVEN = ["Ada", "Ben", "Chiara", "Dmitri", "Esi", "Farah", "Gustavo", "Hana", "Ibrahim", "Jonas",
         "Kalani", "Lucía", "Mateo", "Nadia", "Oluwaseun", "Priya", "Quentin", "Rosa", "Sven",
         "Thandiwe", "Uma", "Viktor", "Wen", "Ximena", "Yusuf", "Zofia", "Amara", "Bao",
         "Camille", "Dev", "Elif", "Finn", "Grace", "Hiro", "Imani", "Jae", "Keanu", "Leila"]
FAMILY = ["Park", "Ortiz", "Nakamura", "Okafor", "Lindqvist", "Haddad", "Moreau", "Kowalski",
          "Mensah", "García", "Ivanova", "Chen", "Singh", "O'Brien", "Rossi", "Adeyemi",
          "Novak", "Tanaka", "Silva", "Fischer", "Dubois", "Kaur", "Yilmaz", "Nguyen", "Murphy",
          "Schmidt", "Jensen", "Alvarez", "Kim", "Ali"]
SECTIONS = ["Section A (Mon/Wed)", "Section B (Tue/Thu)", "Section C (Online)"]
LABELS = ["Lab 1: Microscopy", "Quiz 1: Cells", "Essay: Ethics of CRISPR", "Lab 2: Osmosis",
          "Midterm Exam", "Lab 3: Enzyme Kinetics", "Quiz 2: Genetics", "Field Report",
          "Lab 4: Photosynthesis", "Final Project"]
TAGS = {"Lab": "lab", "Quiz": "quiz", "Essay": "essay", "Midterm": "exam", "Field": "report",
        "Final": "project"}
COMMENTS = ["Clear method section; check your units.", "Good work.",
            "Please cite the second source.", "Late, but thorough.",
            "See me about question 3.", "Excellent analysis of the data."]


@dataclass
class Person:
    canvas_id: int
    lti_id: str  # the LTI 1.3 UUID that AGS and NRPS use
    given: str | None
    family: str | None
    email: str | None
    roles: list[str]
    section: str | None = None
    test_student: bool = False

    @property
    def name(self) -> str | None:
        if self.given and self.family:
            return f"{self.given} {self.family}"
        return None

    @property
    def is_student(self) -> bool:
        return LEARNER in self.roles


@dataclass
class LineItemRecord:
    number: int
    label: str
    score_maximum: float
    client_id: str
    resource_id: str | None = None
    tag: str | None = None
    resource_link_id: str | None = None
    start: str | None = None
    end: str | None = None
    submission_type: dict[str, Any] | None = None
    deleted: bool = False
    coupled: bool = False


@dataclass
class ResultRecord:
    number: int
    score: float | None = None  # resultScore: last raw scoreGiven
    maximum: float | None = None
    grade: float | None = None  # the gradebook's points (scaled)
    comment: str | None = None  # last tool comment
    comments: list[dict[str, Any]] = field(default_factory=list)  # every comment, in order
    updated_at: datetime = field(default_factory=lambda: datetime.now(UTC))
    attempts: int = 0
    grading_progress: str | None = None
    activity_progress: str | None = None
    extension: dict[str, Any] | None = None  # the last submission extension, echoed
    needs_review: bool = False


@dataclass
class ProgressRecord:
    number: int
    line_item: int
    user: str
    url: str
    title: str
    state: str = "queued"
    message: str | None = None
    created_at: datetime = field(default_factory=lambda: datetime.now(UTC))
    updated_at: datetime = field(default_factory=lambda: datetime.now(UTC))
    attachment_id: int | None = None


class Course:
    def __init__(self, *, seed: int, students: int, line_items: int, client_id: str,
                 other_client_id: str) -> None:
        self.lock = threading.RLock()
        rng = random.Random(seed)
        self.course_id = 100 + seed % 900
        self.title = "Biology 101: Cells to Systems"
        self.label = "BIO-101"
        self.context_uuid = str(uuid.UUID(int=rng.getrandbits(128), version=4))
        self.client_id = client_id
        self.people: list[Person] = []
        self.by_lti: dict[str, Person] = {}
        self.by_canvas: dict[int, Person] = {}
        self.line_items: dict[int, LineItemRecord] = {}
        self.results: dict[tuple[int, str], ResultRecord] = {}
        self.progress: dict[int, ProgressRecord] = {}
        self.ledger: list[dict[str, Any]] = []
        self.resource_links: dict[str, int | None] = {}
        # The developer key pasted by "the administrator" (public_jwk and scopes), if any.
        self.developer_key: dict[str, Any] | None = None
        self._next_result = 900
        self._next_progress = 5500
        self._next_attachment = 7000
        self._make_people(rng, students)
        self._make_line_items(rng, line_items, client_id, other_client_id)
        self._make_results(rng)

    # --- seeding ------------------------------------------------------------------------------

    def _uuid(self, rng: random.Random) -> str:
        return str(uuid.UUID(int=rng.getrandbits(128), version=4))

    def _add(self, person: Person) -> None:
        self.people.append(person)
        self.by_lti[person.lti_id] = person
        self.by_canvas[person.canvas_id] = person

    def _make_people(self, rng: random.Random, students: int) -> None:
        canvas_id = 2000
        used: set[tuple[str, str]] = set()
        for index in range(students):
            canvas_id += 1
            while True:
                given, family = rng.choice(GIVEN), rng.choice(FAMILY)
                if (given, family) not in used or len(used) >= len(GIVEN) * len(FAMILY):
                    break
            used.add((given, family))
            nameless = students >= 10 and index in (7, 15)  # privacy: name and email hidden
            self._add(Person(
                canvas_id=canvas_id, lti_id=self._uuid(rng),
                given=None if nameless else given, family=None if nameless else family,
                email=None if nameless else _email(given, family, index),
                roles=[LEARNER], section=SECTIONS[index % len(SECTIONS)]))
        self._add(Person(canvas_id=1001, lti_id=self._uuid(rng), given="Miriam",
                         family="Okonkwo", email="m.okonkwo@example.edu", roles=[INSTRUCTOR]))
        self._add(Person(canvas_id=1002, lti_id=self._uuid(rng), given="Tomás",
                         family="Reyes", email="t.reyes@example.edu", roles=[TA, INSTRUCTOR]))
        self._add(Person(canvas_id=1003, lti_id=self._uuid(rng), given="Test", family="Student",
                         email=None, roles=[LEARNER], test_student=True))

    def _make_line_items(self, rng: random.Random, count: int, client_id: str,
                         other_client_id: str) -> None:
        term_start = datetime(2026, 9, 1, 8, tzinfo=UTC)
        for index in range(count):
            label = LABELS[index % len(LABELS)]
            if index >= len(LABELS):
                label = f"{label} ({index // len(LABELS) + 1})"
            maximum = rng.choice([10.0, 20.0, 25.0, 50.0, 100.0])
            link = self._uuid(rng)
            start = term_start + timedelta(weeks=index)
            self.line_items[31 + index] = LineItemRecord(
                number=31 + index, label=label, score_maximum=maximum, client_id=client_id,
                resource_id=f"{TAGS.get(label.split()[0].rstrip(':'), 'work')}-{index + 1}",
                tag=TAGS.get(label.split()[0].rstrip(":"), "work"), resource_link_id=link,
                start=start.strftime("%Y-%m-%dT%H:%M:%SZ"),
                end=(start + timedelta(days=7, hours=15, minutes=59)).strftime(
                    "%Y-%m-%dT%H:%M:%SZ"),
                coupled=True)  # made by Canvas with its assignment: DELETE gets an empty 401
            self.resource_links[link] = 31 + index
        # Another developer key's item: never listed to us, 412 when named.
        self.line_items[999] = LineItemRecord(
            number=999, label="Publisher quiz", score_maximum=10.0, client_id=other_client_id)

    def _make_results(self, rng: random.Random) -> None:
        students = [p for p in self.people if p.is_student and not p.test_student]
        base_time = datetime(2026, 9, 20, 12, tzinfo=UTC)
        for number, item in self.line_items.items():
            if item.client_id != self.client_id:
                continue
            for student in students:
                roll = rng.random()
                if roll < 0.25:
                    continue  # not graded yet: no result at all
                record = self.new_result(number, student.lti_id)
                record.updated_at = base_time + timedelta(minutes=rng.randrange(0, 20000))
                record.activity_progress = "Submitted" if roll < 0.35 else "Completed"
                if roll < 0.35:
                    record.grading_progress = "PendingManual"
                    record.needs_review = True
                    record.extension = {"submission_type": "online_text_entry",
                                        "submission_data": "My answer: osmosis moves water "
                                        "toward the higher solute concentration.",
                                        "submitted_at": record.updated_at.isoformat()}
                    continue
                record.grading_progress = "FullyGraded"
                score = round(item.score_maximum * rng.uniform(0.45, 1.0) * 2) / 2
                record.score, record.maximum = score, item.score_maximum
                record.grade = score
                record.attempts = 1
                if rng.random() < 0.3:
                    text = rng.choice(COMMENTS)
                    record.comment = text
                    record.comments.append({"comment": text, "author": None,
                                            "created_at": record.updated_at.isoformat()})

    # --- lookups ------------------------------------------------------------------------------

    def new_result(self, line_item: int, user: str) -> ResultRecord:
        self._next_result += 1
        record = ResultRecord(number=self._next_result)
        self.results[(line_item, user)] = record
        return record

    def person(self, user_id: object) -> Person | None:
        text = str(user_id) if isinstance(user_id, int | str) else ""
        if text.isdigit():
            return self.by_canvas.get(int(text))
        return self.by_lti.get(text)

    def learners(self) -> list[Person]:
        return [p for p in self.people if p.is_student]

    def new_progress(self, line_item: int, user: str, url: str, title: str) -> ProgressRecord:
        self._next_progress += 1
        record = ProgressRecord(self._next_progress, line_item, user, url, title)
        self.progress[record.number] = record
        return record

    def new_attachment_id(self) -> int:
        self._next_attachment += 1
        return self._next_attachment


# Canvas's gradebook export starts with these columns; the course CSV has them alone.
ROSTER_CSV_COLUMNS = ("Student", "ID", "SIS User ID", "SIS Login ID", "Section")


def course_csv(course: Course) -> str:
    """The course's students and their sections in the layout of Canvas's gradebook export
    (Canvas > Grades > Export), without assignment columns: the Section column is where a tool
    learns sections, which Canvas's Names and Roles does not send. ``ID`` is the LTI user id
    the tool sees (Canvas's own export has its numeric user id, which the tool cannot match),
    so ``gradedesk import`` reads it as is."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(ROSTER_CSV_COLUMNS)
    with course.lock:
        learners = list(course.learners())
    for person in learners:
        sortable = f"{person.family}, {person.given}" if person.given and person.family else ""
        writer.writerow([sortable, person.lti_id, "", person.email or "", person.section or ""])
    return out.getvalue()


def _email(given: str, family: str, index: int) -> str:
    local = f"{given}.{family}".lower().replace("'", "")
    return f"{local}{index}@students.example.edu"
