"""A step that cannot be undone asks once (the developers' guide): its POST without `confirm=yes`
does not act but answers a page that says what will happen, with the counts, and whose form posts
the same fields again with the confirmation. Server-rendered, so it works without JavaScript.

The step itself still locks its row and checks the state again when it runs: the page only asks.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from django.shortcuts import render

FIELD = "confirm"
NOT_CARRIED = frozenset({"csrfmiddlewaretoken", FIELD})


def confirmed(request) -> bool:
    return request.method == "POST" and request.POST.get(FIELD) == "yes"


@dataclass
class Question:
    """What the confirmation page shows: the object, the counts, what happens, and the two ways out."""

    title: str
    subject: str
    consequence: str
    button: str
    cancel_url: str
    facts: list[str] = field(default_factory=list)
    warning: str = ""
    head: list[str] = field(default_factory=list)  # a table of counts, e.g. per declaration
    rows: list[list] = field(default_factory=list)


def ask(request, question: Question):
    """The confirmation page for this POST: its fields go back as they came, with confirm=yes."""
    carried = [(name, value) for name, values in request.POST.lists() if name not in NOT_CARRIED for value in values]
    return render(request, "web/confirm.html", {"q": question, "carried": carried, "field": FIELD})
