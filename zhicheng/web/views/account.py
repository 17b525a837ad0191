"""Registering as an applicant."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth import login
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from zhicheng.accounts.permissions import page
from zhicheng.people.forms import RegistrationForm
from zhicheng.people.services import register_applicant


@page("register")
def register(request):
    if request.user.is_authenticated:
        return redirect("dashboard")
    form = RegistrationForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        user = register_applicant(name=data["name"], id_number=data["id_number"], phone=data["phone"], email=data["email"],
                                  unit=data["unit"], password=data["password1"])
        login(request, user, backend="django.contrib.auth.backends.ModelBackend")
        messages.success(request, _("注册成功。请先完善个人档案，再开始申报。"))
        return redirect("archive")
    return render(request, "web/register.html", {"form": form})
