from django.shortcuts import get_object_or_404, render

from zhicheng.accounts.permissions import page

from .models import Job


@page("job_list")
def job_list(request):
    jobs = Job.objects.for_user(request.user).select_related("started_by")[:100]
    return render(request, "jobs/job_list.html", {"jobs": jobs})


@page("job_detail")
def job_detail(request, pk: int):
    job = get_object_or_404(Job.objects.for_user(request.user), pk=pk)
    return render(request, "jobs/job_detail.html", {"job": job})


@page("job_progress")
def job_progress(request, pk: int):
    """The part of the job page that htmx polls while the job runs (it stops polling when it ends)."""
    job = get_object_or_404(Job.objects.for_user(request.user), pk=pk)
    return render(request, "jobs/_progress.html", {"job": job})
