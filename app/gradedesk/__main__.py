"""``python -m gradedesk``."""

from gradedesk.cli import main

raise SystemExit(main())
