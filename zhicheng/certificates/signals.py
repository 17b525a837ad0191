"""Signals the certificates app sends inside the transaction of the change they announce.

``certificates_changed(numbers=[...])``: certificates were issued, revoked or imported. Receivers run in the
same transaction (a rolled-back change takes what they wrote with it); the national data collection keeps
its change log from this (zhicheng/collection/changes.py).
"""

from django.dispatch import Signal

certificates_changed = Signal()


def announce(numbers) -> None:
    numbers = list(numbers)
    if numbers:
        certificates_changed.send(sender=None, numbers=numbers)
