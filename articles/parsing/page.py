"""The parser's entry point: one page's text to a ParsedPage."""

from __future__ import annotations

from collections import Counter
from collections.abc import Collection, Mapping

from .bylines import _KNOWN_PEOPLE, _byline_anomalies, _dateline_people, _split_credit, known_people_scope
from .dates import _event_date, _page_year
from .layout import (
    _ACTION_RE,
    _anchor_blocks,
    _assign_headings,
    _classify,
    _clean_line,
    _dateless_heading,
    _Header,
    _intertitle,
    _Item,
    _RawArticle,
    _read_header_line,
    _strict_heading,
    _supplementary,
    _title_mark,
)
from .organisations import (
    DEFAULT_GAZETTEER,
    MAX_DECLARATIONS,
    _declarations,
    _Gazetteer,
    _gazetteer,
    _org_mentions_title_like,
    _organisations,
)
from .records import KIND_NEWS, KIND_PHOTO, ParsedArticle, ParsedPage, ParseError, Person
from .tags import _QUOTED_RE, _pick_tags, _tag_counts
from .text import _WS, _ensure_jieba, _terminated, _text_anomalies, add_user_terms, normalise_text, segment

LONG_HEADING = 60

# --- the parser ----------------------------------------------------------------------------------------------------


def parse_page(
    text: str,
    *,
    gazetteer: Mapping[str, str] | None = None,
    default_year: int | None = None,
    known_people: Collection[str] | None = None,
) -> ParsedPage:
    """Parse one page's text; raise ParseError, and nothing else, when it holds no recognisable article."""
    if not isinstance(text, str):
        raise ParseError("page text must be a string")
    try:
        token = known_people_scope(known_people)
        try:
            return _parse_page(text, gazetteer, default_year)
        finally:
            _KNOWN_PEOPLE.reset(token)
    except ParseError:
        raise
    except Exception as error:
        # The importer only handles ParseError; a bug on a strange page must not abort a whole import.
        raise ParseError(f"could not parse the page ({type(error).__name__}: {error})") from error


def _parse_page(text: str, gazetteer: Mapping[str, str] | None, default_year: int | None) -> ParsedPage:
    normalised = normalise_text(text)
    lines = [_clean_line(raw) for raw in normalised.split("\n")]
    lines = [(mark, line) for mark, line in lines if line]
    if not lines:
        raise ParseError("empty page: no text")
    header = _Header()
    banner: str | None = None
    start = 0
    while start < len(lines) and start < 8 + len(header.lines):
        mark, line = lines[start]
        if _read_header_line(line, header):
            start += 1
        elif banner is None:
            banner = line
            start += 1
        else:
            break
    if banner is None:
        raise ParseError("no recognisable article: the page has only a date/page header")
    # The footer: date, page and staff lines closing the page; staff lines (责编：…) anywhere are never article text.
    end = len(lines)
    footer = _Header()
    while end > start and _read_header_line(lines[end - 1][1], footer):
        end -= 1
    body_lines = []
    for mark, line in lines[start:end]:
        if not _read_header_line(line, header, staff_only=True):
            body_lines.append((mark, line))
    header.lines.extend(reversed(footer.lines))
    header.date = header.date or footer.date
    header.page, header.label = (header.page, header.label) if header.page else (footer.page, footer.label)
    header.issue = header.issue or footer.issue
    items = [_Item(banner, 0)]
    items[0].kind = "N"
    items.extend(_classify(body_lines))
    page_anomalies: list[str] = []
    unassigned: list[str] = []
    raw_articles, title_mark = _structure(items, page_anomalies, unassigned)
    if not raw_articles:
        raise ParseError("no recognisable article: no headline followed by a dateline, credit or body")
    if items[0].kind == "H":
        page_anomalies.append("no banner line: the first line is the first article's headline")
        banner = ""

    merged = dict(DEFAULT_GAZETTEER)
    if gazetteer:
        merged.update({k: v for k, v in gazetteer.items() if isinstance(k, str) and isinstance(v, str)})
    gaz = _gazetteer(merged).for_page()
    _ensure_jieba()

    articles = [_build_article(raw, title_mark, gaz) for raw in raw_articles]

    all_fields = [t for a in articles for t in _fields(a)]
    article_texts = ["\n".join(_fields(a)) for a in articles]
    for short, full in list(_declarations(all_fields, gaz).items())[:MAX_DECLARATIONS]:
        gaz.declare(short, full)
        for a, joined in zip(articles, article_texts, strict=True):
            if short in joined:
                a.aliases.setdefault(short, full)
    for a in articles:
        orgs, aliases = _organisations(_fields(a), gaz)
        a.organisations = orgs
        for short, full in aliases.items():
            a.aliases.setdefault(short, full)

    add_user_terms(
        [p.name for a in articles for p in a.people]
        + [o for a in articles for o in a.organisations]
        + [s for a in articles for s in a.aliases]
        # A coinage quoted in a headline (“以书会友”, “暖心早餐”) is the story's own word.
        + [q for a in articles for h in (a.kicker, a.title, a.subtitle) if h for q in _QUOTED_RE.findall(h)]
        + [q for a in articles for q, n in Counter(_QUOTED_RE.findall("".join(a.body))).items() if n >= 2]
    )
    counts: list[Counter[str]] = []
    for a in articles:
        a.tokens = {
            "kicker": segment(a.kicker or ""),
            "title": segment(a.title),
            "subtitle": segment(a.subtitle or ""),
            "body": segment("\n".join(a.body)),
        }
        counts.append(_tag_counts(a.tokens, a.aliases))
    # Tags only once every field is cut: jieba's big tables push the tag tables out of the CPU caches.
    for a, counted in zip(articles, counts, strict=True):
        a.tags = _pick_tags(counted)

    issue_date = header.date
    year = issue_date.year if issue_date else default_year
    if year is None:
        year = _page_year([banner or ""] + all_fields)
    for a in articles:
        a.event_date = _event_date(a.body, year, issue_date)
    inferred = issue_date is None
    if inferred:
        dates = [a.event_date for a in articles if a.event_date]
        issue_date = max(dates) if dates else None
    return ParsedPage(
        banner=banner or "",
        articles=articles,
        issue_date=issue_date,
        issue_date_inferred=inferred,
        page_number=header.page,
        issue_number=header.issue,
        anomalies=page_anomalies,
        unassigned=unassigned,
        header_lines=header.lines,
        page_label=header.label,
    )


def _fields(article: ParsedArticle) -> list[str]:
    return [t for t in (article.kicker, article.title, article.subtitle) if t] + list(article.body)


def _structure(items: list[_Item], page_anomalies: list[str], unassigned: list[str]) -> tuple[list[_RawArticle], int]:
    """Split the classified lines into articles (headings, anchor, body, credits); also the page's title mark.

    Text that belongs to no article (no headline of its own before the first one) goes to unassigned, as printed.
    """
    blocks = _anchor_blocks(items)
    title_mark = _title_mark(items, blocks)
    articles: list[_RawArticle] = []
    current: _RawArticle | None = None
    note: str | None = None  # an editor's note waiting for the article it stands before
    closed = True
    after_credit = False
    intertitles = False
    after_intertitle = False
    i = 0
    n = len(items)

    def start(heads: list[_Item], anchor: _Item | None) -> _RawArticle:
        nonlocal note, intertitles
        article = _RawArticle(heads, anchor)
        if note is not None:
            article.editor_note, note = note, None
        articles.append(article)
        intertitles = False
        return article

    def fresh(article: _RawArticle | None) -> bool:
        # Headings only so far: a note, a mark or a dateline under them still belongs to them.
        return article is not None and not article.paragraphs and article.anchor is None and not article.credits

    def lost(text: str, why: str) -> None:
        unassigned.append(text)
        page_anomalies.append(f"{why}, kept as unassigned text: {text[:30]}")

    while i < n:
        if i in blocks:
            heads, a = blocks[i]
            anchor = items[a]
            if heads:
                for h in heads:
                    if items[h].kind == "N":
                        items[h].kind = "H"
                current = start([items[h] for h in heads], anchor)
            elif fresh(current):
                current.anchor = anchor  # type: ignore[union-attr]
            elif current is not None:
                # A dateline with no headline of its own: its text stays with the article it follows.
                current.anomalies.append(f"a dateline without a headline joined this article: {anchor.text[:30]}")
                current.add_text(anchor.text, own_paragraph=True)
                current.add_marks(anchor)
                closed, after_credit, i = True, False, a + 1
                continue
            else:
                lost(anchor.text, "a dateline without a headline before the first article")
                closed, after_credit, i = True, False, a + 1
                continue
            assert current is not None
            if anchor.kind == "D":
                rest = anchor.text[anchor.dateline.end() :].strip(_WS)
                split = _split_credit(rest) if rest else None
                if split is not None:
                    rest, credit = split
                    current.credits.append(credit)
                current.add_text(rest)
            current.add_marks(anchor)
            closed = not current.para_open
            after_credit = False
            i = a + 1
            continue
        item = items[i]
        if item.kind == "N":
            i += 1
            continue
        if item.kind == "M":
            if current is not None:
                current.add_marks(item)
            else:
                lost(item.text or (item.cont_from or item.cont_on).group(0), "a continuation mark before any article")  # type: ignore[union-attr]
            i += 1
            continue
        if item.kind == "E":
            # The note runs on, paragraph after paragraph, until a headline, a dateline or a credit.
            parts = [item.text]
            i += 1
            while i < n and i not in blocks and items[i].kind == "T" and items[i].credit is None:
                if _terminated(parts[-1]) and _strict_heading(items[i]):
                    break
                parts.append(("\n" if _terminated(parts[-1]) else "") + items[i].text)
                i += 1
            text = "".join(parts)
            if fresh(current) and current.editor_note is None:  # type: ignore[union-attr]
                current.editor_note = text  # type: ignore[union-attr]
            elif note is not None:
                note += text
            else:
                note = text
            closed, after_credit = True, False
            continue
        if item.kind in "CB":
            if item.credit is not None and current is not None:
                current.credits.append(item.credit)
            elif current is None:
                lost(item.text, "a credit before the first article")
            if current is not None:
                current.close()
            closed = True
            after_credit = True
            i += 1
            continue
        if (
            current is not None
            and closed
            and not after_credit  # a credit closes its article: the short line after it heads the next item
            and not after_intertitle  # the line under a section heading is that section's text
            and current.paragraphs
            and not (title_mark and item.mark == title_mark)
            and _intertitle(items, i, blocks, intertitles, len(current.paragraphs))
        ):
            # A section heading (小标题) of a long feature: its own paragraph of the body.
            current.add_text(item.text, own_paragraph=True)
            intertitles = after_intertitle = True
            i += 1
            continue
        after_intertitle = False
        if closed or (title_mark and item.mark == title_mark):
            # A continued part (（上接第一版）…) is closed like a story with a dateline: its start is marked.
            signed_ok = (
                current is None or current.anchor is not None or bool(current.credits) or bool(current.continued_from)
            )
            count = _dateless_heading(
                items, i, blocks, title_mark, after_credit, leading=current is None, signed_ok=signed_ok
            )
            if count:
                current = start(items[i : i + count], None)
                i += count
                closed = True
                after_credit = False
                continue
        if current is None:
            lost(item.text, "text before the first article has no headline")
            if item.credit is not None:
                unassigned.append(item.credit.text)
        else:
            own = bool(item.mark) and not current.para_open
            if item.cont_from is not None and current.paragraphs:
                current.close()  # （上接…） opens a paragraph
            current.add_text(item.text, own_paragraph=own)
            current.add_marks(item)
            if item.credit is not None:
                current.credits.append(item.credit)
                current.close()
            elif item.cont_on is not None:
                current.close()
        closed = current is None or not current.para_open
        after_credit = item.credit is not None
        i += 1
    if note is not None:
        lost(note, "an editor's note with no article after it")
    return articles, title_mark


def _build_article(raw: _RawArticle, title_mark: int, gaz: _Gazetteer) -> ParsedArticle:
    anomalies = list(raw.anomalies)
    kicker, title, subtitle = _assign_headings(raw.headings, title_mark, lambda t: _title_like(t, gaz))
    people: list[Person] = []
    dateline = None
    if raw.anchor is not None and raw.anchor.kind == "D":
        dateline = raw.anchor.dateline.group(0).strip(_WS)
        found, problems = _dateline_people(raw.anchor.dateline)
        people.extend(found)
        if any(c.people and not c.photo for c in raw.credits):  # signed at the end instead: 本报讯 …。（王建国）
            problems = [p for p in problems if not p.startswith("dateline names nobody")]
        anomalies.extend(problems)
    elif raw.anchor is not None and raw.anchor.kind == "B":
        dateline = raw.anchor.text
        people.extend(raw.anchor.people)
        anomalies.extend(_byline_anomalies(raw.anchor.text))
    kind = KIND_NEWS
    for credit in raw.credits:
        people.extend(credit.people)
        if credit.report or (credit.photo and raw.anchor is None and credit.people):
            kind = KIND_PHOTO
        if not credit.people:
            anomalies.append(f"credit without a person: {credit.text}")
        anomalies.extend(credit.anomalies)
    body = [joined for joined in map("".join, raw.paragraphs) if joined]
    article = ParsedArticle(
        title=title,
        kicker=kicker,
        subtitle=subtitle,
        kind=kind,
        dateline=dateline,
        people=people,
        body=body,
        credits=[credit.text for credit in raw.credits],
        editor_note=raw.editor_note,
        continued_from=raw.continued_from,
        continues_on=raw.continues_on,
        continuation_marks=list(raw.marks),
    )
    for name, value in (("kicker", kicker), ("title", title), ("subtitle", subtitle)):
        if value:
            anomalies.extend(_text_anomalies(name, value))
            if len(value) > LONG_HEADING:
                anomalies.append(f"{name} is {len(value)} characters long (over {LONG_HEADING})")
    for k, paragraph in enumerate(body, start=1):
        anomalies.extend(_text_anomalies(f"paragraph {k}", paragraph))
    if body and not _terminated(body[-1]):
        anomalies.append("the last paragraph ends without end punctuation")
    if not body:
        anomalies.append("article has no body text")
    article.anomalies = anomalies
    return article


def _title_like(text: str, gaz: _Gazetteer) -> bool:
    # A subject first (将台地区总工会… is a place, not the verb 将), then the slogan test.
    if text.startswith(("本市", "全市", "首都", "我市")) or _org_mentions_title_like(text, gaz):
        return True
    if _supplementary(text):
        return False
    return bool(_ACTION_RE.search(text, 2))


def page_to_dict(page: ParsedPage) -> dict:
    """The page as JSON-ready data (dates as ISO strings)."""
    return {
        "banner": page.banner,
        "issue_date": page.issue_date.isoformat() if page.issue_date else None,
        "articles": [
            {
                "kicker": a.kicker,
                "title": a.title,
                "subtitle": a.subtitle,
                "kind": a.kind,
                "people": [{"name": p.name, "role": p.role} for p in a.people],
                "body": list(a.body),
                "organisations": list(a.organisations),
                "tags": list(a.tags),
                "event_date": a.event_date.isoformat() if a.event_date else None,
            }
            for a in page.articles
        ],
    }
