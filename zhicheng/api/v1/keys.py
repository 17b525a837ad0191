"""The calling key itself (whoami) and key management for its organisation."""

from ninja import Router

router = Router()
