"""The Chinese font embedded in every PDF.

ReportLab embeds TrueType (glyf) fonts only; the Noto CJK collections are CFF-based, and
Droid Sans Fallback has no Latin letters or digits. The default is WenQuanYi Micro Hei
(Debian ``fonts-wqy-microhei``, see Makefile SYSTEM_PACKAGES), which has both.
``ZHICHENG_PDF_FONT`` may name another TrueType font (or collection) covering both.
"""

from __future__ import annotations

import os
from functools import lru_cache
from pathlib import Path

from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont

FONT_NAME = "ZhiChengCJK"
CANDIDATES = (
    "/usr/share/fonts/truetype/wqy/wqy-microhei.ttc",
    "/usr/share/fonts/truetype/wqy/wqy-zenhei.ttc",
    "/usr/share/fonts/truetype/arphic/uming.ttc",
)
# Every document needs these: digits and Latin for numbers and dates, the brackets of 文号.
REQUIRED_CHARACTERS = "0123456789ABCabc-:〔〕（）证书号"


class FontMissing(RuntimeError):
    pass


def font_path() -> Path:
    configured = os.environ.get("ZHICHENG_PDF_FONT")
    for candidate in ([configured] if configured else []) + list(CANDIDATES):
        if candidate and Path(candidate).is_file():
            return Path(candidate)
    raise FontMissing("找不到可嵌入的中文字体：请安装 fonts-wqy-microhei 或设置 ZHICHENG_PDF_FONT。")


@lru_cache(maxsize=1)
def cjk_font() -> str:
    """Register the font once per process and return its ReportLab name."""
    font = TTFont(FONT_NAME, str(font_path()), subfontIndex=0)
    missing = [ch for ch in REQUIRED_CHARACTERS if ord(ch) not in font.face.charToGlyph]
    if missing:
        raise FontMissing(f"字体 {font_path()} 缺少字符：{''.join(missing)}")
    pdfmetrics.registerFont(font)
    return FONT_NAME
