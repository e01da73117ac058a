"""The uploads page: analysts send a CSV or XLSX file of observations, which is imported in
the background (metrics.imports.jobs), and follow it to its result or its errors."""

import csv

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect
from django.urls import reverse
from django.views.generic import DetailView, FormView

from icsportal.api.renderers import neutralise
from icsportal.roles import can_upload, is_admin

from .forms import UploadForm
from .imports.jobs import import_job_create, job_progress
from .models import ImportJob

RECENT = 10
# Seconds between refreshes of a job's page in a browser without JavaScript.
REFRESH_SECONDS = 3


def _jobs_of(user):
    """The jobs a user may see: their own; an administrator's, everyone's."""
    jobs = ImportJob.objects.select_related("owner", "batch")
    return jobs if is_admin(user) else jobs.filter(owner=user)


class _UploaderOnly:
    def dispatch(self, request, *args, **kwargs):
        if not can_upload(request.user):
            raise PermissionDenied("Only analysts and administrators may upload observations.")
        return super().dispatch(request, *args, **kwargs)


class UploadView(_UploaderOnly, FormView):
    """Choose a file and send it; the recent imports below."""

    template_name = "metrics/upload.html"
    form_class = UploadForm

    def form_valid(self, form):
        upload = form.cleaned_data["file"]
        job = import_job_create(
            data=upload, kind="file", file_name=upload.name, user=self.request.user
        )
        return redirect("metrics:upload_job", pk=job.pk)

    def get_context_data(self, **kwargs):
        return super().get_context_data(
            nav_section="uploads",
            jobs=_jobs_of(self.request.user)[:RECENT],
            max_mb=settings.PORTAL_UPLOAD_MAX_BYTES // (1024 * 1024),
            **kwargs,
        )


class UploadJobView(_UploaderOnly, DetailView):
    """One import: its progress while it runs, then its counts or its errors."""

    template_name = "metrics/upload_job.html"
    context_object_name = "job"

    def get_queryset(self):
        return _jobs_of(self.request.user)

    def get_context_data(self, **kwargs):
        job = self.object
        progress = job_progress(job)
        return super().get_context_data(
            nav_section="uploads",
            progress=progress,
            refresh_seconds=None if job.finished else REFRESH_SECONDS,
            api_url=reverse("api:import-detail", args=[job.pk]),
            crumbs=[("Uploads", reverse("metrics:upload"))],
            **kwargs,
        )


def upload_errors_csv(request, pk: int) -> HttpResponse:
    """A failed import's errors as CSV: row, column, message (cells safe for a spreadsheet)."""
    if not can_upload(request.user):
        raise PermissionDenied("Only analysts and administrators may upload observations.")
    job = get_object_or_404(_jobs_of(request.user), pk=pk)
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="import-{job.pk}-errors.csv"'
    writer = csv.writer(response, lineterminator="\r\n")
    writer.writerow(["row", "column", "message"])
    for error in job.errors:
        writer.writerow(
            [
                neutralise(error.get("row")),
                neutralise(error.get("column")),
                neutralise(error["message"]),
            ]
        )
    return response
