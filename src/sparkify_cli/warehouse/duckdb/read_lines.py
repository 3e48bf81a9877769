"""Song catalogs are many tiny files: Python concatenates them into a few parts for DuckDB, which
pays a fixed cost per file it opens. (The careful reader of files DuckDB cannot split into JSON lines
by itself is warehouse-neutral: sources/lines.py.)"""

from __future__ import annotations

from pathlib import Path

# A part DuckDB reads as one text must stay well under its memory limit (SPARKIFY_DUCKDB_MEMORY_LIMIT).
PART_BYTES = 32 << 20


def concatenate(paths: list[Path], folder: Path) -> tuple[list[tuple[str, str, int]], list[str]]:
    """Many small files into a few (DuckDB pays a fixed cost per file it opens; Python does not).

    Parts stay under PART_BYTES so no single text DuckDB reads outgrows its memory limit.
    Returns (path, part file, first line number in that part) for every non-empty file written, and
    the files left for the careful path (undecodable or compressed). Each file ends with a newline.
    """
    starts: list[tuple[str, str, int]] = []
    careful: list[str] = []
    part, sink, line, size = "", None, 1, 0
    try:
        for path in paths:
            data = path.read_bytes()
            if data[:2] == b"\x1f\x8b":
                careful.append(str(path))
                continue
            try:
                data.decode("utf-8")
            except UnicodeDecodeError:
                careful.append(str(path))
                continue
            data = data.removeprefix(b"\xef\xbb\xbf")
            if not data:
                continue
            if not data.endswith(b"\n"):
                data += b"\n"
            if sink is None or size + len(data) > PART_BYTES:
                if sink is not None:
                    sink.close()
                part = str(folder / f"part-{len(starts):08d}.json")
                sink, line, size = open(part, "wb"), 1, 0  # noqa: SIM115 - closed above and below
            starts.append((str(path), part, line))
            sink.write(data)
            line += data.count(b"\n")
            size += len(data)
    finally:
        if sink is not None:
            sink.close()
    return starts, careful
