"""The player fixes glibc's mmap threshold, so a freed picture leaves the process at once, and keeps
its trim threshold above it, so smaller blocks freed and allocated again do not fault each time."""

from __future__ import annotations

import platform
import subprocess
import sys
import textwrap

import pytest

# Run in a fresh interpreter (the setting is process-wide and glibc's threshold moves with history):
# one 6 MB block is allocated and freed first, as a decoded picture is, which is what raises glibc's
# dynamic threshold; then 5 more such blocks, each followed by a small allocation that stays (the
# heap goes on being used), are freed. Prints how much the resident size grew, in MB.
PICTURES = textwrap.dedent("""
    import sys
    from pathlib import Path

    def rss_mb():
        status = Path("/proc/self/status").read_text().splitlines()
        return next(int(line.split()[1]) for line in status if line.startswith("VmRSS")) / 1024

    if sys.argv[1] == "fixed":
        from player.core.heap import return_large_blocks
        assert return_large_blocks()
    SIZE = 6 * 1024 * 1024  # a 1080p picture as RGB bytes
    first = bytearray(SIZE)
    del first
    kept = []
    before = rss_mb()
    for _ in range(5):
        picture = bytearray(SIZE)
        kept.append(bytearray(64 * 1024))
        del picture
    print(rss_mb() - before)
""")


def _growth_mb(mode: str) -> float:
    out = subprocess.run([sys.executable, "-c", PICTURES, mode], capture_output=True, text=True, timeout=60,
                         check=True)
    return float(out.stdout.strip())


@pytest.mark.skipif(platform.libc_ver()[0] != "glibc", reason="mallopt is glibc's")
def test_a_freed_picture_leaves_the_process_with_the_threshold_fixed() -> None:
    assert _growth_mb("dynamic") > 5  # glibc's own behaviour: the freed picture stays resident
    assert _growth_mb("fixed") < 1


# A 512 KiB block (a line of text rendered, say) allocated and freed 100 times at the top of the
# heap: prints the page faults taken. Handed back at each free, it is faulted in again each time.
CHURN = textwrap.dedent("""
    import resource
    import sys

    if sys.argv[1] == "fixed":
        from player.core.heap import return_large_blocks
        assert return_large_blocks()
    else:  # what fixing the mmap threshold alone leaves: glibc's 128 KiB trim threshold
        import ctypes
        ctypes.CDLL("libc.so.6").mallopt(-3, 1024 * 1024)
    bytearray(512 * 1024)
    before = resource.getrusage(resource.RUSAGE_SELF).ru_minflt
    for _ in range(100):
        block = bytearray(512 * 1024)
        del block
    print(resource.getrusage(resource.RUSAGE_SELF).ru_minflt - before)
""")


@pytest.mark.skipif(platform.libc_ver()[0] != "glibc", reason="mallopt is glibc's")
def test_a_block_below_the_threshold_freed_and_allocated_again_does_not_fault_each_time() -> None:
    def faults(mode: str) -> int:
        out = subprocess.run([sys.executable, "-c", CHURN, mode], capture_output=True, text=True, timeout=60,
                             check=True)
        return int(out.stdout.strip())

    assert faults("mmap-only") > 50 * 100  # 96 pages a time here: what lies above the 128 KiB kept
    assert faults("fixed") < 1000
