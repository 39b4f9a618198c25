"""A small text PDF, for the demo's archive and the tests (no PDF library writes text).

One page per ``pages`` item, each a list of lines in Helvetica; enough for a
leaflet or a minutes sheet whose words the archive extracts and finds.
"""


def _escape(line: str) -> str:
    return line.replace("\\", "\\\\").replace("(", "\\(").replace(")", "\\)")


def simple_pdf(pages: list[list[str]]) -> bytes:
    page_ids = []
    font_id = 3
    next_id = 4
    bodies = []
    for lines in pages:
        text = "BT /F1 11 Tf 14 TL 56 780 Td " + " ".join(
            f"({_escape(line)}) Tj T*" for line in lines
        )
        stream = (text + " ET").encode("latin-1", "replace")
        page_id, content_id = next_id, next_id + 1
        next_id += 2
        page_ids.append(page_id)
        bodies.append(
            (
                page_id,
                f"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] "
                f"/Resources << /Font << /F1 {font_id} 0 R >> >> "
                f"/Contents {content_id} 0 R >>".encode(),
            )
        )
        bodies.append(
            (content_id, b"<< /Length %d >>\nstream\n" % len(stream) + stream + b"\nendstream")
        )
    kids = " ".join(f"{i} 0 R" for i in page_ids)
    objects = [
        (1, b"<< /Type /Catalog /Pages 2 0 R >>"),
        (2, f"<< /Type /Pages /Kids [{kids}] /Count {len(page_ids)} >>".encode()),
        (3, b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>"),
        *bodies,
    ]
    out = bytearray(b"%PDF-1.4\n")
    offsets = {}
    for number, body in objects:
        offsets[number] = len(out)
        out += b"%d 0 obj\n" % number + body + b"\nendobj\n"
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    for number in range(1, len(objects) + 1):
        out += b"%010d 00000 n \n" % offsets[number]
    out += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (
        len(objects) + 1,
        xref,
    )
    return bytes(out)
