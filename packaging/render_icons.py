"""Render GradeDesk's icons into resources/icons/ (the files are committed; run this again after
changing resources/gradedesk.svg or the state shapes in app/gradedesk/ui/icons.py):

* hicolor/<N>x<N>/apps/<APP_ID>.png for every size desktops look up, from resources/gradedesk.svg,
  and hicolor/scalable/apps/<APP_ID>.svg (a copy of it);
* states/<state>.svg and states/<state>.png (64 px), plus <state>-dark.* for dark backgrounds:
  the sync-state icons the window draws in code, in the window's colours, for the docs and the
  AppStream page. The window itself keeps drawing them (ui/icons.py); these are pictures of them.

    .venv/bin/python packaging/render_icons.py [--out resources/icons]
"""

from __future__ import annotations

import argparse
import os
import re
import shutil
import sys
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from PySide6.QtGui import QImage

ROOT = Path(__file__).resolve().parent.parent
APP_ID = "io.github.gradedesk.GradeDesk"
APP_SVG = ROOT / "resources" / "gradedesk.svg"
HICOLOR_SIZES = (16, 22, 24, 32, 48, 64, 128, 256, 512)
STATE_PNG_SIZE = 64


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--out", type=Path, default=ROOT / "resources" / "icons",
                        help="the icons folder to (re)write (default: resources/icons)")
    args = parser.parse_args(argv)
    # No window is shown: Qt needs no display for this.
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    sys.path.insert(0, str(ROOT / "app"))  # works from a clone without an install too
    from PySide6.QtGui import QGuiApplication

    app = QGuiApplication.instance() or QGuiApplication(sys.argv[:1])
    written = [*render_app_icons(args.out / "hicolor"), *render_state_icons(args.out / "states")]
    del app
    for path in written:
        print(path.relative_to(ROOT) if path.is_relative_to(ROOT) else path)
    return 0


def render_app_icons(hicolor: Path) -> list[Path]:
    from PySide6.QtCore import Qt
    from PySide6.QtGui import QImage, QPainter
    from PySide6.QtSvg import QSvgRenderer

    renderer = QSvgRenderer(str(APP_SVG))
    if not renderer.isValid():
        raise SystemExit(f"{APP_SVG} is not an SVG Qt can render")
    written = []
    for size in HICOLOR_SIZES:
        image = QImage(size, size, QImage.Format.Format_ARGB32_Premultiplied)
        image.fill(Qt.GlobalColor.transparent)
        painter = QPainter(image)
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        painter.setRenderHint(QPainter.RenderHint.SmoothPixmapTransform)
        renderer.render(painter)
        painter.end()
        target = hicolor / f"{size}x{size}" / "apps" / f"{APP_ID}.png"
        _save(image, target)
        written.append(target)
    scalable = hicolor / "scalable" / "apps" / f"{APP_ID}.svg"
    scalable.parent.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(APP_SVG, scalable)
    written.append(scalable)
    return written


def render_state_icons(folder: Path) -> list[Path]:
    from PySide6.QtCore import QRect, QSize, Qt
    from PySide6.QtGui import QColor, QImage, QPainter
    from PySide6.QtSvg import QSvgGenerator

    # The shapes and colours the window uses, drawn by the same code (ui/icons.py).
    from gradedesk.ui.icons import _STATE_SHAPES
    from gradedesk.ui.sync_states import LOOKS

    written = []
    for state, paint in _STATE_SHAPES.items():
        look = LOOKS[state]
        for suffix, colour in (("", look.light), ("-dark", look.dark)):
            stem = folder / f"{state.value}{suffix}"
            folder.mkdir(parents=True, exist_ok=True)
            generator = QSvgGenerator()
            generator.setFileName(str(stem.with_suffix(".svg")))
            generator.setSize(QSize(STATE_PNG_SIZE, STATE_PNG_SIZE))
            generator.setViewBox(QRect(0, 0, STATE_PNG_SIZE, STATE_PNG_SIZE))
            generator.setTitle(f"GradeDesk: {look.label}")
            generator.setDescription(look.meaning)
            painter = QPainter(generator)
            painter.setRenderHint(QPainter.RenderHint.Antialiasing)
            paint(painter, float(STATE_PNG_SIZE), QColor(colour))
            painter.end()
            _pixel_size(stem.with_suffix(".svg"), STATE_PNG_SIZE)

            image = QImage(STATE_PNG_SIZE, STATE_PNG_SIZE,
                           QImage.Format.Format_ARGB32_Premultiplied)
            image.fill(Qt.GlobalColor.transparent)
            painter = QPainter(image)
            painter.setRenderHint(QPainter.RenderHint.Antialiasing)
            paint(painter, float(STATE_PNG_SIZE), QColor(colour))
            painter.end()
            _save(image, stem.with_suffix(".png"))
            written += [stem.with_suffix(".svg"), stem.with_suffix(".png")]
    return written


def _pixel_size(svg: Path, size: int) -> None:
    """QSvgGenerator gives the size in millimetres; a browser or a README wants pixels."""
    text = svg.read_text(encoding="utf-8")
    fixed, count = re.subn(r'<svg width="[^"]*" height="[^"]*"',
                           f'<svg width="{size}" height="{size}"', text, count=1)
    if count != 1:
        raise SystemExit(f"unexpected SVG header in {svg}")
    svg.write_text(fixed, encoding="utf-8")


def _save(image: QImage, target: Path) -> None:
    from PySide6.QtGui import QImage

    target.parent.mkdir(parents=True, exist_ok=True)
    # Straight (not premultiplied) alpha is what PNG stores.
    if not image.convertToFormat(QImage.Format.Format_ARGB32).save(str(target), "PNG"):
        raise SystemExit(f"could not write {target}")


if __name__ == "__main__":
    raise SystemExit(main())
