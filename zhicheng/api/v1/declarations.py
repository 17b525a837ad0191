"""Declarations, their timeline and their state changes (through transition(), as the pages)."""

from ninja import Router

router = Router()
