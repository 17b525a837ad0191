"""Event subscriptions and their delivery log."""

from ninja import Router

router = Router()
