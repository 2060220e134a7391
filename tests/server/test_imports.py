"""The modules a tool imports first (the benchmarks, the soak, a maintenance script) load on their
own, in a fresh interpreter: an import cycle between content and manifest once broke ``make soak``
while the application, which imports them in another order, ran fine."""

from __future__ import annotations

import subprocess
import sys

import pytest

FIRST_IMPORTS = [
    "signage_server.manifest.composer",  # bench/soak.py, bench/bench_compose.py
    "signage_server.manifest.inputs",
    "signage_server.content.workflow",
    "signage_server.content.board_fit",
    "signage_server.content.records",
    "signage_server.content.pdf_media",
]


@pytest.mark.parametrize("module", FIRST_IMPORTS)
def test_the_module_imports_first_in_a_fresh_interpreter(module: str) -> None:
    done = subprocess.run([sys.executable, "-c", f"import {module}"], capture_output=True, text=True,
                          timeout=120)
    assert done.returncode == 0, done.stderr.strip().splitlines()[-1:]
