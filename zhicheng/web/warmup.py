"""Make a fresh server process ready before it answers anyone.

A process imports most of the application, builds the URL resolver, reads both languages' catalogues
and compiles each template the first time a request needs them: hundreds of milliseconds that the
first visitors to every page of every worker would otherwise wait (and that, on the deadline day,
are the slowest 1% of answers). `zhicheng.wsgi` calls `warm_up()` when the server loads the
application in each worker, before the worker accepts connections; nothing here touches the database.
"""

from __future__ import annotations

from pathlib import Path

from django.template import engines
from django.template.backends.django import DjangoTemplates
from django.urls import get_resolver
from django.utils import translation


def template_names(engine: DjangoTemplates) -> list[str]:
    """Every template file the engine's loaders can find (its DIRS and the apps' templates/ folders)."""
    names = set()
    for directory in engine.template_dirs:
        root = Path(directory)
        names.update(str(path.relative_to(root)) for path in root.rglob("*") if path.suffix in (".html", ".txt", ".xml"))
    return sorted(names)


def warm_up() -> int:
    """Import every view, load the catalogues, compile every template; returns how many templates."""
    get_resolver().url_patterns  # imports every URL module and the views they name
    for language in ("zh-hans", "en"):
        with translation.override(language):
            translation.gettext("首页")
    compiled = 0
    for engine in engines.all():
        if isinstance(engine, DjangoTemplates):
            for name in template_names(engine):
                engine.get_template(name)
                compiled += 1
    return compiled
