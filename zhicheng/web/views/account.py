"""Registering as an applicant."""

from __future__ import annotations

from django.contrib import messages
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _

from zhicheng.accounts.permissions import page
from zhicheng.people.forms import RegistrationForm
from zhicheng.people.services import RegistrationLimited, register_applicant


@page("register")
def register(request):
    if request.user.is_authenticated:
        return redirect("dashboard")
    form = RegistrationForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            register_applicant(name=data["name"], id_number=data["id_number"], phone=data["phone"], email=data["email"],
                               unit=data["unit"], password=data["password1"], employment_relation=data["employment_relation"])
        except RegistrationLimited as exc:
            form.add_error(None, str(exc))
            return render(request, "web/register.html", {"form": form}, status=429)
        # The same answer whether an account was created or the number already had an archive, so the
        # page cannot be used to find out whose number is on file: the new applicant logs in next.
        messages.info(request, _("注册信息已提交。请用身份证号码和刚才设置的密码登录，登录后先完善个人档案。"
                                 "如该身份证号码此前已有档案，本次注册不生效：已注册的请用原密码登录，"
                                 "忘记密码或无法登录的请联系单位人事部门。"))
        return redirect(f"{reverse('login')}?next={reverse('archive')}")
    return render(request, "web/register.html", {"form": form})
