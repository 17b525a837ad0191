"""A server process compiles every template and imports every view before it answers (zhicheng.web.warmup)."""

from __future__ import annotations

from django.template import engines
from django.template.loaders.cached import Loader as CachedLoader

from zhicheng.web.warmup import template_names, warm_up


def _cached_loader():
    engine = engines["django"]
    return next(loader for loader in engine.engine.template_loaders if isinstance(loader, CachedLoader))


def test_warm_up_compiles_every_template_without_touching_the_database():
    # No database fixture: any query would fail the test (a worker warms up before it has a connection to spare).
    loader = _cached_loader()
    loader.reset()
    compiled = warm_up()
    names = template_names(engines["django"])
    assert compiled == len(names) and "web/declaration_edit.html" in names and "500.html" in names
    # Each is in the process's cache: the first visitor of a page no longer waits for its compilation.
    assert {"web/declaration_edit.html", "web/base.html", "certificates/verify.html"} <= {
        key for key in loader.get_template_cache}
