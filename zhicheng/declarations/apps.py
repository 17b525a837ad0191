from django.apps import AppConfig
from django.core import checks


class DeclarationsConfig(AppConfig):
    name = "zhicheng.declarations"
    verbose_name = "职称申报"

    def ready(self):
        from . import daily  # noqa: F401  registers this app's daily work with the schedule
        from . import guards, services  # noqa: F401  register this app's own guards and effects with the workflow
        from . import jobs  # noqa: F401  registers this app's background job kinds

        checks.register(workflow_complete)


def workflow_complete(app_configs, **kwargs):
    """Every guard and effect the transition table names is registered by some app (after all apps are ready)."""
    from .registry import unregistered
    from .workflow import TABLE

    return [checks.Error(f"The transition table names {name}, which no app registers.", id="declarations.E001")
            for name in unregistered(TABLE)]
