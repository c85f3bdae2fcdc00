"""Turning a text export's bytes into text, line by line accountable when the encoding is wrong."""

from __future__ import annotations

from dataclasses import dataclass, field

BOM = b"\xef\xbb\xbf"


@dataclass
class DecodedText:
    text: str
    encoding: str
    # 0-based physical line numbers that did not decode in the expected encoding.
    bad_lines: list[int] = field(default_factory=list)
    note: str | None = None


def decode_export(data: bytes, expected: str) -> DecodedText:
    """Decode a whole file; on failure, decode line by line and mark the lines that fail.

    A file declared GBK that is valid UTF-8 (someone re-saved the export) is read as UTF-8 with a
    note: GBK text with Chinese in it is practically never valid UTF-8, so this guess is safe.
    Undecodable lines keep their place (with U+FFFD for the bad bytes) so row numbers stay true.
    """
    if data.startswith(BOM):
        data = data[len(BOM):]
        if expected.lower() != "utf-8":
            expected, note = "utf-8", "file starts with a UTF-8 byte order mark; read as UTF-8"
            return _decode(data, expected, note)
    if expected.lower() != "utf-8" and not data.isascii():
        try:
            return DecodedText(data.decode("utf-8"), "utf-8",
                               note=f"expected {expected} but the file is UTF-8; read as UTF-8")
        except UnicodeDecodeError:
            pass
    return _decode(data, expected, None)


def _decode(data: bytes, encoding: str, note: str | None) -> DecodedText:
    try:
        return DecodedText(data.decode(encoding), encoding, note=note)
    except UnicodeDecodeError:
        pass
    lines = data.split(b"\n")
    bad: list[int] = []
    out: list[str] = []
    for number, line in enumerate(lines):
        try:
            out.append(line.decode(encoding))
        except UnicodeDecodeError:
            bad.append(number)
            out.append(line.decode(encoding, errors="replace"))
    return DecodedText("\n".join(out), encoding, bad, note)


def encoding_reason(encoding: str, fix: str) -> str:
    return (f"this line is not valid {encoding.upper()} text (bytes in another encoding, e.g. GBK "
            f"inside a UTF-8 file): it was read with replacement characters and not loaded / "
            f"此行不是有效的 {encoding.upper()} 文本（混入了其他编码的字节，例如 UTF-8 文件中的 GBK），"
            f"读取时出现替换字符，未加载 ({fix}).")
