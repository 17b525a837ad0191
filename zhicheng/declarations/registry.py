"""What the other apps plug into the workflow: the guards and effects named in the transition table.

The declarations app owns the table (workflow.py) and the one function that applies it
(services.transition_many); it does not import the apps whose rules and effects it runs.
Publicity, review and certificates register theirs here from their AppConfig.ready(), so the
dependency points one way: they know the workflow, the workflow knows only names.

Every guard and effect works on a set of declarations, so that a step over 10,000 declarations
costs a few queries per batch, not per declaration, and a step over one is the same code:
- a guard's ``prepare(apps, ctx)`` loads what its ``check`` needs for the whole set into
  ``ctx.cache`` (one or a few queries); ``check(app, ctx)`` returns None when the guard holds
  or a sentence in Chinese saying why not; ``accept(app, ctx)``, when given, is told of each
  declaration that passed every guard, for guards that count what the same batch already let
  through (the post quota);
- an effect's ``refuse(apps, ctx)`` may refuse declarations it cannot apply to (a sentence per
  declaration id), before anything is written; ``apply(apps, ctx, now)`` then does its work for
  the rest, inside the step's transaction.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

from django.dispatch import Signal


@dataclass
class Context:
    """What a step carries to its guards and effects: who acts, the note, the payload (the same for
    every declaration of the batch), and a cache the guards' prepare functions fill for the batch."""

    actor: object
    payload: dict = field(default_factory=dict)
    note: str = ""
    cache: dict = field(default_factory=dict)


@dataclass(frozen=True)
class Guard:
    check: Callable
    description: str
    prepare: Callable | None = None
    accept: Callable | None = None
    # Large fields of the declaration the guard reads, which a step otherwise does not load (the screening decision).
    reads: tuple[str, ...] = ()


@dataclass(frozen=True)
class Effect:
    apply: Callable
    refuse: Callable | None = None


GUARDS: dict[str, Guard] = {}
EFFECTS: dict[str, Effect] = {}


def guard(name: str, description: str, *, prepare: Callable | None = None, accept: Callable | None = None,
          reads: tuple[str, ...] = ()):
    """Register ``check(app, ctx)`` as the guard the transition table calls ``name``."""

    def register(check: Callable) -> Callable:
        if name in GUARDS and GUARDS[name].check is not check:
            raise ValueError(f"guard {name} registered twice")
        GUARDS[name] = Guard(check, description, prepare, accept, reads)
        return check

    return register


def effect(name: str, *, refuse: Callable | None = None):
    """Register ``apply(apps, ctx, now)`` as the effect the transition table calls ``name``."""

    def register(apply: Callable) -> Callable:
        if name in EFFECTS and EFFECTS[name].apply is not apply:
            raise ValueError(f"effect {name} registered twice")
        EFFECTS[name] = Effect(apply, refuse)
        return apply

    return register


@dataclass(frozen=True)
class Step:
    """One declaration's move in a batch, as an observer sees it: the row of the table it took and the state it left."""

    application: object
    transition: object
    source: str


# Apps that follow every step, not only the rows that name them (the webhooks' events): each is called as
# ``observe(steps, ctx, now)`` with the batch's moves, inside the step's transaction after its rows are written,
# and works on the whole batch as effects do.
OBSERVERS: list[Callable] = []


def observer(observe: Callable) -> Callable:
    """Register ``observe(steps, ctx, now)`` to be told of every step (once, however often the app is readied)."""
    if observe not in OBSERVERS:
        OBSERVERS.append(observe)
    return observe


def unregistered(table) -> list[str]:
    """Names the table uses that no app registered (checked at start-up by the declarations app)."""
    missing = []
    for t in table:
        missing += [f"guard {g}" for g in t.guards if g not in GUARDS]
        missing += [f"effect {e}" for e in t.effects if e not in EFFECTS]
    return sorted(set(missing))


# Sent inside the signing's transaction when an applicant signs the integrity pledge (八（三）), so that
# the app that archives pledges keeps the text without the declarations app importing it.
pledge_signed = Signal()
