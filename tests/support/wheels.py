"""Real wheels of the player for update tests, written in the wheel format directly (a zip with
``*.dist-info/METADATA``, ``WHEEL`` and ``RECORD``): the repository's ``player`` and
``signage_contract`` packages with another ``__version__``, and optionally a ``player/__main__.py``
that fails at start. Building the whole project with a build backend would take far longer and
prove nothing more about updating."""

from __future__ import annotations

import base64
import hashlib
import zipfile
from pathlib import Path

from tests.support.paths import REPOSITORY

PACKAGES = ("player", "signage_contract")
BROKEN_MAIN = 'raise SystemExit("this release is broken on purpose")\n'
HANGING_MAIN = 'import time\n\nwhile True:  # starts, never draws, never reports healthy\n    time.sleep(1)\n'


def _record_line(name: str, data: bytes) -> str:
    digest = base64.urlsafe_b64encode(hashlib.sha256(data).digest()).rstrip(b"=").decode("ascii")
    return f"{name},sha256={digest},{len(data)}"


def build_wheel(out_dir: Path, version: str, *, broken: bool = False, hanging: bool = False,
                name: str = "signage") -> Path:
    """A wheel of ``name`` ``version`` in ``out_dir``; ``broken``: its player exits at once;
    ``hanging``: its player runs but never draws nor reports."""
    files: dict[str, bytes] = {}
    for package in PACKAGES:
        for path in sorted((REPOSITORY / package).rglob("*.py")):
            files[path.relative_to(REPOSITORY).as_posix()] = path.read_bytes()
    init = files["player/__init__.py"].decode("utf-8")
    files["player/__init__.py"] = init.replace('__version__ = "0.1.0"', f'__version__ = "{version}"').encode()
    if broken or hanging:
        files["player/__main__.py"] = (BROKEN_MAIN if broken else HANGING_MAIN).encode()
    info = f"{name}-{version}.dist-info"
    files[f"{info}/METADATA"] = f"Metadata-Version: 2.1\nName: {name}\nVersion: {version}\n".encode()
    files[f"{info}/WHEEL"] = (b"Wheel-Version: 1.0\nGenerator: tests\nRoot-Is-Purelib: true\n"
                              b"Tag: py3-none-any\n")
    record = [_record_line(n, d) for n, d in files.items()] + [f"{info}/RECORD,,"]
    files[f"{info}/RECORD"] = ("\n".join(record) + "\n").encode()
    out_dir.mkdir(parents=True, exist_ok=True)
    wheel = out_dir / f"{name}-{version}-py3-none-any.whl"
    with zipfile.ZipFile(wheel, "w", zipfile.ZIP_DEFLATED) as archive:
        for member, data in files.items():
            archive.writestr(member, data)
    return wheel
