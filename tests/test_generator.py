"""The synthetic archive generator: determinism, exact counts, seed-faithful layout, pools, memory, the command."""

import hashlib
import io
import os
import re
import statistics
import subprocess
import sys
import tracemalloc
from collections import Counter, defaultdict
from datetime import date, timedelta
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command

from articles import generator
from articles.generator import END_PUNCT, GeneratedPage, generate_archive, iter_pages

ROOT = Path(__file__).resolve().parent.parent
CREDIT_RE = re.compile(r"^本报记者 \S+ 摄$")
DATELINE_RE = re.compile(r"^本报讯[（(]", re.M)
SEPARATOR_RE = re.compile(r"\n+")


def digests(folder: Path) -> dict[str, str]:
    return {p.name: hashlib.sha256(p.read_bytes()).hexdigest() for p in sorted(folder.iterdir())}


def full_text(article) -> str:
    return article.kicker + article.title + article.subtitle + article.dateline + "".join(article.body)


def paragraph_ends(text: str) -> bool:
    return text[-1] in END_PUNCT or (text[-1] == "”" and text[-2] in END_PUNCT)


@pytest.fixture(scope="module")
def pages() -> list[GeneratedPage]:
    return list(iter_pages(articles=2000, seed=11))


def walk(page: GeneratedPage) -> Counter:
    """Check a page's text against the generator's own record of it, line by line; count the layouts met."""
    seen: Counter = Counter()
    parts = SEPARATOR_RE.split(page.text)
    assert parts[0] == "", "a page starts with its blank lines"
    seps = [len(s) for s in SEPARATOR_RE.findall(page.text)]
    lines = parts[1:]
    assert len(seps) == len(lines) and lines[-1], "no trailing newline"
    assert set(seps) <= {2, 4}, "paragraphs are separated by one blank line or three"
    assert lines[0] == ("# " if page.markdown else "") + page.banner
    i = 1

    def take() -> tuple[int, str]:
        nonlocal i
        i += 1
        return seps[i - 1], lines[i - 1]

    for article in page.articles:
        headings = [h for h in (article.kicker, article.title, article.subtitle) if h]
        for heading in headings:
            sep, line = take()
            if article.kind == "photo" and heading == article.title and sep == 4:
                seen["photo_after_three_blank_lines"] += 1
            if page.markdown and heading == article.title:
                assert line == "## " + heading
            elif page.markdown and heading == article.subtitle and line.startswith("# "):
                seen["subtitle_marked"] += 1
                assert line == "# " + heading
            else:
                assert line == heading
            assert len(heading) <= 40 and heading[-1] not in END_PUNCT
        paragraphs = list(article.body)
        if article.kind == "news":
            paragraphs[0] = article.dateline + paragraphs[0]
        for n, paragraph in enumerate(paragraphs):
            assert paragraph_ends(paragraph), paragraph
            sep, joined = take()
            if sep == 4:
                seen["heading_then_three_blank_lines" if n == 0 else "paragraph_after_three_blank_lines"] += 1
            if article.credit == "appended" and n == len(paragraphs) - 1:
                paragraph += f" 本报记者 {article.photographers[0][1]} 摄"
                seen["credit_appended"] += 1
            while joined != paragraph:
                # A split piece: it continues in the next line and never ends like a paragraph.
                assert paragraph.startswith(joined) and not paragraph_ends(joined), (joined, paragraph)
                assert len(joined) >= 12
                sep, piece = take()
                seen["split_three_blank_lines" if sep == 4 else "split_one_blank_line"] += 1
                joined += piece
        if article.credit == "line":
            assert CREDIT_RE.match(take()[1])
            seen["credit_line"] += 1
        elif article.credit == "photo":
            credit = " ".join(f"{label} {name}" for label, name in article.photographers) + " 摄影报道"
            assert take()[1] == credit
            seen["photo_news"] += 1
    assert i == len(lines), "nothing on the page beyond the recorded articles"
    if page.markdown:
        seen["markdown_page"] += 1
    else:
        assert not any(line.startswith("#") for line in lines)
    return seen


# --- determinism and counts ------------------------------------------------------------------------------------


def test_same_seed_gives_identical_bytes_and_another_seed_does_not(tmp_path):
    first = generate_archive(articles=1500, seed=5, out=tmp_path / "a")
    second = generate_archive(articles=1500, seed=5, out=tmp_path / "b")
    other = generate_archive(articles=1500, seed=6, out=tmp_path / "c")
    assert digests(tmp_path / "a") == digests(tmp_path / "b")
    assert first.bytes == second.bytes and first.files == second.files
    assert digests(tmp_path / "a") != digests(tmp_path / "c")
    assert other.articles == 1500


def test_output_does_not_depend_on_hash_randomisation(tmp_path):
    script = (
        "import sys; from pathlib import Path; from articles.generator import generate_archive; "
        "generate_archive(articles=300, seed=9, out=Path(sys.argv[1]))"
    )
    for hash_seed in ("1", "2"):
        env = {**os.environ, "PYTHONHASHSEED": hash_seed}
        subprocess.run([sys.executable, "-c", script, str(tmp_path / hash_seed)], cwd=ROOT, env=env, check=True)
    assert digests(tmp_path / "1") == digests(tmp_path / "2")


def test_a_smaller_archive_is_a_prefix_of_a_larger_one(tmp_path):
    generate_archive(articles=400, seed=3, out=tmp_path / "small")
    generate_archive(articles=1200, seed=3, out=tmp_path / "large")
    small, large = digests(tmp_path / "small"), digests(tmp_path / "large")
    whole = sorted(small)[:-1]
    assert set(small) <= set(large)
    assert all(small[name] == large[name] for name in whole)


@pytest.mark.parametrize("count", [1, 12, 19, 20, 21, 777])
def test_stops_at_exactly_n_articles(tmp_path, count):
    report = generate_archive(articles=count, seed=2, out=tmp_path)
    texts = [p.read_text(encoding="utf-8") for p in sorted(tmp_path.iterdir())]
    printed = sum(len(DATELINE_RE.findall(t)) + t.count("摄影报道") for t in texts)
    assert report.articles == printed == count
    assert report.files == len(texts)
    assert report.bytes == sum(p.stat().st_size for p in tmp_path.iterdir())
    assert report.issues == len({p.name[:10] for p in tmp_path.iterdir()})


def test_issues_are_daily_with_several_pages_of_about_sixteen_articles(pages):
    names = [p.name for p in pages]
    assert all(re.fullmatch(r"\d{4}-\d{2}-\d{2}_p\d{2}\.txt", name) for name in names)
    assert names[0] == "2013-01-01_p01.txt" and len(set(names)) == len(names)
    per_issue = Counter(p.issue_date for p in pages)
    days = sorted(per_issue)
    assert days == [days[0] + timedelta(days=n) for n in range(len(days))]
    assert all(4 <= n <= 8 for day, n in per_issue.items() if day != days[-1])
    per_page = [len(p.articles) for p in pages[:-1]]
    assert min(per_page) >= 12 and max(per_page) <= 20 and 15 <= statistics.mean(per_page) <= 17
    photos = sum(a.kind == "photo" for p in pages for a in p.articles)
    assert 0.08 < photos / 2000 < 0.17


def test_start_date(tmp_path):
    generate_archive(articles=30, seed=1, out=tmp_path, start_date=date(2020, 2, 29))
    assert sorted(p.name for p in tmp_path.iterdir())[0] == "2020-02-29_p01.txt"


# --- layout --------------------------------------------------------------------------------------------------------


def test_every_page_matches_what_the_generator_recorded(pages):
    for page in pages:
        walk(page)


def test_layout_variants_of_the_seed_pages_all_occur(pages):
    seen = sum((walk(page) for page in pages), Counter())
    for feature in (
        "markdown_page",
        "subtitle_marked",
        "split_one_blank_line",
        "split_three_blank_lines",
        "paragraph_after_three_blank_lines",
        "heading_then_three_blank_lines",
        "photo_after_three_blank_lines",
        "credit_line",
        "credit_appended",
        "photo_news",
    ):
        assert seen[feature] >= 5, feature
    assert 0.25 < seen["markdown_page"] / len(pages) < 0.55
    text = "".join(page.text for page in pages)
    datelines = [a.dateline for p in pages for a in p.articles if a.kind == "news"]
    assert any(d.startswith("本报讯(") and d.endswith(")") for d in datelines), "ASCII parentheses"
    assert any(re.match(r"本报讯[（(](通讯员|特约记者|实习生)", d) for d in datelines), "correspondent first"
    assert any("、" in d for d in datelines), "names separated by 、"
    for label in ("见习记者", "特约记者", "实习生", "通讯员"):
        assert any(label in d for d in datelines), label
    people_per_dateline = Counter(len(a.people) for p in pages for a in p.articles if a.kind == "news")
    assert set(people_per_dateline) == {1, 2, 3}
    assert "（以下简称“经开区”）" in text or "（简称：经开区）" in text
    assert len(re.findall(r"（以下简称“[^”]+”）|（简称：[^）]+）", text)) >= 50
    assert text.count("市总工会") > 300
    assert "本报记者 " in text and " 摄影报道" in text


def test_headings_read_like_headlines(pages):
    verbs = re.compile("开展|举办|召开|启动|组织|为|表彰|推动|推进")
    for page in pages:
        assert len(page.banner) <= 40 and page.banner[-1] not in END_PUNCT
        for article in page.articles:
            if article.kind == "news":
                assert verbs.search(article.title), article.title
                assert any(org in article.title for org in _short_names(article.organisations[0]))


def _short_names(name: str) -> list[str]:
    org = _ORGANISATIONS[name]
    return [org.name, *org.aliases]


_ORGANISATIONS = {org.name: org for org in generator.build_organisations(11)}


def test_event_dates_and_years_fit_the_issue(pages):
    news = [(page, a) for page in pages for a in page.articles if a.kind == "news"]
    dated = [(page, a) for page, a in news if a.event_date]
    assert len(dated) / len(news) > 0.7
    for page, article in dated:
        day = article.event_date
        assert day == page.issue_date - timedelta(days=1)
        assert f"{day.month}月{day.day}日" in article.body[0]
    with_year = sum(f"{(page.issue_date - timedelta(days=1)).year}年" in "".join(a.body) for page, a in news)
    assert with_year / len(news) > 0.2
    for page in pages:
        # The only years printed are the events' own, so a reader can infer the year.
        assert set(re.findall(r"(\d{4})年", page.text)) <= {str((page.issue_date - timedelta(days=1)).year)}


# --- content -------------------------------------------------------------------------------------------------------


def test_body_lengths_are_long_tailed_within_bounds(pages):
    lengths = sorted(a.body_chars for p in pages for a in p.articles if a.kind == "news")
    assert lengths[0] >= 150 and lengths[-1] <= 3000
    assert 450 <= statistics.median(lengths) <= 900
    assert lengths[int(len(lengths) * 0.95)] > 1500 and lengths[-1] > 2200
    assert sum(n < 300 for n in lengths) > 20


def test_union_words_appear_in_nearly_every_article(pages):
    articles = [a for p in pages for a in p.articles]
    for word in ("工会", "职工", "北京"):
        assert sum(word in full_text(a) for a in articles) / len(articles) >= 0.9, word


def test_vocabulary_is_long_tailed_with_rare_words(monkeypatch):
    sampled: list[str] = []
    original = generator.Vocabulary.sample

    def recording(self, rng, pattern, extra=None):
        words = original(self, rng, pattern, extra)
        sampled.extend(words)
        return words

    monkeypatch.setattr(generator.Vocabulary, "sample", recording)
    text = "".join(page.text for page in iter_pages(articles=1000, seed=4))
    freq = {}
    with open(generator.jieba_dictionary_path(), encoding="utf-8") as fh:
        for line in fh:
            word, count, _ = line.split()
            freq[word] = int(count)
    assert all(2 <= len(w) <= 4 and re.fullmatch(r"[\u4e00-\u9fff]+", w) for w in sampled)
    own = set(generator.DOMAIN_WORDS) | set(generator.DOMAIN_VERBS)
    drawn = [w for w in sampled if w not in own]
    assert len(drawn) > 20000 and all(w in freq for w in drawn)
    rare = {w for w in drawn if freq[w] <= 10}
    assert len(rare) >= 200, "rare dictionary words appear"
    # Nearly all: a paragraph dropped to keep a body under 3,000 characters takes its words along.
    assert sum(w in text for w in rare) >= 0.95 * len(rare)
    # Frequency-weighted: the most drawn words are the dictionary's most frequent ones.
    top = [w for w, _ in Counter(drawn).most_common(10)]
    assert all(freq[w] >= 10000 for w in top), top
    assert len(set(drawn)) > 5000
    # Borrowed seed sentences are mixed in.
    assert sum(s in text for s in generator.load_seed_sentences()[:40]) >= 10


# --- pools ---------------------------------------------------------------------------------------------------------


def test_sixty_people_in_fixed_pools(pages):
    reporters, correspondents = generator.build_people(11)
    assert len(reporters) == 40 and len(correspondents) == 20
    names = [p.name for p in reporters + correspondents]
    assert len(set(names)) == 60
    assert all(2 <= len(n) <= 3 for n in names)
    assert generator.build_people(11) == (reporters, correspondents)
    assert "白莹" in names and "魏桑" in names
    used = {name for p in pages for a in p.articles for _, name in a.people + a.photographers}
    assert used == set(names)
    staff = {p.name for p in reporters}
    for page in pages:
        for article in page.articles:
            assert all(name in staff for label, name in article.photographers if label == "本报记者")


def test_about_two_thousand_organisations_with_aliases():
    orgs = generator.build_organisations(11)
    names = [o.name for o in orgs]
    aliases = [a for o in orgs for a in o.aliases]
    assert len(orgs) == 2000 and len(set(names)) == 2000
    assert len(set(aliases)) == len(aliases) and not set(aliases) & set(names)
    by_name = {o.name: o for o in orgs}
    assert by_name["北京市总工会"].aliases == ("市总工会",)
    zone_union = by_name["北京经济技术开发区总工会"]
    assert zone_union.stem_alias == "经开区" and "经开区总工会" in zone_union.aliases
    assert all(d + "总工会" in by_name for d in generator.DISTRICTS)
    assert sum(re.search(r"(街道|镇|乡|地区)总工会$", n) is not None for n in names) >= 250
    assert sum(re.fullmatch(r"北京.+集团", n) is not None for n in names) >= 50
    assert sum(n.endswith("分公司") for n in names) >= 100
    assert sum(n.endswith("公司") and not n.endswith("分公司") for n in names) >= 150
    assert sum(n.endswith(("大学", "学院")) for n in names) >= 50
    assert sum(n.endswith("工会") for n in names) >= 800
    assert sum(bool(o.aliases) for o in orgs) > 1000
    for org in orgs:
        if org.stem_alias:
            assert org.name.startswith(org.stem) and org.stem_alias + org.name[len(org.stem) :] in org.aliases


def test_articles_spread_over_many_organisations(pages):
    used = Counter(o for p in pages for a in p.articles for o in a.organisations)
    assert len(used) > 500
    assert used.most_common(1)[0][0] == "北京市总工会"


# --- resources and the command -------------------------------------------------------------------------------------


def test_memory_does_not_grow_with_the_archive(tmp_path):
    # Streaming: ten times the articles must not cost more memory (tracemalloc is slow, so sizes stay small).
    generator.load_vocabulary()
    peaks = {}
    for n in (300, 3000):
        tracemalloc.start()
        try:
            report = generate_archive(articles=n, seed=1, out=tmp_path / str(n))
            _, peaks[n] = tracemalloc.get_traced_memory()
        finally:
            tracemalloc.stop()
        assert report.articles == n
    assert peaks[3000] < peaks[300] * 1.5 + 2**20, peaks
    assert peaks[3000] < 50 * 2**20


def test_command_writes_the_archive_and_reports_counts(tmp_path):
    out = io.StringIO()
    call_command("generate_archive", "--articles", "50", "--seed", "3", "--out", str(tmp_path / "x"), stdout=out)
    files = sorted((tmp_path / "x").iterdir())
    report = out.getvalue()
    assert f"{len(files)} files" in report and "50 articles" in report and "issues" in report
    assert re.search(r"\d+ bytes .* in \d+\.\d s", report)
    generate_archive(articles=50, seed=3, out=tmp_path / "y")
    assert digests(tmp_path / "x") == digests(tmp_path / "y")


def test_command_start_date_and_bad_arguments(tmp_path):
    args = ["--articles", "5", "--out", str(tmp_path), "--start-date", "2015-06-01"]
    call_command("generate_archive", *args, stdout=io.StringIO())
    assert [p.name for p in tmp_path.iterdir()] == ["2015-06-01_p01.txt"]
    with pytest.raises(CommandError):
        call_command("generate_archive", "--articles", "0", "--out", str(tmp_path), stdout=io.StringIO())
    with pytest.raises(CommandError):
        call_command("generate_archive", "--articles", "5", "--out", str(tmp_path / "2015-06-01_p01.txt"))


# --- the page parser against the generator's ground truth ---------------------------------------------------------


@pytest.fixture(scope="module")
def parsed_sample():
    from articles.parsing import ParseError, parse_page

    results = []
    for page in iter_pages(articles=1200, seed=21):
        try:
            results.append((page, parse_page(page.text), None))
        except ParseError as error:
            results.append((page, None, str(error)))
    return results


def _report(problems: dict[str, list[str]]) -> str:
    lines = []
    for layout, cases in problems.items():
        lines.append(f"{layout}: {len(cases)}")
        lines.extend(f"    {case}" for case in cases[:5])
    return "\n".join(lines)


def _pairs(parsed_sample):
    for page, parsed, _ in parsed_sample:
        if parsed is not None and len(parsed.articles) == len(page.articles):
            yield from ((page, mine, theirs) for mine, theirs in zip(page.articles, parsed.articles, strict=True))


def test_parser_finds_every_generated_article(parsed_sample):
    problems = defaultdict(list)
    for page, parsed, error in parsed_sample:
        if parsed is None:
            problems["ParseError"].append(f"{page.name}: {error}")
            continue
        if len(parsed.articles) != len(page.articles):
            mine = {a.title for a in page.articles}
            extra = [a.title for a in parsed.articles if a.title not in mine]
            missing = [t for t in mine if t not in {a.title for a in parsed.articles}]
            problems["article count"].append(
                f"{page.name}: wrote {len(page.articles)}, parsed {len(parsed.articles)}; "
                f"extra titles {extra}, missing {missing}"
            )
    assert not problems, _report(problems)


def test_parser_reads_the_generated_headings(parsed_sample):
    problems = defaultdict(list)
    for page, mine, theirs in _pairs(parsed_sample):
        expected = (mine.kicker or None, mine.title, mine.subtitle or None)
        got = (theirs.kicker, theirs.title, theirs.subtitle)
        if expected != got:
            layout = "markdown page" if page.markdown else "plain page"
            problems[f"headings on a {layout}"].append(f"{page.name}: wrote {expected}, parsed {got}")
        if mine.kind != theirs.kind:
            problems["kind"].append(f"{page.name}: {mine.title}: wrote {mine.kind}, parsed {theirs.kind}")
    assert not problems, _report(problems)


def test_parser_reads_the_generated_people(parsed_sample):
    problems = defaultdict(list)
    for page, mine, theirs in _pairs(parsed_sample):
        expected = sorted(
            [(name, label, False) for label, name in mine.people]
            + [(name, label.removeprefix("本报"), True) for label, name in mine.photographers]
        )
        got = sorted((p.name, p.label, p.role == "photographer") for p in theirs.people)
        if expected != got:
            problems["people"].append(f"{page.name}: {mine.dateline} {mine.photographers} -> {got}")
        if (mine.dateline or None) != theirs.dateline:
            problems["dateline"].append(f"{page.name}: wrote {mine.dateline!r}, parsed {theirs.dateline!r}")
    assert not problems, _report(problems)


def test_parser_rejoins_split_paragraphs_and_finds_event_dates(parsed_sample):
    problems = defaultdict(list)
    for page, parsed, _ in parsed_sample:
        # The parser's inferred issue date is the latest event date; events are dated the day before the issue.
        if parsed is not None and parsed.issue_date not in (page.issue_date, page.issue_date - timedelta(days=1)):
            problems["issue date"].append(f"{page.name}: parsed {parsed.issue_date}")
    for page, mine, theirs in _pairs(parsed_sample):
        if tuple(theirs.body) != mine.body:
            pairs = zip(mine.body, theirs.body, strict=False)
            first = next((n for n, (a, b) in enumerate(pairs) if a != b), min(len(mine.body), len(theirs.body)))
            wrote = mine.body[first][:40] if first < len(mine.body) else None
            got = theirs.body[first][:40] if first < len(theirs.body) else None
            problems["body"].append(f"{page.name}: {mine.title}: paragraph {first}: wrote {wrote!r}, parsed {got!r}")
        # A page that prints no year (seed 001 prints none) leaves the parser no year to date events with.
        if mine.event_date and theirs.event_date != mine.event_date and re.search(r"\d{4}年", page.text):
            problems["event date"].append(
                f"{page.name}: {mine.title}: wrote {mine.event_date}, parsed {theirs.event_date}"
            )
    assert not problems, _report(problems)
