"""Writers of hostile and broken inputs for the robustness tests: each function writes one
file into a folder and returns its path. Nothing here is committed as data; the tests
generate the files they need."""

from __future__ import annotations

import zlib
from pathlib import Path

LOREM = (
    "The competent authority examines each application for a residence permit within "
    "sixty days and notifies its decision in writing to the applicant."
)


def _text_pdf(path: Path, pages: int, lines: int = 20, **canvas_kw) -> Path:
    from reportlab.lib.pagesizes import A4
    from reportlab.pdfgen import canvas

    c = canvas.Canvas(str(path), pagesize=A4, pageCompression=1, **canvas_kw)
    for page in range(pages):
        c.setFont("Helvetica", 10)
        for i in range(lines):
            c.drawString(60, 780 - 14 * i, f"{page + 1}.{i + 1} {LOREM[: 80 + i]}")
        c.showPage()
    c.save()
    return path


def text_pdf(folder: Path, name: str = "good.pdf", pages: int = 3) -> Path:
    """A plain, valid PDF with ``pages`` pages of English text."""
    return _text_pdf(folder / name, pages)


def empty_file(folder: Path, name: str = "empty.pdf") -> Path:
    """A 0-byte file named .pdf."""
    path = folder / name
    path.write_bytes(b"")
    return path


def html_as_pdf(folder: Path, name: str = "error_page.pdf") -> Path:
    """An HTML error page saved under a .pdf name (a failed download)."""
    path = folder / name
    path.write_text(
        "<!DOCTYPE html>\n<html><head><title>404 Not Found</title></head>"
        "<body><h1>Not Found</h1><p>The requested URL was not found.</p></body></html>\n",
        "utf-8",
    )
    return path


def truncated_pdf(folder: Path, name: str = "truncated.pdf") -> Path:
    """A real 3-page PDF cut at half its size (an interrupted download)."""
    full = _text_pdf(folder / f".{name}.full", 3)
    data = full.read_bytes()
    full.unlink()
    path = folder / name
    path.write_bytes(data[: len(data) // 2])
    return path


def broken_xref_pdf(folder: Path, name: str = "broken_xref.pdf") -> Path:
    """A 3-page PDF whose startxref offset and xref entries point at the wrong bytes."""
    full = _text_pdf(folder / f".{name}.full", 3)
    data = bytearray(full.read_bytes())
    full.unlink()
    xref = data.rindex(b"\nxref")
    # Shift every 10-digit offset of the xref table, then point startxref into the body.
    table_end = data.index(b"trailer", xref)
    table = bytes(data[xref:table_end])
    shifted = b"\n".join(
        (b"%010d" % (int(line[:10]) + 7) + line[10:])
        if len(line) >= 18 and line[:10].isdigit()
        else line
        for line in table.split(b"\n")
    )
    data[xref:table_end] = shifted
    start = data.rindex(b"startxref")
    tail = data[start:].split(b"\n")
    tail[1] = str(int(tail[1]) // 3).encode()
    data[start:] = b"\n".join(tail)
    path = folder / name
    path.write_bytes(bytes(data))
    return path


def damaged_page_tree_pdf(folder: Path, name: str = "damaged_page_tree.pdf") -> Path:
    """A 3-page PDF whose /Pages object is overwritten with zero bytes, as a download that
    was preallocated and not finished leaves it: PDFium refuses the file, while pdfminer
    finds the pages by their /Type."""
    full = _text_pdf(folder / f".{name}.full", 3)
    data = bytearray(full.read_bytes())
    full.unlink()
    start = data.index(b"/Type /Pages")
    start = data.rindex(b" 0 obj", 0, start)
    start = data.rindex(b"\n", 0, start) + 1
    end = data.index(b"endobj", start) + len(b"endobj")
    data[start:end] = bytes(end - start)
    path = folder / name
    path.write_bytes(bytes(data))
    return path


def encrypted_pdf(folder: Path, name: str = "encrypted_user.pdf") -> Path:
    """A PDF that needs the user password "user" to open."""
    from reportlab.lib.pdfencrypt import StandardEncryption

    return _text_pdf(folder / name, 2, encrypt=StandardEncryption("user", ownerPassword="owner"))


def owner_only_pdf(folder: Path, name: str = "encrypted_owner_only.pdf") -> Path:
    """An encrypted PDF with only an owner password: opens with the empty password."""
    from reportlab.lib.pdfencrypt import StandardEncryption

    return _text_pdf(
        folder / name,
        2,
        encrypt=StandardEncryption("", ownerPassword="owner", canPrint=0, canCopy=0),
    )


def image_only_pdf(folder: Path, name: str = "image_only.pdf") -> Path:
    """Two pages holding only a raster image (a scan without OCR)."""
    from PIL import Image
    from reportlab.lib.pagesizes import A4
    from reportlab.lib.utils import ImageReader
    from reportlab.pdfgen import canvas

    image = Image.effect_noise((200, 280), 60)  # grey noise, like a poor scan
    c = canvas.Canvas(str(folder / name), pagesize=A4)
    for _ in range(2):
        c.drawImage(ImageReader(image), 40, 60, width=500, height=700)
        c.showPage()
    c.save()
    return folder / name


def tiny_boxes_pdf(folder: Path, name: str = "tiny_boxes.pdf", boxes: int = 30_000) -> Path:
    """One page carrying ``boxes`` separate tiny text boxes (a dense table or a fuzz)."""
    from reportlab.lib.pagesizes import A4
    from reportlab.pdfgen import canvas

    c = canvas.Canvas(str(folder / name), pagesize=A4, pageCompression=1)
    c.setFont("Helvetica", 2)
    cols = 200
    for i in range(boxes):
        x, y = 10 + (i % cols) * 2.9, 830 - (i // cols) * 5.4
        c.drawString(x, y, "ab"[i % 2])
    c.showPage()
    c.save()
    return folder / name


# --- hand-written PDFs ------------------------------------------------------------------------


def _write_objects(path: Path, objects: list[bytes], root: int = 1) -> Path:
    """Write numbered objects (1-based, in order) with a correct xref table and trailer."""
    out = bytearray(b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n")
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += b"%d 0 obj\n" % number + body + b"\nendobj\n"
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    out += b"".join(b"%010d 00000 n \n" % off for off in offsets)
    out += b"trailer\n<< /Size %d /Root %d 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (
        len(objects) + 1,
        root,
        xref,
    )
    path.write_bytes(bytes(out))
    return path


def _stream(data: bytes, extra: bytes = b"") -> bytes:
    return b"<< /Length %d %s>>\nstream\n" % (len(data), extra) + data + b"\nendstream"


_FONT = b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>"
_TEXT = b"BT /F1 11 Tf 60 760 Td (" + LOREM.encode() + b") Tj ET"


def bomb_stream(inflated_mb: int = 1024, chunk_mb: int = 4) -> bytes:
    """A zlib stream of ``inflated_mb`` MB of spaces, built without holding it in memory.

    After a full flush the compressor's state is reset, so every further identical chunk
    compresses to identical bytes: compress one chunk, repeat its bytes, fix the checksum.
    """
    chunk = b" " * (chunk_mb << 20)
    comp = zlib.compressobj(9)
    head = comp.compress(chunk) + comp.flush(zlib.Z_FULL_FLUSH)
    body = comp.compress(chunk) + comp.flush(zlib.Z_FULL_FLUSH)
    tail = comp.flush(zlib.Z_FINISH)[:-4]  # the final empty block, without adler32
    n = max(1, inflated_mb // chunk_mb)
    adler = 1
    for _ in range(n):
        adler = zlib.adler32(chunk, adler)
    return head + body * (n - 1) + tail + adler.to_bytes(4, "big")


def decompression_bomb_pdf(folder: Path, name: str = "bomb.pdf", inflated_mb: int = 1024) -> Path:
    """One page whose content stream is a few MB of Flate inflating to ``inflated_mb`` MB."""
    data = bomb_stream(inflated_mb)
    return _write_objects(
        folder / name,
        [
            b"<< /Type /Catalog /Pages 2 0 R >>",
            b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
            b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] "
            b"/Resources << /Font << /F1 5 0 R >> >> /Contents 4 0 R >>",
            _stream(data, b"/Filter /FlateDecode "),
            _FONT,
        ],
    )


def recursive_page_tree_pdf(folder: Path, name: str = "recursive_pages.pdf") -> Path:
    """A /Pages node whose /Kids lists itself next to one real page."""
    return _write_objects(
        folder / name,
        [
            b"<< /Type /Catalog /Pages 2 0 R >>",
            b"<< /Type /Pages /Kids [2 0 R 3 0 R] /Count 2 >>",
            b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] "
            b"/Resources << /Font << /F1 5 0 R >> >> /Contents 4 0 R >>",
            _stream(_TEXT),
            _FONT,
        ],
    )


def xobject_cycle_pdf(folder: Path, name: str = "xobject_cycle.pdf") -> Path:
    """A page drawing a Form XObject that draws itself (and some real text)."""
    form = b"BT /F1 11 Tf 60 700 Td (inside the form) Tj ET /X1 Do"
    return _write_objects(
        folder / name,
        [
            b"<< /Type /Catalog /Pages 2 0 R >>",
            b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
            b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] "
            b"/Resources << /Font << /F1 5 0 R >> /XObject << /X1 6 0 R >> >> /Contents 4 0 R >>",
            _stream(_TEXT + b" /X1 Do"),
            _FONT,
            _stream(
                form,
                b"/Type /XObject /Subtype /Form /BBox [0 0 595 842] "
                b"/Resources << /Font << /F1 5 0 R >> /XObject << /X1 6 0 R >> >> ",
            ),
        ],
    )


def many_pages_pdf(folder: Path, name: str, pages: int) -> Path:
    """A valid PDF of ``pages`` pages sharing one content stream (fast to write); the text
    sits mid-page so that it is body text, not a running header."""
    kids = b" ".join(b"%d 0 R" % (4 + i) for i in range(pages))
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [" + kids + b"] /Count %d >>" % pages,
        _stream(_TEXT.replace(b"60 760 Td", b"60 420 Td")),
    ]
    page = (
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] "
        b"/Resources << /Font << /F1 %d 0 R >> >> /Contents 3 0 R >>" % (4 + pages)
    )
    objects += [page] * pages + [_FONT]
    return _write_objects(folder / name, objects)


# --- the whole set --------------------------------------------------------------------------

WRITERS = {
    "empty.pdf": empty_file,
    "error_page.pdf": html_as_pdf,
    "truncated.pdf": truncated_pdf,
    "broken_xref.pdf": broken_xref_pdf,
    "encrypted_user.pdf": encrypted_pdf,
    "encrypted_owner_only.pdf": owner_only_pdf,
    "image_only.pdf": image_only_pdf,
    "damaged_page_tree.pdf": damaged_page_tree_pdf,
    "bomb.pdf": decompression_bomb_pdf,
    "tiny_boxes.pdf": tiny_boxes_pdf,
    "recursive_pages.pdf": recursive_page_tree_pdf,
    "xobject_cycle.pdf": xobject_cycle_pdf,
}


def write_all(folder: Path) -> dict[str, Path]:
    """Write every file of WRITERS into ``folder``; returns name -> path."""
    folder.mkdir(parents=True, exist_ok=True)
    return {name: writer(folder, name) for name, writer in WRITERS.items()}
