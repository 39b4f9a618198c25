from django.apps import AppConfig


class DebateConfig(AppConfig):
    name = "tribune.debate"
