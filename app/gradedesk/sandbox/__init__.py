"""A local, Canvas-faithful AGS platform with an LTIAAS-shaped API, over real HTTP on loopback.

An independent oracle: it imports nothing from the rest of GradeDesk, so a misunderstanding
shared by client and server cannot hide. New users try GradeDesk on it; the tests run on it.
"""

from gradedesk.sandbox.config import SandboxConfig
from gradedesk.sandbox.server import RunningSandbox, start_sandbox

__all__ = ["RunningSandbox", "SandboxConfig", "start_sandbox"]
