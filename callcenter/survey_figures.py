"""The post-call survey's results for a month (CC-11), per queue and per operator: how
many were offered and completed, the share who said their question was resolved (of
those who answered that question) and the operators' average mark (of those who gave
one). Pure: the stored offers come in."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any

from callcenter.survey import SurveyOffer


@dataclass(frozen=True)
class SurveyFigures:
    offered: int = 0
    completed: int = 0
    answered_resolved: int = 0
    resolved: int = 0
    rated: int = 0
    rating_total: int = 0

    @property
    def share_resolved(self) -> float | None:
        return self.resolved / self.answered_resolved if self.answered_resolved else None

    @property
    def average_rating(self) -> float | None:
        return self.rating_total / self.rated if self.rated else None

    def with_offer(self, offer: SurveyOffer) -> SurveyFigures:
        answers = offer.answers
        return SurveyFigures(
            offered=self.offered + 1,
            completed=self.completed + answers.completed,
            answered_resolved=self.answered_resolved + (answers.resolved is not None),
            resolved=self.resolved + (answers.resolved is True),
            rated=self.rated + (answers.rating is not None),
            rating_total=self.rating_total + (answers.rating or 0),
        )


SURVEY_GROUPINGS: dict[str, Callable[[SurveyOffer], str]] = {
    "queue": lambda offer: offer.queue,
    "operator": lambda offer: offer.operator,
}


def survey_figures(
    offers: Iterable[SurveyOffer], key: Callable[[SurveyOffer], str]
) -> dict[str, SurveyFigures]:
    """The figures per value of ``key``, in the order of the values."""
    found: dict[str, SurveyFigures] = {}
    for offer in offers:
        name = key(offer)
        found[name] = found.get(name, SurveyFigures()).with_offer(offer)
    return dict(sorted(found.items()))


SURVEY_COLUMNS = ("grouping", "name", "offered", "completed", "resolved_share", "average_rating")


def survey_row(grouping: str, name: str, found: SurveyFigures) -> dict[str, Any]:
    """One line of a survey table, as the page and the CSV show it."""
    share, rating = found.share_resolved, found.average_rating
    return {
        "grouping": grouping,
        "name": name,
        "offered": found.offered,
        "completed": found.completed,
        "resolved_share": "" if share is None else f"{share * 100:.1f}",
        "average_rating": "" if rating is None else f"{rating:.2f}",
    }
