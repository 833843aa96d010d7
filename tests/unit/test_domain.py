"""The domain's values: platform rules, exact wire names, unknown fields kept, strict parsing."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta, timezone
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from gradedesk.domain import (
    CANVAS_SUBMISSION_EXTENSION,
    ActivityProgress,
    CanvasSubmission,
    ContentItem,
    GradeDeskError,
    GradingProgress,
    InputError,
    InvalidWireData,
    LineItem,
    Member,
    Progress,
    ProgressState,
    Result,
    Score,
    ScoreReceipt,
    format_timestamp,
    parse_score_input,
    parse_timestamp,
    utc_now,
)

NOW = datetime(2026, 3, 1, 8, 30, 15, 123000, tzinfo=UTC)


def make_score(**changes: Any) -> Score:
    fields: dict[str, Any] = {
        "user_id": "8f3c2e1a",
        "activity_progress": ActivityProgress.COMPLETED,
        "grading_progress": GradingProgress.FULLY_GRADED,
        "timestamp": NOW,
        "score_given": 41.5,
        "score_maximum": 50.0,
    }
    fields.update(changes)
    return Score(**fields)


class TestScoreRules:
    def test_a_valid_score_goes_out_with_the_exact_wire_names(self) -> None:
        wire = make_score(comment="Good.").to_wire()
        assert wire == {
            "userId": "8f3c2e1a",
            "scoreGiven": 41.5,
            "scoreMaximum": 50.0,
            "comment": "Good.",
            "timestamp": "2026-03-01T08:30:15.123+00:00",
            "activityProgress": "Completed",
            "gradingProgress": "FullyGraded",
        }

    def test_score_given_needs_score_maximum(self) -> None:
        with pytest.raises(InputError, match="scoreMaximum must be given"):
            make_score(score_maximum=None)

    @pytest.mark.parametrize("field", ["score_given", "score_maximum"])
    def test_negative_scores_are_refused(self, field: str) -> None:
        with pytest.raises(InputError, match="greater than or equal to 0"):
            make_score(**{field: -1})

    @pytest.mark.parametrize("bad", [float("nan"), float("inf")])
    def test_non_finite_scores_are_refused(self, bad: float) -> None:
        with pytest.raises(InputError, match="finite"):
            make_score(score_given=bad)

    def test_zero_is_a_score_not_an_absence(self) -> None:
        wire = make_score(score_given=0, score_maximum=0).to_wire()
        assert wire["scoreGiven"] == 0 and wire["scoreMaximum"] == 0

    def test_a_score_may_exceed_its_maximum(self) -> None:
        assert make_score(score_given=55).score_given == 55

    def test_naive_timestamps_are_refused(self) -> None:
        with pytest.raises(InputError, match="no timezone"):
            make_score(timestamp=datetime(2026, 3, 1, 8, 0))

    @pytest.mark.parametrize("field", ["activity_progress", "grading_progress"])
    def test_unknown_progress_values_are_refused(self, field: str) -> None:
        with pytest.raises(InputError, match="use one of"):
            make_score(**{field: "Initiated"})

    def test_wire_strings_become_enums(self) -> None:
        score = make_score(activity_progress="Submitted", grading_progress="PendingManual")
        assert score.activity_progress is ActivityProgress.SUBMITTED
        assert score.grading_progress is GradingProgress.PENDING_MANUAL

    def test_five_values_each(self) -> None:
        assert [v.value for v in ActivityProgress] == [
            "Initialized", "Started", "InProgress", "Submitted", "Completed"]
        assert {v.value for v in GradingProgress} == {
            "FullyGraded", "Pending", "PendingManual", "Failed", "NotReady"}

    def test_canvas_extension_and_files_round_trip(self) -> None:
        item = ContentItem.for_file("https://tool.example/files/Lab%203%20report.pdf")
        assert item.title == "Lab 3 report.pdf"
        assert item.media_type == "application/pdf"
        titled = ContentItem.for_file("https://tool.example/f/essay.txt", title="My essay")
        assert (titled.title, titled.media_type) == ("My essay", "text/plain")
        score = make_score(
            submitted_at=NOW - timedelta(days=1),
            canvas=CanvasSubmission(
                new_submission=True, preserve_score=False, prioritize_non_tool_grade=True,
                submission_type="online_upload", submitted_at=NOW, content_items=(item,),
            ),
        )
        wire = score.to_wire()
        extension = wire[CANVAS_SUBMISSION_EXTENSION]
        assert extension["new_submission"] is True
        assert extension["prioritize_non_tool_grade"] is True
        assert extension["content_items"] == [{
            "type": "file", "url": item.url, "title": "Lab 3 report.pdf",
            "media_type": "application/pdf"}]
        assert wire["submission"] == {"submittedAt": "2026-02-28T08:30:15.123+00:00"}
        assert Score.from_wire(json.loads(json.dumps(wire))) == score

    def test_unknown_fields_survive_a_round_trip(self) -> None:
        wire = make_score().to_wire()
        wire["https://example.edu/ext"] = {"keep": ["me"]}
        assert Score.from_wire(wire).to_wire() == wire

    def test_content_items_must_be_web_urls(self) -> None:
        with pytest.raises(InputError, match="http"):
            ContentItem.for_file("file:///etc/passwd")

    def test_every_domain_error_has_a_user_message(self) -> None:
        with pytest.raises(GradeDeskError) as caught:
            make_score(score_given=-5)
        assert caught.value.user_message


class TestTimestamps:
    def test_milliseconds_and_an_explicit_offset(self) -> None:
        assert format_timestamp(NOW) == "2026-03-01T08:30:15.123+00:00"
        pacific = NOW.astimezone(timezone(timedelta(hours=-8)))
        assert format_timestamp(pacific) == "2026-03-01T00:30:15.123-08:00"

    def test_now_is_aware_utc_to_the_millisecond(self) -> None:
        now = utc_now()
        assert now.tzinfo is UTC and now.microsecond % 1000 == 0

    @pytest.mark.parametrize("text", ["2026-03-01T08:00:00Z", "2026-03-01T08:00:00.5+02:00"])
    def test_canvas_forms_parse(self, text: str) -> None:
        assert parse_timestamp(text).utcoffset() is not None

    @pytest.mark.parametrize("text", ["yesterday", "2026-03-01T08:00:00", ""])
    def test_bad_or_naive_timestamps_are_input_errors(self, text: str) -> None:
        with pytest.raises(InputError):
            parse_timestamp(text)

    @given(st.datetimes(timezones=st.timezones()))
    def test_format_then_parse_is_the_same_instant_to_the_ms(self, moment: datetime) -> None:
        back = parse_timestamp(format_timestamp(moment))
        assert abs(back - moment) < timedelta(milliseconds=1)

    @given(st.text(max_size=40))
    def test_any_text_parses_or_is_an_input_error(self, text: str) -> None:
        try:
            value = parse_timestamp(text)
        except InputError:
            return
        assert value.utcoffset() is not None


class TestLineItemsResultsMembers:
    CANVAS_ITEM = {
        "id": "https://c.edu/api/lti/courses/7/line_items/31",
        "scoreMaximum": 50.0, "label": "Lab 3", "resourceId": "lab-3", "tag": "lab",
        "resourceLinkId": "5d2f0a8e", "startDateTime": "2025-03-01T08:00:00Z",
        "https://canvas.instructure.com/lti/submission_type": {"type": "external_tool"},
    }

    def test_canvas_line_item_parses_and_keeps_extensions(self) -> None:
        item = LineItem.from_wire(self.CANVAS_ITEM)
        assert item.label == "Lab 3" and item.score_maximum == 50.0
        assert item.start_date_time == datetime(2025, 3, 1, 8, tzinfo=UTC)
        assert item.to_wire()["https://canvas.instructure.com/lti/submission_type"] == {
            "type": "external_tool"}

    def test_service_urls_go_before_the_query(self) -> None:
        item = LineItem(id="https://c.edu/x/line_items/31?a=1", label="L", score_maximum=1)
        assert item.results_url == "https://c.edu/x/line_items/31/results?a=1"
        assert item.scores_url == "https://c.edu/x/line_items/31/scores?a=1"

    def test_result_defaults_maximum_to_one_and_keeps_the_extension(self) -> None:
        result = Result.from_wire({
            "id": "r", "scoreOf": "li", "userId": "u", "resultScore": 0,
            CANVAS_SUBMISSION_EXTENSION: {"submitted_at": "2025-03-01T08:00:00Z"}})
        assert result.result_score == 0 and result.effective_maximum == 1.0
        assert result.canvas_submission == {"submitted_at": "2025-03-01T08:00:00Z"}

    def test_members_in_either_case_style(self) -> None:
        canvas = Member.from_wire({"user_id": "u1", "given_name": "Ada", "family_name": "Park",
                                   "roles": ["http://purl.imsglobal.org/vocab/lis/v2/membership#Learner"]})
        ltiaas = Member.from_wire({"userId": "u1", "givenName": "Ada", "familyName": "Park",
                                   "roles": ["Learner"]})
        assert canvas.sort_name == ltiaas.sort_name == "Park, Ada"
        assert canvas.is_learner and ltiaas.is_learner

    def test_a_nameless_member_still_has_a_display_name(self) -> None:
        member = Member.from_wire({"user_id": "3f2a9c1b-77", "roles": []})
        assert member.display_name == "User 3f2a9c1b"

    def test_progress_and_both_score_reply_shapes(self) -> None:
        progress = Progress.from_wire({"id": 5521, "workflow_state": "completed",
                                       "completion": 100.0, "results": {"id": 9}})
        assert progress.is_final and progress.workflow_state is ProgressState.COMPLETED
        newer = ScoreReceipt.from_wire({
            "resultUrl": "https://c.edu/r/908",
            CANVAS_SUBMISSION_EXTENSION: {"content_items": [{
                "type": "file", "url": "https://t/a.pdf", "title": "a.pdf",
                "progress": "https://c.edu/api/lti/courses/7/progress/5521"}]}})
        assert newer.progress_urls == ("https://c.edu/api/lti/courses/7/progress/5521",)
        older = ScoreReceipt.from_wire({"resultUrl": "https://c.edu/r/908"})
        assert older.progress_urls == () and older.result_url == "https://c.edu/r/908"


# --- Every parser: random JSON gives a value or a typed error, never a crash ---------------

json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats() | st.text(max_size=10),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=12), inner,
                                                                 max_size=6),
    max_leaves=20,
)
FIELD_NAMES = ["id", "label", "scoreMaximum", "userId", "user_id", "resultScore", "comment",
               "timestamp", "activityProgress", "gradingProgress", "workflow_state", "url",
               "title", "roles", "content_items", CANVAS_SUBMISSION_EXTENSION, "resultUrl",
               "submission", "startDateTime", "results"]
near_valid_objects = st.dictionaries(st.sampled_from(FIELD_NAMES), json_values, max_size=10)
PARSERS = [LineItem.from_wire, Result.from_wire, Score.from_wire, ScoreReceipt.from_wire,
           Progress.from_wire, Member.from_wire, ContentItem.from_wire]


@pytest.mark.parametrize("parse", PARSERS, ids=lambda p: p.__qualname__)
@given(body=json_values | near_valid_objects)
def test_parsers_never_crash_on_random_json(parse: Any, body: object) -> None:
    try:
        parse(body)
    except InvalidWireData as error:
        assert error.user_message
    except InputError as error:  # a value object refusing a field value
        assert error.user_message


class TestScoreInput:
    @pytest.mark.parametrize(("typed", "value"), [("7", 7.0), (" 7.5 ", 7.5), ("7,5", 7.5),
                                                   ("0", 0.0), ("", None), ("  ", None)])
    def test_numbers_and_blank(self, typed: str, value: float | None) -> None:
        assert parse_score_input(typed) == value

    @pytest.mark.parametrize(("typed", "reason"), [("abc", "not a number"),
                                                   ("-5", "0 or more"), ("nan", "finite"),
                                                   ("1,000.5", "not a number")])
    def test_bad_input_is_refused_with_the_reason(self, typed: str, reason: str) -> None:
        with pytest.raises(InputError, match=reason):
            parse_score_input(typed)


# --- Issue 9, finding 5: scores a grader cannot have meant ------------------------------------


@pytest.mark.parametrize(("score", "maximum"), [(1e9, 10), (101, 10), (101, 0)])
def test_a_score_far_above_the_maximum_is_refused_as_a_typo(score: float,
                                                            maximum: float) -> None:
    from gradedesk.domain import check_score_against_maximum

    with pytest.raises(InputError) as caught:
        check_score_against_maximum(score, maximum)
    assert "typo" in caught.value.user_message and "e+" not in caught.value.user_message


@pytest.mark.parametrize(("score", "maximum"), [(12, 10), (100, 10), (0, 0), (50, 0), (None, 5)])
def test_extra_credit_is_accepted(score: float | None, maximum: float) -> None:
    from gradedesk.domain import check_score_against_maximum, is_above_maximum

    check_score_against_maximum(score, maximum)
    assert is_above_maximum(score, maximum) == (score is not None and score > maximum)


@pytest.mark.parametrize(("value", "shown"), [
    (1e9, "1000000000"), (7.5, "7.5"), (8.0, "8"), (2 / 3, "0.67"), (0.1 + 0.2, "0.3"),
    (1e-7, "0"), (None, "")])
def test_scores_are_never_shown_in_scientific_notation(value: float | None, shown: str) -> None:
    from gradedesk.domain import format_score

    assert format_score(value) == shown
