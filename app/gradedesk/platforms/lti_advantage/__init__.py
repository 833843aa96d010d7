"""GradeDesk as an LTI Advantage tool: client-assertion auth, AGS, NRPS, Canvas extensions."""

from gradedesk.platforms.lti_advantage.client import LtiAdvantageClient, LtiAdvantageConfig

__all__ = ["LtiAdvantageClient", "LtiAdvantageConfig"]
