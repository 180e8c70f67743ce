"""What the official Excel and the PDF both write as the report published it: the national
form's assessment columns and a project's name as printed."""

from __future__ import annotations

from kpiledger.core.model import Project, Section

#: The national form's columns beside the KPIs: (`Assessment` field, heading as published).
ASSESSMENT_HEADINGS = (
    ("effect", "事業効果"),
    ("evaluation", "事業の評価"),
    ("opinion", "外部有識者からの意見"),
    ("policy", "今後の方針"),
    ("policy_reason", "今後の方針の理由"),
)


def published_name(project: Project) -> str:
    """The name as published: a related project's grant in 【】 before it, as the reference
    writes it (`【地方創生拠点整備交付金】 音別地域交流拠点施設整備事業`)."""
    if project.section is Section.RELATED and project.grant:
        return f"【{project.grant}】 {project.name}"
    return project.name
