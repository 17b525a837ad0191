"""Publicities and rosters."""

from ninja import Router

router = Router()
