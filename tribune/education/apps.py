from django.apps import AppConfig


class EducationConfig(AppConfig):
    name = "tribune.education"
    verbose_name = "Education"
