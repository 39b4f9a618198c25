from django.apps import AppConfig


class ElectionsConfig(AppConfig):
    name = "tribune.elections"
