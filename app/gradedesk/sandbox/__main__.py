"""``python -m gradedesk.sandbox``."""

from gradedesk.sandbox.cli import main

raise SystemExit(main())
