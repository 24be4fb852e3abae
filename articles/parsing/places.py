"""Where a page belongs, as far as its file's path tells: the issue date and the page number (docs/parsing.md)."""

from __future__ import annotations

import datetime
import re
from dataclasses import dataclass

# Folders above the file that may carry the date (2023/03/01/page-03.txt needs three).
FOLDERS_READ = 3
MAX_PAGE = 999
CHINESE_DIGITS = {"一": 1, "二": 2, "三": 3, "四": 4, "五": 5, "六": 6, "七": 7, "八": 8, "九": 9}

# A run of hexadecimal letters and digits this long is a hash or an id: never a date, never a page number.
_HASH_RE = re.compile(r"(?<![0-9A-Za-z])(?=[0-9a-fA-F]*[a-fA-F])(?=[0-9a-fA-F]*[0-9])[0-9a-fA-F]{12,}(?![0-9A-Za-z])")
_LONG_DIGITS_RE = re.compile(r"\d{9,}")
# 2023-03-01, 2023_3_1, 2023.03.01, 2023年3月1日
_SEPARATED_DATE_RE = re.compile(r"(?<!\d)((?:19|20)\d\d)[-_./年 ](\d{1,2})[-_./月 ](\d{1,2})日?(?!\d)")
# 20230301, also after a paper's letters (ldwb20230301)
_COMPACT_DATE_RE = re.compile(r"(?<!\d)[A-Za-z]*((?:19|20)\d\d)(\d\d)(\d\d)(?!\d)")
_FOLDER_DATE_RES = [
    re.compile(r"((?:19|20)\d\d)-(\d{1,2})-(\d{1,2})"),
    re.compile(r"((?:19|20)\d\d)-?(\d\d)-?(\d\d)"),
]
_PAGE_RES = [
    # 01, 3, 第3版, 03版, 第03版, A3, A3版, 第A3版
    re.compile(r"第?[A-Za-z]?(\d{1,3})版?"),
    # page-03, page3, p3, P03, pg3
    re.compile(r"(?:page|pg|p)[-_ ]?(\d{1,3})", re.IGNORECASE),
    # 第三版, 第十二版
    re.compile(r"第([一二三四五六七八九十]{1,3})版"),
]
_SEPARATORS = "-_. "


@dataclass(frozen=True)
class Place:
    """An issue date and a page number, each None when unknown."""

    date: datetime.date | None = None
    page: int | None = None

    @property
    def known(self) -> bool:
        return self.date is not None and self.page is not None


def place_from_path(path: str) -> Place:
    """The issue date and page number that a page file's path (folders and name) states."""
    parts = [part for part in re.split(r"[/\\]+", path) if part]
    if not parts:
        return Place()
    stem = _stem(parts[-1])
    folders = parts[-1 - FOLDERS_READ : -1]
    date, rest = _date_in(stem)
    if date is None:
        date = _date_in_folders(folders)
    return Place(date=date, page=_page_in(rest))


def _stem(name: str) -> str:
    # Only a short alphabetic suffix is an extension: "2023.03.01" keeps its dots.
    return re.sub(r"\.[A-Za-z]{1,5}$", "", name)


def _hash_like(text: str) -> bool:
    return bool(_HASH_RE.search(text) or _LONG_DIGITS_RE.search(text))


def _valid_date(year: str, month: str, day: str) -> datetime.date | None:
    try:
        return datetime.date(int(year), int(month), int(day))
    except ValueError:
        return None


def _date_in(part: str) -> tuple[datetime.date | None, str]:
    """The date a file or folder name states, and the rest of the name; a hash-like name states nothing."""
    if _hash_like(part):
        return None, ""
    for pattern in (_SEPARATED_DATE_RE, _COMPACT_DATE_RE):
        match = pattern.search(part)
        if match:
            date = _valid_date(*match.groups())
            if date is not None:
                return date, part[: match.start()] + " " + part[match.end() :]
    return None, part


def _date_in_folders(folders: list[str]) -> datetime.date | None:
    # Nested folders first (2023/03/01, 2023/0301, 202303/01), then the nearest folder that names a date.
    for count in (3, 2):
        if len(folders) >= count and not any(_hash_like(folder) for folder in folders[-count:]):
            joined = "-".join(folders[-count:])
            for pattern in _FOLDER_DATE_RES:
                match = pattern.fullmatch(joined)
                if match and (date := _valid_date(*match.groups())):
                    return date
    for folder in reversed(folders):
        date, _ = _date_in(folder)
        if date is not None:
            return date
    return None


def _page_in(rest: str) -> int | None:
    rest = rest.strip(_SEPARATORS)
    if not rest:
        return None
    for pattern in _PAGE_RES:
        match = pattern.fullmatch(rest)
        if match:
            value = match.group(1)
            number = int(value) if value.isdigit() else _chinese_number(value)
            return number if number and 0 < number <= MAX_PAGE else None
    return None


def _chinese_number(text: str) -> int | None:
    """一 to 九十九 (十二 → 12, 二十 → 20, 二十三 → 23)."""
    if "十" not in text:
        return CHINESE_DIGITS.get(text) if len(text) == 1 else None
    tens, _, units = text.partition("十")
    if "十" in units or len(tens) > 1 or len(units) > 1:
        return None
    value = (CHINESE_DIGITS.get(tens) if tens else 1) or 0
    unit = CHINESE_DIGITS.get(units, 0) if units else 0
    return value * 10 + unit if value else None
