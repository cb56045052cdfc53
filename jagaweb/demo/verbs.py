from django.utils.translation import gettext_lazy as _

from jagaweb.activity.verbs import register

PREPARED = register("demo.prepared", _("Prepared the demo with {count} sample sites in {data_dir}"))
