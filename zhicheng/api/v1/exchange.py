"""Certificates from other provinces (七（五）4 exchange)."""

from ninja import Router

router = Router()
