"""The national strategy's goals and fields a project or KPI belongs to (分類).

The four basic goals (基本目標) of the 総合戦略 (まち・ひと・しごと創生総合戦略, and the
デジタル田園都市国家構想総合戦略 after it) and the policy fields (分野) the comparison pages
group KPIs by. A KPI's field is inferred from its words (see `classify`), with the reason; the
ledger keeps an override where staff decide otherwise.
"""

from __future__ import annotations

from enum import StrEnum


class Goal(StrEnum):
    """基本目標 of the national strategy."""

    WORK = "work"  # 地方にしごとをつくる
    FLOW = "flow"  # 人の流れをつくる（移住・関係人口）
    FAMILY = "family"  # 結婚・出産・子育ての希望をかなえる
    COMMUNITY = "community"  # 魅力的な地域・まちをつくる

    @property
    def label_ja(self) -> str:
        return GOAL_LABELS[self][0]

    @property
    def label_en(self) -> str:
        return GOAL_LABELS[self][1]


GOAL_LABELS: dict[Goal, tuple[str, str]] = {
    Goal.WORK: ("しごと", "Jobs"),
    Goal.FLOW: ("人の流れ・移住", "Flow of people, migration"),
    Goal.FAMILY: ("結婚・出産・子育て", "Marriage, childbirth, child-rearing"),
    Goal.COMMUNITY: ("魅力的な地域・まち", "Attractive communities"),
}


class Field(StrEnum):
    """分野: the kind of policy a KPI measures."""

    TOURISM = "tourism"
    EMPLOYMENT = "employment"
    MIGRATION = "migration"
    EDUCATION = "education"
    CHILDCARE = "childcare"
    DIGITAL = "digital"
    PRIMARY = "primary"
    TRANSPORT = "transport"
    HEALTH = "health"
    INDUSTRY = "industry"
    CULTURE = "culture"
    ENVIRONMENT = "environment"
    SAFETY = "safety"
    COMMUNITY = "community"
    OTHER = "other"

    @property
    def label_ja(self) -> str:
        return FIELD_LABELS[self][0]

    @property
    def label_en(self) -> str:
        return FIELD_LABELS[self][1]

    @property
    def goal(self) -> Goal:
        """The goal this field serves when nothing else tells."""
        return FIELD_GOALS[self]


FIELD_LABELS: dict[Field, tuple[str, str]] = {
    Field.TOURISM: ("観光", "Tourism"),
    Field.EMPLOYMENT: ("雇用・創業", "Jobs and start-ups"),
    Field.MIGRATION: ("移住・定住・関係人口", "Migration and settlement"),
    Field.EDUCATION: ("教育・人材育成", "Education and skills"),
    Field.CHILDCARE: ("結婚・出産・子育て", "Marriage, birth and childcare"),
    Field.DIGITAL: ("DX・行政", "Digital and administration"),
    Field.PRIMARY: ("農林水産", "Agriculture, forestry and fisheries"),
    Field.TRANSPORT: ("交通", "Transport"),
    Field.HEALTH: ("健康・医療・福祉", "Health, medicine and welfare"),
    Field.INDUSTRY: ("商工・産業", "Commerce and industry"),
    Field.CULTURE: ("文化・スポーツ", "Culture and sport"),
    Field.ENVIRONMENT: ("環境・エネルギー", "Environment and energy"),
    Field.SAFETY: ("防災・安全", "Disaster prevention and safety"),
    Field.COMMUNITY: ("まちづくり・地域活動", "Town planning and community"),
    Field.OTHER: ("その他", "Other"),
}

FIELD_GOALS: dict[Field, Goal] = {
    Field.TOURISM: Goal.FLOW,
    Field.EMPLOYMENT: Goal.WORK,
    Field.MIGRATION: Goal.FLOW,
    Field.EDUCATION: Goal.FAMILY,
    Field.CHILDCARE: Goal.FAMILY,
    Field.DIGITAL: Goal.COMMUNITY,
    Field.PRIMARY: Goal.WORK,
    Field.TRANSPORT: Goal.COMMUNITY,
    Field.HEALTH: Goal.COMMUNITY,
    Field.INDUSTRY: Goal.WORK,
    Field.CULTURE: Goal.COMMUNITY,
    Field.ENVIRONMENT: Goal.COMMUNITY,
    Field.SAFETY: Goal.COMMUNITY,
    Field.COMMUNITY: Goal.COMMUNITY,
    Field.OTHER: Goal.COMMUNITY,
}
