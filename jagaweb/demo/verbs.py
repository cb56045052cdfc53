from django.utils.translation import gettext_lazy as _

from jagaweb.activity.verbs import register

PREPARED = register("demo.prepared", _("Prepared the demo with {count} sample sites in {data_dir}"))
SITE_STOPPED = register("demo.site_stopped", _("Switched the sample site {site_name} off"))
SITE_STARTED = register("demo.site_started", _("Switched the sample site {site_name} on again"))
GUARD_PREPARED = register("demo.guard_prepared", _("Prepared the guard of the sample site {site_name}: trusted "
                                                   "backup {snapshot} and {pages} page baselines"))
ATTACKED = register("demo.attacked", _("Planted a demo attack on {site_name}: {count} files"))
