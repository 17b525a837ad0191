"""Building blocks of the web tests: real files, a registered private-sector applicant, uploads."""

from __future__ import annotations

import datetime as dt
import struct
import zlib

from django.core.files.uploadedfile import SimpleUploadedFile

from zhicheng.demo.ids import id_number

PRIVATE_UNIT = "内蒙古蒙草生态环境（集团）股份有限公司"
CHAMBER = "内蒙古自治区工商业联合会"


def pdf_bytes(text: str = "zhicheng") -> bytes:
    body = f"1 0 obj<</Type/Catalog>>endobj\n% {text}\n".encode()
    return b"%PDF-1.4\n" + body + b"trailer<</Root 1 0 R>>\n%%EOF\n"


def png_bytes() -> bytes:
    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)

    ihdr = struct.pack(">IIBBBBB", 1, 1, 8, 2, 0, 0, 0)
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", ihdr) + chunk(b"IDAT", zlib.compress(b"\x00\xff\x00\x00")) + chunk(b"IEND", b"")


# A Windows executable's first bytes, saved under a PDF's name: the forged upload of the issue.
EXECUTABLE = b"MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff\x00\x00" + b"\x00" * 48 + b"This program cannot be run in DOS mode."


def upload(name: str, data: bytes, content_type: str = "application/pdf") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, data, content_type=content_type)


def new_id_number(serial: int, birth: dt.date = dt.date(1992, 3, 14)) -> str:
    return id_number("150105", birth, serial)


def registration(unit_pk: int, serial: int = 401, name: str = "乌兰其其格") -> dict:
    return {
        "name": name, "id_number": new_id_number(serial), "phone": "13912345678", "email": "wulan@example.com",
        "employment_relation": "labor_contract", "unit": unit_pk, "password1": "Caoyuan-2021!", "password2": "Caoyuan-2021!",
    }
