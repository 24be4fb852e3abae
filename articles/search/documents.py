"""Index documents: an article's terms per weight (A title, B labels and names, C text) and their stored forms."""

from __future__ import annotations

import hashlib
import unicodedata
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from functools import cached_property

from django.db import connection

from ..models import Article
from .terms import _add_extra_words, _dictionary, _parsing, runs

# A private-use character: FTS5's unicode61 indexes it as a token, while a query can never contain one
# (parse_query drops every non-word character), so a phrase cannot run across it from one name into the next.
ITEM_BREAK = "\ue000"
PG_MAX_POSITION = 16383
# Texts cut by jieba for the index (names, datelines) remembered, up to this long.
MEMO_TEXT_CHARS = 40
CUT_MEMO_LIMIT = 50_000


def _jieba_state(frequencies: dict) -> tuple:
    """Changes whenever a word is added to jieba's dictionary (a new word, or a new frequency for an old one)."""
    import jieba

    return id(frequencies), len(frequencies), jieba.dt.total


# Texts cut by jieba for the index that recur from article to article (tag, people and organisation names,
# datelines): text -> (jieba state when last checked, the dictionary lookups its cut makes joined by NUL, a hash
# of their results, runs).
_cut_memo: dict[str, tuple] = {}


def _lookups(text: str, frequencies: dict) -> str:
    """The dictionary entries jieba's cut of `text` depends on, joined by NUL: from each character on, the longer
    and longer pieces it looks up while they are in the dictionary, and the first one that is not (get_DAG)."""
    keys = []
    size = len(text)
    for start in range(size):
        for end in range(start + 1, size + 1):
            piece = text[start:end]
            keys.append(piece)
            if piece not in frequencies:
                break
    return "\0".join(keys)


def _short_text_runs(text: str, frequencies: dict, state: tuple) -> list[list[str]]:
    """runs(text), remembered for short texts for as long as the dictionary entries their cut reads stay."""
    # jieba cuts a text by the dictionary entries _lookups names alone (and the dictionary's total, whose
    # drift is ignored): any word added over the text changes one of them, as jieba adds every prefix of a
    # word too. So the remembered cut holds while they hold, whatever else was added: the importer's parser
    # adds words to jieba on almost every page, and these texts are looked up again only then.
    if not text:
        return []
    entry = _cut_memo.get(text)
    if entry is not None:
        checked, keys, entries, found = entry
        if checked == state:
            return found
        if hash(tuple(map(frequencies.get, keys.split("\0")))) == entries:
            _cut_memo[text] = (state, keys, entries, found)
            return found
    found = runs(text)
    if len(text) <= MEMO_TEXT_CHARS:
        if len(_cut_memo) >= CUT_MEMO_LIMIT:
            _cut_memo.clear()
        keys = _lookups(unicodedata.normalize("NFKC", text), frequencies)
        _cut_memo[text] = (state, keys, hash(tuple(map(frequencies.get, keys.split("\0")))), found)
    return found


_position_labels: dict[str, list[str]] = {}


def _labels(weight: str, first: int, count: int, step: int = 1) -> list[str]:
    """tsvector position labels ("12A") for `count` positions from `first`, `step` apart, capped at PG's limit."""
    labels = _position_labels.get(weight)
    if labels is None:
        labels = _position_labels[weight] = [f"{position}{weight}" for position in range(PG_MAX_POSITION + 1)]
    last = first + (count - 1) * step
    if last <= PG_MAX_POSITION:
        return labels[first : last + 1 : step]
    return [labels[min(position, PG_MAX_POSITION)] for position in range(first, last + 1, step)]


@dataclass
class IndexedDocument:
    """An article as the index sees it: per weight (A title, B labels and names, C text) items of runs of words."""

    items: dict[str, list[list[list[str]]]]

    @cached_property
    def _terms(self) -> dict[str, tuple[list[list[str]], list[str]]]:
        # Per weight: the word stream of each non-empty item, and the extra words that are not among them.
        frequencies = _dictionary()
        terms = {}
        for weight in "ABC":
            streams: list[list[str]] = []
            found: dict[str, None] = {}
            for item in self.items[weight]:
                _add_extra_words(item, frequencies, found)
                stream = item[0] if len(item) == 1 else [word for run in item for word in run]
                if stream:
                    streams.append(stream)
            if found:
                own = {word for stream in streams for word in stream}
                terms[weight] = (streams, [word for word in found if word not in own])
            else:
                terms[weight] = (streams, [])
        return terms

    def words(self, weight: str) -> list[list[str]]:
        """The word stream of each non-empty item of a weight."""
        return self._terms[weight][0]

    def extra_words(self, weight: str) -> list[str]:
        """This weight's in-word suffixes and cut-across dictionary words that are not already its words."""
        return self._terms[weight][1]

    def as_text(self) -> str:
        """Readable form stored in Article.search_document: one line per weight, ' | ' between items."""
        terms = self._terms
        return "\n".join(" | ".join([" ".join(words) for words in terms[weight][0]]) for weight in "ABC")

    def fts_row(self) -> tuple[str, ...]:
        """Column values for article_fts, in FTS_COLUMNS order."""
        terms = self._terms
        breaker = f" {ITEM_BREAK} "
        main = [breaker.join([" ".join(words) for words in terms[weight][0]]) for weight in "ABC"]
        return (*main, *(" ".join(terms[weight][1]) for weight in "ABC"))

    def tsvector_text(self) -> str:
        """A tsvector literal: words at their positions, a gap between items, each extra word on its own."""
        # Each word's entry is built as a string ('word':3A,17C), which the garbage collector need not track.
        # Terms are letters and digits only (runs), so no quote or backslash needs escaping as _lexeme does.
        terms = self._terms
        entries: dict[str, str] = {}
        get = entries.get
        position = 0
        for weight in "ABC":
            for words in terms[weight][0]:
                position += 1  # the gap that keeps a phrase inside one item
                for word, label in zip(words, _labels(weight, position + 1, len(words)), strict=True):
                    entry = get(word)
                    entries[word] = "'" + word + "':" + label if entry is None else entry + "," + label
                position += len(words)
        for weight in "ABC":
            extra = terms[weight][1]
            if not extra:
                continue
            # Every other position: no extra word ever stands next to another, so phrases never use one.
            for word, label in zip(extra, _labels(weight, position + 2, len(extra), 2), strict=True):
                entry = get(word)
                entries[word] = "'" + word + "':" + label if entry is None else entry + "," + label
            position += 2 * len(extra)
        return " ".join(entries.values())


@dataclass(frozen=True)
class PreparedEntry:
    """An index entry built ahead (in an import's parse worker) and the fingerprint of the source it was built from."""

    fingerprint: bytes
    values: tuple[str, ...]


@dataclass
class IndexSource:
    """Everything the index reads of one article, for index_articles (see IndexSource.of)."""

    pk: int
    title: str = ""
    kicker: str = ""
    subtitle: str = ""
    dateline: str = ""
    body: str = ""
    tags: Sequence[str] = ()
    # One name per byline (a person credited in two roles twice).
    people: Sequence[str] = ()
    # (name, every alias) of each linked organisation; or their ids, to be looked up in one query per batch.
    organisations: Sequence[tuple[str, Sequence[str]]] = ()
    organisation_ids: Iterable[int] = ()
    # parsing.segment() output for kicker, title, subtitle and/or body (ParsedArticle.tokens).
    segmented: Mapping[str, Sequence[str]] | None = None
    # The values to store, worked out ahead by prepare().
    prepared: tuple[str, ...] | None = None

    def prepare(self) -> IndexSource:
        """Segment and lay out the index entry now, reading no database (in the importer's parse workers,
        say); index_articles then only writes it. Needs `organisations` by name; `pk` may be set later."""
        if self.organisation_ids:
            raise ValueError("prepare() reads no database: give organisations by name, not organisation_ids")
        frequencies = _ready_dictionary()
        self.prepared = _stored_values(_document(self, frequencies, _jieba_state(frequencies)))
        return self

    def fingerprint(self) -> bytes:
        """A digest of everything the entry is built from (texts and names, in the document's order)."""
        # Two sources with one fingerprint give one entry in one process: _document reads nothing else but
        # the segmented words, which are the cut of these same texts.
        if self.organisation_ids:
            raise ValueError("fingerprint() needs organisations by name, not organisation_ids")
        names = (
            tuple(sorted(self.tags)),
            tuple(self.people),
            tuple(sorted((name, tuple(sorted(aliases))) for name, aliases in self.organisations)),
        )
        texts = (self.title, self.kicker, self.subtitle, self.dateline, self.body)
        return hashlib.blake2b(repr((texts, names)).encode(), digest_size=16).digest()

    def entry(self) -> PreparedEntry:
        """prepare(), then the values with the fingerprint they were built from, to be sent to the writer."""
        if self.prepared is None:
            self.prepare()
        return PreparedEntry(self.fingerprint(), self.prepared)

    @classmethod
    def of(cls, article: Article, **names) -> IndexSource:
        """The texts of an Article instance in memory; tags, people, organisations… as keyword arguments."""
        return cls(
            pk=article.pk,
            title=article.title or "",
            kicker=article.kicker or "",
            subtitle=article.subtitle or "",
            dateline=article.dateline or "",
            body=article.body or "",
            **names,
        )


def _document(source: IndexSource, frequencies: dict, state: tuple) -> IndexedDocument:
    segmented = source.segmented or {}

    def field(name: str) -> list[list[str]]:
        words = segmented.get(name)
        if words is None:
            return _short_text_runs(getattr(source, name), frequencies, state)
        return runs(getattr(source, name), words)

    def name(text: str) -> list[list[str]]:
        return _short_text_runs(text, frequencies, state)

    # Names in a fixed order, whoever gathered them: the document is the same from either entry point.
    names = [field("kicker"), field("subtitle")]
    names += [name(tag) for tag in sorted(source.tags)]
    names += [name(person) for person in source.people]
    for organisation, aliases in sorted(source.organisations, key=lambda pair: pair[0]):
        names.append(name(organisation))
        names += [name(alias) for alias in sorted(aliases)]
    return IndexedDocument(items={"A": [field("title")], "B": names, "C": [field("dateline"), field("body")]})


def index_document(article: Article, segmented: Mapping[str, Sequence[str]] | None = None) -> IndexedDocument:
    """Segment an article (bylines__reporter, tags, organisations__aliases prefetched); see update_search_index."""
    source = IndexSource.of(
        article,
        tags=[tag.name for tag in article.tags.all()],
        people=[byline.reporter.name for byline in article.bylines.all()],
        organisations=[
            (organisation.name, [alias.name for alias in organisation.aliases.all()])
            for organisation in article.organisations.all()
        ],
        segmented=segmented,
    )
    frequencies = _ready_dictionary()
    return _document(source, frequencies, _jieba_state(frequencies))


def _ready_dictionary() -> dict:
    """jieba's dictionary, loaded with the newsroom's user dictionary if this process has not cut text yet."""
    _parsing().add_user_terms(())
    return _dictionary()


def _stored_values(document: IndexedDocument) -> tuple[str, ...]:
    """search_document, then the tsvector literal (PostgreSQL) or the article_fts columns (SQLite)."""
    if connection.vendor == "postgresql":
        return document.as_text(), document.tsvector_text()
    return document.as_text(), *document.fts_row()
