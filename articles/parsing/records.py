"""Dataclasses the parser returns, and the role and kind names it uses."""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field

ROLE_REPORTER = "reporter"
ROLE_CORRESPONDENT = "correspondent"
ROLE_PHOTOGRAPHER = "photographer"
# A person named with no role word (printed 未注明 in the admin).
ROLE_UNSPECIFIED = "unspecified"
KIND_NEWS = "news"
KIND_PHOTO = "photo"


class ParseError(ValueError):
    """The text is not a page this parser can read; the message says why."""


@dataclass(frozen=True)
class Person:
    """One named person in a dateline, byline or photo credit."""

    name: str
    role: str
    label: str
    affiliation: str | None = None


@dataclass
class ParsedArticle:
    """One article of a page, as printed."""

    title: str
    kicker: str | None = None
    subtitle: str | None = None
    kind: str = KIND_NEWS
    dateline: str | None = None
    people: list[Person] = field(default_factory=list)
    body: list[str] = field(default_factory=list)
    organisations: list[str] = field(default_factory=list)
    aliases: dict[str, str] = field(default_factory=dict)
    tags: list[str] = field(default_factory=list)
    event_date: datetime.date | None = None
    tokens: dict[str, list[str]] = field(default_factory=dict)
    anomalies: list[str] = field(default_factory=list)
    credits: list[str] = field(default_factory=list)
    editor_note: str | None = None
    continued_from: int | None = None
    continues_on: int | None = None
    continuation_marks: list[str] = field(default_factory=list)


@dataclass
class ParsedPage:
    """One page: its banner, its articles and what the page says about itself."""

    banner: str
    articles: list[ParsedArticle]
    issue_date: datetime.date | None = None
    issue_date_inferred: bool = True
    page_number: int | None = None
    issue_number: str | None = None
    anomalies: list[str] = field(default_factory=list)
    unassigned: list[str] = field(default_factory=list)
    header_lines: list[str] = field(default_factory=list)
    page_label: str | None = None
