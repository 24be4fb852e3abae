"""Dedicated parser fuzz run (not part of `make test`): `make fuzz` or `python -m tests.fuzz.fuzz_parser [N]`.

Every generated input must give a ParsedPage that keeps every printed character (conservation) or raise ParseError,
nothing else; the run prints the case count, the conservation failures (must be 0), the slowest input and a linearity
check on huge lines.
"""

import random
import sys
import time
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from articles.parsing import ParsedPage, ParseError, parse_page
from articles.parsing.conservation import check_conservation

SEEDS = [p.read_text(encoding="utf-8") for p in sorted((Path(__file__).resolve().parents[2] / "seeds").glob("*.txt"))]
LINES = [line for text in SEEDS for line in text.splitlines()]
STATS = {"cases": 0, "slowest": 0.0, "slowest_input": "", "errors": 0, "conservation": 0, "first_loss": ""}


def check(text: str) -> None:
    """The property: a page that keeps every printed character, or a ParseError; anything else fails the run."""
    start = time.perf_counter()
    result = None
    try:
        result = parse_page(text)
        assert isinstance(result, ParsedPage)
    except ParseError:
        STATS["errors"] += 1
    spent = time.perf_counter() - start
    problems = check_conservation(text, result) if result is not None else []
    if problems:
        STATS["conservation"] += 1
        STATS["first_loss"] = STATS["first_loss"] or f"{problems} on {text!r}"
    STATS["cases"] += 1
    if spent > STATS["slowest"]:
        STATS["slowest"], STATS["slowest_input"] = spent, text


@st.composite
def mangled_pages(draw):
    """A real page with its lines shuffled, truncated, duplicated or spliced with noise."""
    lines = draw(st.sampled_from(SEEDS)).splitlines()
    operation = draw(st.sampled_from(["shuffle", "truncate", "duplicate", "splice", "cut_chars", "mix_pages"]))
    rng = random.Random(draw(st.integers(0, 2**32)))
    if operation == "shuffle":
        rng.shuffle(lines)
    elif operation == "truncate":
        lines = lines[: rng.randrange(len(lines) + 1)]
    elif operation == "duplicate":
        index = rng.randrange(len(lines))
        lines = lines[:index] + lines[index:] * rng.randint(2, 4)
    elif operation == "splice":
        noise = draw(st.lists(st.text(max_size=80), max_size=8))
        for item in noise:
            lines.insert(rng.randrange(len(lines) + 1), item)
    elif operation == "cut_chars":
        text = "\n".join(lines)
        cut = rng.randrange(len(text) + 1)
        return text[:cut] + text[cut + rng.randint(0, 500) :]
    else:
        lines = lines + rng.sample(LINES, min(len(LINES), rng.randint(1, 40)))
    return "\n".join(lines)


def run(examples: int) -> None:
    per_strategy = max(examples // 3, 1)
    common = settings(
        max_examples=per_strategy,
        deadline=None,
        database=None,
        suppress_health_check=list(HealthCheck),
    )

    @common
    @given(st.text())
    def arbitrary_unicode(text):
        check(text)

    @common
    @given(mangled_pages())
    def mangled(text):
        check(text)

    @common
    @given(st.lists(st.sampled_from(LINES + ["", "#", "##", "本报讯（", "摄影报道", "（以下简称“"]), max_size=120))
    def recombined(lines):
        check("\n".join(lines))

    for test in (arbitrary_unicode, mangled, recombined):
        started = time.perf_counter()
        test()
        print(f"{test.__name__}: done in {time.perf_counter() - started:.1f} s", flush=True)


def linearity() -> list[tuple[int, float]]:
    """Time huge single lines and huge pages; the time per character must stay flat."""
    body = "".join(line for line in LINES if len(line) > 50)
    figures = []
    for size in (20_000, 80_000, 320_000):
        text = "标题\n\n本报讯（记者 白莹）" + (body * (size // len(body) + 1))[:size]
        start = time.perf_counter()
        check(text)
        figures.append((size, time.perf_counter() - start))
    return figures


def main() -> None:
    examples = int(sys.argv[1]) if len(sys.argv) > 1 else 100_000
    started = time.perf_counter()
    run(examples)
    figures = linearity()
    print(f"cases: {STATS['cases']:,} (ParseError on {STATS['errors']:,}); {time.perf_counter() - started:.0f} s")
    print(f"conservation failures: {STATS['conservation']:,}")
    print(f"slowest: {STATS['slowest'] * 1000:.1f} ms on a {len(STATS['slowest_input']):,}-character input")
    print("huge lines:", ", ".join(f"{size:,} chars {seconds:.2f} s" for size, seconds in figures))
    if STATS["conservation"]:
        raise SystemExit(f"conservation failed; first: {STATS['first_loss']}")
    per_char = [seconds / size for size, seconds in figures]
    if per_char[-1] > 3 * per_char[0]:
        raise SystemExit("the parser is not linear: time per character grew more than threefold")


if __name__ == "__main__":
    main()
