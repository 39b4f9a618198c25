from django.apps import AppConfig


class OfficesConfig(AppConfig):
    name = "tribune.offices"
