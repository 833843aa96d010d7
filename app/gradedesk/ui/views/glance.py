"""At a glance: a line item's score histogram with mean, median and how many are graded.

Computed on the GUI thread from rows already in memory (a few thousand numbers at most), and
updated whenever the table's rows change.
"""

from __future__ import annotations

from collections.abc import Sequence

from PySide6.QtCore import QRectF, QSize, Qt
from PySide6.QtGui import QPainter, QPaintEvent, QPalette
from PySide6.QtWidgets import QLabel, QSizePolicy, QVBoxLayout, QWidget

from gradedesk.ui.models.base import format_score

BINS = 10


def histogram(scores: Sequence[float], maximum: float, bins: int = BINS) -> list[int]:
    """Counts of scores in ``bins`` equal bins over 0..maximum (above maximum: last bin)."""
    counts = [0] * bins
    if maximum <= 0:
        return counts
    for score in scores:
        share = score / maximum
        if share != share:  # NaN: no bin holds it
            continue
        # Clamp before int(): 1e308 over 0.5 is infinite, and int() of that raises.
        counts[max(0, min(bins - 1, int(min(max(share, 0.0), 1.0) * bins)))] += 1
    return counts


class Histogram(QWidget):
    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setAccessibleName("Score histogram")
        self.setMinimumHeight(56)
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Fixed)
        self.counts: list[int] = [0] * BINS

    def sizeHint(self) -> QSize:
        return QSize(200, 64)

    def set_counts(self, counts: list[int]) -> None:
        self.counts = counts
        self.update()

    def paintEvent(self, event: QPaintEvent) -> None:
        painter = QPainter(self)
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        palette = self.palette()
        width, height = float(self.width()), float(self.height())
        painter.setPen(palette.color(QPalette.ColorRole.Mid))
        painter.drawLine(0, int(height) - 1, int(width), int(height) - 1)
        top = max(self.counts) if self.counts else 0
        if top == 0:
            painter.end()
            return
        slot = width / len(self.counts)
        painter.setPen(Qt.PenStyle.NoPen)
        painter.setBrush(palette.color(QPalette.ColorRole.Highlight))
        for i, count in enumerate(self.counts):
            bar = (height - 4) * count / top
            painter.drawRect(QRectF(i * slot + 1, height - 1 - bar, slot - 2, bar))
        painter.end()


class GlancePanel(QWidget):
    """Histogram plus one line of statistics for the current line item."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("glancePanel")
        self.setAccessibleName("At a glance")
        layout = QVBoxLayout(self)
        layout.setContentsMargins(4, 4, 4, 4)
        self.title = QLabel("At a glance", self)
        self.title.setAccessibleName("At a glance title")
        font = self.title.font()
        font.setBold(True)
        self.title.setFont(font)
        self.chart = Histogram(self)
        self.stats = QLabel(self)
        self.stats.setAccessibleName("Score statistics")
        self.stats.setWordWrap(True)
        layout.addWidget(self.title)
        layout.addWidget(self.chart)
        layout.addWidget(self.stats)
        self.summary = ""
        self.show_scores("", [], 0.0, 0)

    def show_scores(self, label: str, scores: Sequence[float], maximum: float,
                    students: int) -> None:
        self.title.setText(f"At a glance: {label}" if label else "At a glance")
        self.title.setToolTip(self.title.text())
        self.chart.set_counts(histogram(scores, maximum))
        if scores:
            import statistics  # here: the first frame shows no line item yet

            mean = statistics.fmean(scores)
            median = statistics.median(scores)
            text = (f"Graded {len(scores)} of {students}  ·  mean {format_score(mean)}  ·  "
                    f"median {format_score(median)}  ·  out of {format_score(maximum)}")
        else:
            text = f"Graded 0 of {students}" if students else "No line item selected"
        self.summary = text
        self.stats.setText(text)
        self.chart.setAccessibleDescription(
            "Scores in ten bins from 0 to the maximum: "
            + ", ".join(str(c) for c in self.chart.counts))
