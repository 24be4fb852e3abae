"""The web process as newsroom.wsgi readies it, in a cold interpreter."""

import json
import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent

READY = """
import gc, json, jieba
import newsroom.wsgi
print(json.dumps({"frozen": gc.get_freeze_count(), "dictionary": bool(jieba.dt.initialized)}))
"""


def test_wsgi_loads_the_dictionary_and_freezes_what_start_up_loaded():
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "newsroom.settings.test"}
    done = subprocess.run(
        [sys.executable, "-c", READY], cwd=ROOT, env=env, capture_output=True, text=True, timeout=120, check=True
    )
    state = json.loads(done.stdout.strip().splitlines()[-1])
    assert state["dictionary"] is True
    # Django's machinery alone is tens of thousands of objects; the collector's passes now skip them.
    assert state["frozen"] > 20_000
