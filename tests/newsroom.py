"""The newsroom's own organisations as a real newsroom keeps them (tests/data/newsroom_gazetteer.tsv)."""

from pathlib import Path

GAZETTEER_PATH = Path(__file__).resolve().parent / "data" / "newsroom_gazetteer.tsv"


def load_gazetteer(path: Path = GAZETTEER_PATH) -> dict[str, str]:
    """Name → canonical name, one tab-separated pair a line; # starts a comment."""
    entries = {}
    for line in path.read_text(encoding="utf-8").splitlines():
        if line.strip() and not line.startswith("#"):
            name, canonical = line.split("\t")
            entries[name.strip()] = canonical.strip()
    return entries


NEWSROOM_GAZETTEER = load_gazetteer()
