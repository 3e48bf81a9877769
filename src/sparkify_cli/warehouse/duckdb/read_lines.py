"""Files DuckDB should not read one by one: Python rewrites them into parts of at most PART_BYTES.

- Many tiny files (a song catalog): DuckDB pays a fixed cost per file it opens, Python does not.
- A file larger than a part: DuckDB reads a file as one text, and one text must stay well under its
  memory limit (SPARKIFY_DUCKDB_MEMORY_LIMIT), so such a file is cut into parts at line ends (a
  400 MB log file failed with Out of Memory at the default 256MB when DuckDB read it whole).

(The careful reader of files DuckDB cannot split into JSON lines by itself is warehouse-neutral:
sources/lines.py.)
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import BinaryIO

# The largest part; a part DuckDB reads as one text must also stay well under its memory limit
# (SPARKIFY_DUCKDB_MEMORY_LIMIT): see part_bytes.
PART_BYTES = 32 << 20
_BLOCK = 8 << 20  # how much of a large file Python holds at once

# (source path, part file, the part's line number of the source's line 1): a part holding a later
# piece of a file gives a start of 0 or less, so part line n is always source line n - start + 1.
Start = tuple[str, str, int]


def part_bytes(memory_limit: int) -> int:
    """The size of a part for a DuckDB with this memory limit (bytes): reading a text takes a buffer
    of its size rounded up to a power of two, and splitting it into lines as much again."""
    return max(1 << 20, min(PART_BYTES, memory_limit // 8))


class _Parts:
    """Part files being written in `folder`, each at most `limit` bytes unless a single line is longer."""

    def __init__(self, folder: Path, limit: int) -> None:
        self.folder = folder
        self.limit = limit
        self.starts: list[Start] = []
        self.sink: BinaryIO | None = None
        self.name = ""
        self.lines = 0  # lines written to the current part
        self.size = 0

    def write(self, path: str, first_line: int, data: bytes) -> None:
        """Whole lines of `path`, the first of them its line `first_line`; each ends with a newline."""
        if self.sink is None or (self.size and self.size + len(data) > self.limit):
            self.close()
            self.name = str(self.folder / f"part-{len(self.starts):08d}.json")
            self.sink, self.lines, self.size = open(self.name, "wb"), 0, 0  # noqa: SIM115 - closed in close()
        self.starts.append((path, self.name, self.lines + 1 - (first_line - 1)))
        self.sink.write(data)
        self.lines += data.count(b"\n")
        self.size += len(data)

    def close(self) -> None:
        if self.sink is not None:
            self.sink.close()
            self.sink = None


def _pieces(path: Path, block_bytes: int) -> Iterator[bytes]:
    """The file in blocks of whole lines (the last one given a newline when it has none), BOM
    removed; raises UnicodeDecodeError when it is not UTF-8 and ValueError when it is gzip."""
    with open(path, "rb") as source:
        rest = b""
        first = True
        while True:
            block = source.read(block_bytes)
            if first:
                if block[:2] == b"\x1f\x8b":
                    raise ValueError("gzip")
                block = block.removeprefix(b"\xef\xbb\xbf")
                first = False
            if not block:
                if rest:
                    rest.decode("utf-8")
                    yield rest + b"\n"
                return
            data = rest + block
            cut = data.rfind(b"\n") + 1
            if cut == 0:  # a line longer than a block: keep reading it
                rest = data
                continue
            whole, rest = data[:cut], data[cut:]
            whole.decode("utf-8")  # a multi-byte character never holds a newline byte: lines decode alone
            yield whole


def write_parts(paths: list[Path], folder: Path, limit: int = PART_BYTES) -> tuple[list[Start], list[str]]:
    """The files as parts in `folder`: (path, part, start) for each piece written, and the files
    for the careful path (gzip-compressed, or not UTF-8). Empty files write nothing. A file found
    undecodable part-way keeps the pieces already written under its name: the caller replaces the
    lines of every careful file with what the careful path reads."""
    parts = _Parts(folder, limit)
    careful: list[str] = []
    try:
        for path in paths:
            line = 1
            try:
                for piece in _pieces(path, min(_BLOCK, limit)):
                    parts.write(str(path), line, piece)
                    line += piece.count(b"\n")
            except (UnicodeDecodeError, ValueError):
                careful.append(str(path))
    finally:
        parts.close()
    return parts.starts, careful
