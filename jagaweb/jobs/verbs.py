from django.utils.translation import gettext_lazy as _

from jagaweb.activity.verbs import register

RUN_FAILED = register("jobs.run_failed", _("Job {job} failed: {error}"))
RUN_REQUESTED = register("jobs.run_requested", _("Requested a run of {job} by hand"))
ENTRY_CHANGED = register("jobs.entry_changed", _("Changed the schedule of {object}: {fields}"))
