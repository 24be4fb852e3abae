"""Issue date and page number from a page file's path (articles/parsing/places.py)."""

import datetime

import pytest

from articles.parsing.places import Place, place_from_path

D = datetime.date(2023, 3, 1)


@pytest.mark.parametrize(
    ("path", "date", "page"),
    [
        ("2023-03-01/01.txt", D, 1),
        ("archive/20230301/02.txt", D, 2),
        ("2023/03/01/page-03.txt", D, 3),
        ("2023/0301/p3.txt", D, 3),
        ("2023-03-01_第3版.txt", D, 3),
        ("2023-03-01_第03版.txt", D, 3),
        ("2023-03-01_第三版.txt", D, 3),
        ("2023-03-01_第十二版.txt", D, 12),
        ("ldwb20230301-03.txt", D, 3),
        ("ldwb20230301_A3.txt", D, 3),
        ("2023-03-01/A3版.txt", D, 3),
        ("2023_03_01/03版.txt", D, 3),
        ("2023.03.01/P03.txt", D, 3),
        ("2023年3月1日/第3版.txt", D, 3),
        ("/srv/pages/2023-03-01_p02.txt", D, 2),
        ("C:\\pages\\2023-03-01\\01.txt", D, 1),
        ("a/01.txt", None, 1),
        ("b/pg7.txt", None, 7),
        ("2023-03-01/front.txt", D, None),
        ("2023-03-01.txt", D, None),
    ],
)
def test_recognised_patterns(path, date, page):
    assert place_from_path(path) == Place(date=date, page=page)


@pytest.mark.parametrize(
    "path",
    [
        "seeds/002_6c0022c0aa7b5e99.txt",
        "seeds/000_d9c63f2169cdf48b.txt",
        "upload/9f20230301ab77cc.txt",
        "2023030112345.txt",
    ],
)
def test_hash_like_names_state_nothing(path):
    assert place_from_path(path) == Place()


@pytest.mark.parametrize(
    ("path", "place"),
    [
        ("2023-02-30/01.txt", Place(page=1)),  # no such day
        ("notes.txt", Place()),
        ("", Place()),
        ("2023-03-01/page-0.txt", Place(date=D)),
        ("2023-03-01/1234.txt", Place(date=D)),
    ],
)
def test_impossible_dates_and_pages_are_unknown(path, place):
    assert place_from_path(path) == place


def test_a_hash_folder_does_not_hide_a_dated_file():
    assert place_from_path("6c0022c0aa7b5e99/2023-03-01_p2.txt") == Place(date=D, page=2)


def test_known_needs_both():
    assert Place(D, 1).known and not Place(D, None).known and not Place(None, 1).known
