from django.apps import AppConfig


class MembersConfig(AppConfig):
    name = "tribune.members"
