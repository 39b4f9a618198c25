from django.apps import AppConfig


class AssembliesConfig(AppConfig):
    name = "tribune.assemblies"
