"""`zhicheng worker` that also knows the test job kind: `python -m tests.jobs.worker --batch …`
from the repository root, with tests.processes.process_env()."""

import os
import sys

import django

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "zhicheng.settings")
django.setup()

import tests.jobs.tasks  # noqa: E402,F401  registers the "test_rows" job kind
from zhicheng.cli import main  # noqa: E402

sys.exit(main(["worker", *sys.argv[1:]]))
