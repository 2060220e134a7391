"""PDF documents made for tests (no binary fixtures): pages of plain colours drawn by Pillow's PDF
writer, many blank pages through PDFium, and encrypted copies through pypdf."""

from __future__ import annotations

import io

import pypdfium2 as pdfium
from PIL import Image, ImageDraw

# Colours far apart, so a frame of the board tells which page is on screen.
PAGE_COLOURS = ((200, 30, 30), (30, 160, 40), (30, 60, 200), (230, 200, 20))


def colour_pdf(colours: tuple[tuple[int, int, int], ...] = PAGE_COLOURS[:3],
               size_px: tuple[int, int] = (420, 297),
               dpi: float = 50.0) -> bytes:
    """One page per colour, each a flat colour with its number in a white box; ``size_px`` at
    ``dpi`` gives the page size (420 x 297 px at 50 dpi: A4 landscape)."""
    pages = []
    for number, colour in enumerate(colours, start=1):
        page = Image.new("RGB", size_px, colour)
        draw = ImageDraw.Draw(page)
        draw.rectangle((10, 10, 60, 40), fill=(255, 255, 255))
        draw.text((20, 18), str(number), fill=(0, 0, 0))
        pages.append(page)
    out = io.BytesIO()
    pages[0].save(out, "PDF", save_all=True, append_images=pages[1:], resolution=dpi)
    return out.getvalue()


def blank_pdf(pages: int, size_pt: tuple[float, float] = (595.0, 842.0)) -> bytes:
    document = pdfium.PdfDocument.new()
    for _ in range(pages):
        document.new_page(*size_pt)
    out = io.BytesIO()
    document.save(out)
    document.close()
    return out.getvalue()


def encrypted_pdf(data: bytes, user_password: str = "mật khẩu", owner_password: str = "chủ") -> bytes:
    """``data`` encrypted; with an empty ``user_password`` it opens without one but stays protected."""
    from pypdf import PdfReader, PdfWriter

    writer = PdfWriter(clone_from=PdfReader(io.BytesIO(data)))
    writer.encrypt(user_password=user_password, owner_password=owner_password, algorithm="AES-128")
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()
