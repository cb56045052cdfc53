from django.utils.translation import gettext_lazy as _

from jagaweb.activity.verbs import register

INITIALISED = register("service.initialised", _("JagaWeb initialised in {data_dir}"))
