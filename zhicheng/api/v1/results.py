"""Committee results, filings and certificates."""

from ninja import Router

router = Router()
