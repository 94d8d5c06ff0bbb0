from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db import IntegrityError
from django.shortcuts import redirect, render

from core import selectors, services
from core.forms import MemberForm, PracticeForm
from core.htmx import redirect_after_post, render_page_or_partial
from core.navigation import dashboard_widgets
from core.permissions import manager_required, practice_required


@practice_required
def dashboard(request):
    widgets = dashboard_widgets.entries_for(request.practice)
    return render(request, "core/dashboard.html", {"widgets": widgets})


@practice_required
def settings_practice(request):
    can_manage = request.membership.can_manage
    form = PracticeForm(request.POST or None, instance=request.practice)
    if request.method == "POST":
        if not can_manage:
            messages.error(request, "Only owners and admins can change the practice profile.")
            return redirect("core:settings_practice")
        if form.is_valid():
            services.practice_update(practice=request.practice, **form.cleaned_data)
            messages.success(request, "Practice profile saved.")
            return redirect_after_post(request, "core:settings_practice")
    return render_page_or_partial(
        request, "core/settings_practice.html", "practice-form",
        {"form": form, "can_manage": can_manage, "settings_tab": "practice"},
    )  # fmt: skip


@practice_required
def settings_users(request):
    return render(
        request, "core/settings_users.html",
        {"members": selectors.members(practice=request.practice), "settings_tab": "users"},
    )  # fmt: skip


@manager_required
def settings_user_add(request):
    form = MemberForm(request.POST or None, practice=request.practice)
    if request.method == "POST" and form.is_valid():
        try:
            membership = services.member_create(practice=request.practice, **form.cleaned_data)
        except IntegrityError:
            # Someone added the same address a moment ago. Say no more than the form would have.
            form.add_error("email", MemberForm.NOT_AVAILABLE)
        except ValidationError as error:
            form.add_service_errors(error)
        else:
            messages.success(request, f"{membership.user.get_full_name()} can now sign in.")
            return redirect_after_post(request, "core:settings_users")
    return render_page_or_partial(
        request, "core/settings_user_add.html", "member-form", {"form": form, "settings_tab": "users"}
    )


@practice_required
def settings_billing(request):
    practice = request.practice
    context = {
        "add_ons": selectors.active_add_ons(practice=practice),
        "past_add_ons": selectors.past_add_ons(practice=practice),
        "total": selectors.monthly_total(practice=practice),
        "settings_tab": "billing",
    }
    return render(request, "core/settings_billing.html", context)
