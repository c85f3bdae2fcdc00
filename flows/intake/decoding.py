"""Turning a text export's bytes into text, line by line accountable when the encoding is wrong.

What can be detected is said, never silently repaired: a UTF-16 file is refused (it is not the
export's format), NUL bytes are removed with a note (they are never text and break every tool
downstream), and a file declared GBK whose characters look like another encoding read as GBK
(Windows-1252 'Renée' read as 'Ren閑') gets a note naming an example line.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from tousu.flows.intake.delivered import FileRejected

BOM = b"\xef\xbb\xbf"
UTF16_BOMS = (b"\xff\xfe", b"\xfe\xff")
CHINESE_ENCODINGS = ("gbk", "gb2312", "gb18030", "cp936")
_CHARACTER_REFERENCE = re.compile(rb"&#(\d+);")


@dataclass
class DecodedText:
    text: str
    encoding: str
    # 0-based physical line numbers (split on b"\n") that did not decode in the encoding.
    bad_lines: list[int] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)

    @property
    def note(self) -> str | None:
        return "; ".join(self.notes) or None


def decode_export(data: bytes, expected: str) -> DecodedText:
    """Decode a whole file; on failure, decode line by line and mark the lines that fail.

    A file declared GBK that is valid UTF-8 (someone re-saved the export) is read as UTF-8 with a
    note: GBK text with Chinese in it is practically never valid UTF-8, so this guess is safe.
    Undecodable lines keep their place (with U+FFFD for the bad bytes) so line numbers stay true;
    the readers reject every record such a line belongs to.
    """
    notes: list[str] = []
    if data.startswith(UTF16_BOMS) or _looks_utf16(data):
        raise FileRejected(
            "the file is UTF-16 text (every other byte is NUL), not the "
            f"export's {expected.upper()}: re-export it as {expected.upper()}"
        )
    nuls = data.count(b"\x00")
    if nuls:
        data = data.replace(b"\x00", b"")
        notes.append(
            f"{nuls} NUL byte(s) removed (they are not text; the export tool or a "
            f"disk fault put them there)"
        )
    if data.startswith(BOM):
        data = data[len(BOM) :]
        if expected.lower() != "utf-8":
            notes.append("file starts with a UTF-8 byte order mark; read as UTF-8")
            return _decode(data, "utf-8", notes)
    if expected.lower() != "utf-8" and not data.isascii():
        try:
            return DecodedText(
                data.decode("utf-8"),
                "utf-8",
                notes=[*notes, f"expected {expected} but the file is UTF-8; read as UTF-8"],
            )
        except UnicodeDecodeError:
            pass
    decoded = _decode(data, expected, notes)
    if expected.lower() in CHINESE_ENCODINGS:
        suspicion = _mojibake_note(decoded)
        if suspicion:
            decoded.notes.append(suspicion)
    return decoded


def _looks_utf16(data: bytes) -> bool:
    """UTF-16 without a byte order mark: ASCII text with a NUL in every other byte."""
    sample = data[:4096]
    return len(sample) >= 8 and sample[1::2].count(0) > 0.9 * len(sample[1::2])


def _decode(data: bytes, encoding: str, notes: list[str]) -> DecodedText:
    try:
        return DecodedText(data.decode(encoding), encoding, notes=notes)
    except UnicodeDecodeError:
        pass
    bad: list[int] = []
    out: list[str] = []
    for number, line in enumerate(data.split(b"\n")):
        try:
            out.append(line.decode(encoding))
        except UnicodeDecodeError:
            bad.append(number)
            out.append(line.decode(encoding, errors="replace"))
    return DecodedText("\n".join(out), encoding, bad, notes)


def _latin_pair(ch: str) -> bool:
    """A character outside GB2312 whose GBK bytes are a Latin-1 letter and an ASCII letter:
    how 'é' followed by 'e' reads in GBK ('Renée' -> 'Ren閑'). Real Chinese text is GB2312
    almost throughout, and its rare extra characters (堃, 喆) have other bytes."""
    if ch == "\ufffd" or ord(ch) < 0x80:
        return False
    try:
        ch.encode("gb2312")
        return False
    except UnicodeEncodeError:
        pass
    try:
        raw = ch.encode("gbk")
    except UnicodeEncodeError:
        return False
    return len(raw) == 2 and raw[0] >= 0xC0 and chr(raw[1]).isalpha() and raw[1] < 0x80


def _mojibake_note(decoded: DecodedText) -> str | None:
    """A note when some lines look like Windows-1252 / Latin-1 text read as GBK."""
    if decoded.text.isascii():
        return None
    # Only a character outside GB2312 can be such a pair, and GB2312's codec lists those at C
    # speed (as character references; a literal "&#...;" in the text at most adds one, which no
    # line then holds): each distinct one is looked at once, not every character of every line
    # (5.2 s of the 23.7 s the phone export's 301,473 rows took to load at 1,000,000 complaints).
    found = _CHARACTER_REFERENCE.findall(decoded.text.encode("gb2312", "xmlcharrefreplace"))
    codes = {int(n) for n in found}
    pairs = {chr(c) for c in codes if c < 0x110000 and _latin_pair(chr(c))}
    if not pairs:
        return None
    suspect = [
        (n, line)
        for n, line in enumerate(decoded.text.split("\n"), start=1)
        if not pairs.isdisjoint(line)
    ]
    if not suspect:
        return None
    number, line = suspect[0]
    return (
        f"{len(suspect)} line(s) look like Windows-1252 / Latin-1 text read as "
        f"{decoded.encoding.upper()} (e.g. line {number}: '{excerpt(line, 60)}'; 'Renée' "
        f"reads as 'Ren閑'): check those records and re-export the file as "
        f"{decoded.encoding.upper()} or UTF-8 / 部分行疑似其他编码（如 Windows-1252）"
        f"按 {decoded.encoding.upper()} 读取，请核对后重新导出"
    )


def excerpt(text: str, limit: int = 80) -> str:
    """At most `limit` characters of a file's text for a message, control characters shown."""
    text = "".join(c if c.isprintable() else "?" for c in text)
    return text if len(text) <= limit else text[: limit - 1] + "…"


def encoding_reason(encoding: str, fix: str) -> str:
    return (
        f"this record is not valid {encoding.upper()} text (bytes in another encoding, e.g. "
        f"GBK inside a UTF-8 file): it was read with replacement characters and not loaded / "
        f"此记录不是有效的 {encoding.upper()} 文本（混入了其他编码的字节，例如 UTF-8 文件中的 "
        f"GBK），读取时出现替换字符，未加载 ({fix})."
    )
