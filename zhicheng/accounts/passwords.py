"""Password rules whose Django messages have no Chinese translation in the Django release we run.

Django 5.2 reworded the minimum-length message, and its zh_Hans catalogue has not caught up: a new
applicant with a short password read "This password is too short…" among Chinese messages."""

from __future__ import annotations

from django.contrib.auth import password_validation
from django.utils.translation import ngettext


class MinimumLengthValidator(password_validation.MinimumLengthValidator):
    def get_error_message(self):
        return ngettext("密码太短，至少需要%(n)d个字符。", "密码太短，至少需要%(n)d个字符。", self.min_length) % {"n": self.min_length}

    def get_help_text(self):
        return ngettext("密码至少需要%(n)d个字符。", "密码至少需要%(n)d个字符。", self.min_length) % {"n": self.min_length}
