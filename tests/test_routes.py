"""url_of against Django's reverse(), which it must always equal."""

import datetime

import pytest
from django.urls import NoReverseMatch, reverse, set_script_prefix
from django.utils.encoding import iri_to_uri

from articles.routes import date_url, url_of

SLUGS = ["劳模", "北京市总工会", "wang-xiao_ming", "2023", "a", "职工-之家_2", "ÉCOLE", "ｆｕｌｌ", "٣"]
NOT_SLUGS = ["", "a b", "中/文", "x?y", "100%", "tab\tx", "a.b", "'"]


@pytest.fixture
def script_prefix():
    yield
    set_script_prefix("/")


@pytest.mark.parametrize("prefix", ["/", "/paper/", "/报纸/"])
def test_the_same_urls_as_reverse_for_slugs_and_ids(prefix, script_prefix):
    set_script_prefix(prefix)
    for slug in SLUGS:
        for name in ("articles:reporter_detail", "articles:organisation_detail", "articles:tag_detail"):
            assert url_of(name, slug) == reverse(name, args=[slug])
        for pk in (0, 7, 985291):
            assert url_of("articles:article_detail", pk, slug) == reverse("articles:article_detail", args=[pk, slug])
    assert url_of("articles:reporter_detail", "劳模").startswith(iri_to_uri(prefix))


@pytest.mark.parametrize("slug", NOT_SLUGS)
def test_what_reverse_refuses_url_of_refuses(slug):
    with pytest.raises(NoReverseMatch):
        reverse("articles:reporter_detail", args=[slug])
    with pytest.raises(NoReverseMatch):
        url_of("articles:reporter_detail", slug)


def test_arguments_no_route_takes_are_refused_as_reverse_refuses_them():
    for args in ([-1, "x"], ["x", "y"], [1], [True, "x"], [1, "x", "y"]):
        try:
            expected = reverse("articles:article_detail", args=args)
        except NoReverseMatch:
            with pytest.raises(NoReverseMatch):
                url_of("articles:article_detail", *args)
        else:
            assert url_of("articles:article_detail", *args) == expected


DATES = [datetime.date(2023, 3, 1), datetime.date(1987, 6, 5), datetime.date(2014, 12, 31), datetime.date(999, 1, 9)]


@pytest.mark.parametrize("prefix", ["/", "/paper/", "/2023/", "/1987/06/", "/报纸/"])
def test_date_urls_are_what_reverse_gives(prefix, script_prefix):
    set_script_prefix(prefix)
    for date in DATES:
        args = [date.year, date.month, date.day]
        assert date_url("articles:issue_by_date", date) == reverse("articles:issue_by_date", args=args)
        for number in (1, 5, 12, 2023, 9_000_000_000):
            expected = reverse("articles:page_by_date", args=[*args, number])
            assert date_url("articles:page_by_date", date, number) == expected


def test_date_urls_refuse_what_reverse_refuses():
    date = datetime.date(2023, 3, 1)
    for numbers in ([-1], ["x"], [1, 2]):
        with pytest.raises(NoReverseMatch):
            reverse("articles:page_by_date", args=[2023, 3, 1, *numbers])
        with pytest.raises(NoReverseMatch):
            date_url("articles:page_by_date", date, *numbers)
