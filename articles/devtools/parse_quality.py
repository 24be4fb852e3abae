"""Parse generated pages and score the parser against the generator's ground truth, per convention."""

from __future__ import annotations

import inspect
from collections import defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field

from ..parsing.conservation import check_conservation
from .generator import GeneratedArticle, GeneratedPage


@dataclass
class Score:
    """Counts for one convention: articles found exactly, missed, invented; people read right."""

    found: int = 0
    missed: int = 0
    invented: int = 0
    people_right: int = 0
    people_total: int = 0
    examples: list[str] = field(default_factory=list)

    @property
    def precision(self) -> float:
        return self.found / (self.found + self.invented) if self.found + self.invented else 1.0

    @property
    def recall(self) -> float:
        return self.found / (self.found + self.missed) if self.found + self.missed else 1.0

    @property
    def f1(self) -> float:
        p, r = self.precision, self.recall
        return 2 * p * r / (p + r) if p + r else 0.0

    @property
    def people_accuracy(self) -> float:
        return self.people_right / self.people_total if self.people_total else 1.0

    def note(self, text: str) -> None:
        if len(self.examples) < 5:
            self.examples.append(text)


@dataclass
class QualityReport:
    pages: int = 0
    failed_pages: int = 0
    scores: dict[str, Score] = field(default_factory=lambda: defaultdict(Score))
    # Pages where a printed character was lost or placed twice (articles.parsing.conservation).
    conservation_failures: list[str] = field(default_factory=list)

    def table(self) -> str:
        lines = [f"{'convention':<22} {'articles':>8} {'F1':>6} {'people':>8} {'accuracy':>8}"]
        for name in sorted(self.scores):
            s = self.scores[name]
            lines.append(
                f"{name:<22} {s.found + s.missed:>8} {s.f1:>6.3f} {s.people_right:>4}/{s.people_total:<4}"
                f" {s.people_accuracy:>7.3f}"
            )
        return "\n".join(lines)

    def as_json(self) -> dict:
        return {
            "pages": self.pages,
            "failed_pages": self.failed_pages,
            "conservation_failures": len(self.conservation_failures),
            "conventions": {
                name: {
                    "articles": s.found + s.missed,
                    "f1": round(s.f1, 4),
                    "people_accuracy": round(s.people_accuracy, 4),
                    "examples": s.examples,
                }
                for name, s in sorted(self.scores.items())
            },
        }


def _key(kicker, title, subtitle, body) -> tuple:
    return (kicker or None, title, subtitle or None, tuple(body))


def _truth_key(article: GeneratedArticle) -> tuple:
    return _key(article.kicker, article.title, article.subtitle, article.body)


def _parsed_key(article) -> tuple:
    return _key(article.kicker, article.title, article.subtitle, article.body)


def _roles(article) -> list[tuple[str, str]]:
    return sorted({(p.name, p.role) for p in article.people})


def _parts_right(truth: GeneratedArticle, parsed) -> str | None:
    """What a parsed article that matched by text still gets wrong: editor's note, continuation, credits."""
    if (truth.editor_note or None) != (getattr(parsed, "editor_note", None) or None):
        return f"editor's note {getattr(parsed, 'editor_note', None)!r}"
    for name in ("continued_from", "continues_on"):
        if getattr(truth, name) != getattr(parsed, name, None):
            return f"{name} {getattr(parsed, name, None)!r}"
    if list(truth.credits) != list(getattr(parsed, "credits", truth.credits)):
        return f"credits {getattr(parsed, 'credits', None)!r}"
    return None


def evaluate(pages: Iterable[GeneratedPage], parse: Callable, known_people: Iterable[str] = ()) -> QualityReport:
    """Parse every page and count, per convention, exact articles (headings, body, parts) and exact people."""
    known = sorted(set(known_people))
    kwargs = {"known_people": known} if "known_people" in inspect.signature(parse).parameters else {}
    report = QualityReport()
    for page in pages:
        report.pages += 1
        try:
            parsed = parse(page.text, **kwargs)
        except Exception as error:  # noqa: BLE001 - a failed page counts every article as missed
            report.failed_pages += 1
            for article in page.articles:
                score = report.scores[article.convention]
                score.missed += 1
                score.note(f"{page.name}: page failed: {error}")
            continue
        problems = check_conservation(page.text, parsed)
        if problems:
            report.conservation_failures.append(f"{page.name}: {problems[0]}")
        _score_page(page, parsed, report)
    return report


def _score_page(page: GeneratedPage, parsed, report: QualityReport) -> None:
    by_key: dict[tuple, list] = defaultdict(list)
    for article in parsed.articles:
        by_key[_parsed_key(article)].append(article)
    by_title = {article.title: article for article in parsed.articles}
    used: set[int] = set()
    for truth in page.articles:
        score = report.scores[truth.convention]
        candidates = [a for a in by_key.get(_truth_key(truth), []) if id(a) not in used]
        if candidates:
            match = candidates[0]
            used.add(id(match))
            problem = _parts_right(truth, match)
            if problem is None:
                score.found += 1
            else:
                score.missed += 1
                score.note(f"{page.name}: 《{truth.title}》 {problem}")
        else:
            score.missed += 1
            near = by_title.get(truth.title)
            score.note(f"{page.name}: 《{truth.title}》 not found" + (" (title found, text differs)" if near else ""))
        near = candidates[0] if candidates else by_title.get(truth.title)
        score.people_total += 1
        truth_roles = sorted(set(truth.roles))
        if near is not None and _roles(near) == truth_roles:
            score.people_right += 1
        elif near is not None:
            score.note(f"{page.name}: 《{truth.title}》 people {_roles(near)} != {truth_roles}")
    for article in parsed.articles:
        if id(article) in used:
            continue
        owner = _owner(page, article)
        convention = owner.convention if owner is not None else (page.conventions or ("dateline_brackets",))[0]
        report.scores[convention].invented += 1
        report.scores[convention].note(f"{page.name}: invented 《{article.title}》")
    for convention in page.conventions:
        score = report.scores[convention]
        if convention == "page_header":
            if list(getattr(parsed, "header_lines", [])) == list(page.header_lines):
                score.found += 1
            else:
                score.missed += 1
                score.note(f"{page.name}: header {getattr(parsed, 'header_lines', None)} != {list(page.header_lines)}")


def _owner(page: GeneratedPage, article) -> GeneratedArticle | None:
    """The generated article a parsed one was most likely cut from."""
    for truth in page.articles:
        if article.title and article.title in (truth.title, truth.kicker, truth.subtitle):
            return truth
    probe = "".join(article.body)[:15] or article.title
    for truth in page.articles:
        if probe and probe in "".join((truth.editor_note, *truth.body, *truth.credits)):
            return truth
    return None
