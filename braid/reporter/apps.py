from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ReporterConfig(AppConfig):
    name = "braid.reporter"
    verbose_name = _("Reporter")
