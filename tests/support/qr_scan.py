"""Reading QR codes back from drawn frames, as a phone would: zxing-cpp (a dev dependency) on the
frame's pixels. Tests that use it skip where it is not installed."""

from __future__ import annotations

import pygame
import pytest
from PIL import Image


def decoded(frame: pygame.Surface) -> list[str]:
    """The texts of the QR codes zxing-cpp finds in ``frame``."""
    zxingcpp = pytest.importorskip("zxingcpp", reason="zxing-cpp (dev dependency) reads the QR codes back")
    size = frame.get_size()
    picture = Image.frombytes("RGB", size, pygame.image.tobytes(frame, "RGB"))
    return [code.text for code in zxingcpp.read_barcodes(picture, formats=zxingcpp.BarcodeFormat.QRCode)]
