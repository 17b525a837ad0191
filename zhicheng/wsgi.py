import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "zhicheng.settings")
application = get_wsgi_application()

# Each gunicorn worker imports this module before it accepts connections: it starts ready (zhicheng.web.warmup).
from zhicheng.web.warmup import warm_up  # noqa: E402

warm_up()
