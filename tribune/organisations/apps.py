from django.apps import AppConfig


class OrganisationsConfig(AppConfig):
    name = "tribune.organisations"
    verbose_name = "Organisations"
