from django.apps import AppConfig


class LibConfig(AppConfig):
    name = "tribune.lib"
    label = "tribune_lib"
