from django.contrib import messages
from django.core.paginator import Paginator
from django.shortcuts import render

from clients.selectors import client_get
from clients.views import client_page_context
from core.htmx import redirect_after_post, render_page_or_partial
from core.navigation import job_tabs
from core.permissions import practice_required
from jobs import selectors, services
from jobs.forms import JobFilterForm, JobForm, NewJobForm

PAGE_SIZE = 50


def job_page_context(job, active: str) -> dict:
    """What every tab of a job needs: the job and its tabs."""
    return {"job": job, "job_tabs": job_tabs.entries_for(job), "active_tab": active}


@practice_required
def job_list(request):
    form = JobFilterForm(request.GET or None, practice=request.practice)
    filters = form.cleaned_data if form.is_valid() else {}
    assignee = filters.get("assignee")
    jobs = selectors.job_list(
        practice=request.practice,
        status=filters.get("status", ""),
        job_type=filters.get("job_type", ""),
        assignee_id=assignee.pk if assignee else None,
        due=filters.get("due", ""),
        query=filters.get("q", ""),
    )
    page = Paginator(jobs, PAGE_SIZE).get_page(request.GET.get("page"))
    context = {"form": form, "page": page}
    if filters.get("status") == selectors.COMPLETED_NOT_INVOICED:  # what accountants chase
        context |= {"not_invoiced": True, "fee_total": selectors.job_fee_total(jobs)}
    return render_page_or_partial(request, "jobs/job_list.html", "job-table", context)


@practice_required
def job_create(request):
    initial = {}
    if request.GET.get("client"):
        initial["client"] = request.GET["client"]
    form = NewJobForm(request.POST or None, practice=request.practice, initial=initial)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        job = services.job_create(**data)
        messages.success(request, f"{job.reference} {job.display_title} was created for {job.client}.")
        return redirect_after_post(request, job)
    return render_page_or_partial(request, "jobs/job_form.html", "job-form", {"form": form, "job": None})


@practice_required
def client_job_create(request, pk: int):
    client = client_get(practice=request.practice, pk=pk)
    form = JobForm(request.POST or None, practice=request.practice)
    if request.method == "POST" and form.is_valid():
        job = services.job_create(client=client, **form.cleaned_data)
        messages.success(request, f"{job.reference} {job.display_title} was created.")
        return redirect_after_post(request, job)
    context = client_page_context(request, client, "jobs") | {"form": form, "job": None}
    return render_page_or_partial(request, "jobs/job_form.html", "job-form", context)


@practice_required
def client_jobs(request, pk: int):
    client = client_get(practice=request.practice, pk=pk)
    context = client_page_context(request, client, "jobs") | {
        "jobs": selectors.jobs_for_client(client=client)
    }
    return render(request, "jobs/client_jobs.html", context)


@practice_required
def job_detail(request, pk: int):
    job = selectors.job_get(practice=request.practice, pk=pk)
    return render(request, "jobs/job_detail.html", job_page_context(job, "overview"))


@practice_required
def job_edit(request, pk: int):
    job = selectors.job_get(practice=request.practice, pk=pk)
    form = JobForm(request.POST or None, instance=job, practice=request.practice)
    if request.method == "POST" and form.is_valid():
        services.job_update(job=job, **form.cleaned_data)
        messages.success(request, "Changes saved.")
        return redirect_after_post(request, job)
    context = job_page_context(job, "overview") | {"form": form}
    return render_page_or_partial(request, "jobs/job_form.html", "job-form", context)


@practice_required
def deadlines_widget(request):
    context = selectors.deadlines(practice=request.practice)
    return render(request, "jobs/widgets/deadlines.html", context)
