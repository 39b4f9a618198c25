from django.apps import AppConfig


class StrugglesConfig(AppConfig):
    name = "tribune.struggles"
    verbose_name = "Struggles and campaigns"
