"""The parser against generated pages in every convention of the country's workers' papers: F1 and people, each."""

import json

import pytest
from django.core.management import call_command

from articles.devtools.generator import build_people, iter_pages
from articles.devtools.parse_quality import evaluate
from articles.parsing import parse_page

SEED = 7
# Below this, for any convention, the parser is not good enough for a real archive (issue #10).
THRESHOLD = 0.98


def _known(seed: int) -> list[str]:
    reporters, correspondents = build_people(seed)
    return [p.name for p in reporters + correspondents]


@pytest.fixture(scope="module")
def report():
    pages = iter_pages(articles=4000, seed=SEED, variety=0.6)
    return evaluate(pages, parse_page, known_people=_known(SEED))


def test_every_convention_reaches_the_threshold(report):
    print("\n" + report.table())
    assert report.failed_pages == 0
    low = {
        name: (round(score.f1, 3), round(score.people_accuracy, 3), score.examples)
        for name, score in report.scores.items()
        if min(score.f1, score.people_accuracy) < THRESHOLD
    }
    assert not low, json.dumps(low, ensure_ascii=False, indent=1)


def test_every_page_keeps_every_character(report):
    assert report.conservation_failures == [], report.conservation_failures[:3]


def test_every_convention_is_scored_on_enough_articles(report):
    from articles.devtools.conventions import ALL_CONVENTIONS

    assert set(ALL_CONVENTIONS) <= set(report.scores)
    assert all(s.found + s.missed >= 15 for s in report.scores.values()), report.table()


def test_a_parser_that_loses_articles_scores_below_the_threshold():
    def lossy(text, **kwargs):
        page = parse_page(text, **kwargs)
        page.articles = page.articles[:-1]
        return page

    pages = list(iter_pages(articles=300, seed=SEED, variety=0.6))
    scored = evaluate(pages, lossy, known_people=_known(SEED))
    assert min(s.f1 for s in scored.scores.values()) < THRESHOLD


def test_a_parser_that_reads_no_roles_scores_below_the_threshold():
    def roleless(text, **kwargs):
        page = parse_page(text, **kwargs)
        for article in page.articles:
            article.people = []
        return page

    scored = evaluate(iter_pages(articles=200, seed=SEED, variety=0.6), roleless, known_people=_known(SEED))
    assert max(s.people_accuracy for s in scored.scores.values() if s.people_total) < THRESHOLD


def test_command_prints_the_table_and_json(tmp_path, capsys):
    out = tmp_path / "quality.json"
    call_command("parse_quality", "--articles", "300", "--seed", "4", "--json", str(out))
    printed = capsys.readouterr().out
    assert "convention" in printed and "dateline_brackets" in printed
    data = json.loads(out.read_text(encoding="utf-8"))
    assert data["pages"] > 0 and "dateline_brackets" in data["conventions"]
