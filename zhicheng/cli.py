"""The `zhicheng` console script.

Pure-Python commands (eligibility, draw, spotcheck verify) run without loading Django so that they start
fast and can be used by auditors on a machine with no database. Everything else is a
Django management command (`zhicheng migrate`, `zhicheng audit verify`, ...).
"""

import os
import sys


def main(argv: list[str] | None = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    if argv and argv[0] == "manage":
        argv = argv[1:]
    command = argv[0] if argv else "help"
    if command == "eligibility":
        from zhicheng.policy.cli import main as eligibility_main

        return eligibility_main(argv[1:])
    if command == "draw" and len(argv) > 1 and argv[1] in {"run", "verify"}:
        from zhicheng.draw.cli import main as draw_main

        return draw_main(argv[1:])
    if command == "spotcheck" and len(argv) > 1 and argv[1] == "verify":
        from zhicheng.supervision.cli import main as spotcheck_main

        return spotcheck_main(argv[1:])
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "zhicheng.settings")
    from django.core.management import execute_from_command_line

    execute_from_command_line(["zhicheng", *argv])
    return 0


if __name__ == "__main__":
    sys.exit(main())
