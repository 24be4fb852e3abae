"""What a web process does once, before its first request."""

import gc


def prepare_web_process() -> None:
    """Load what the process keeps for life (jieba's dictionary), then keep the cyclic collector off all of it."""
    from articles.parsing.text import load_dictionary

    load_dictionary()
    # Every full pass of the cyclic collector walked all that start-up loaded (Django's URL, model and template
    # machinery), in the middle of whichever request triggered it: the slowest renders (docs/benchmarks.md,
    # fourth session). Frozen objects are left out of every pass.
    # https://docs.python.org/3/library/gc.html#gc.freeze
    gc.collect()
    gc.freeze()
