from django.contrib import admin
from django.urls import include, path

from tribune.api.api import api

urlpatterns = [
    path("server-admin/", admin.site.urls),
    path("accounts/", include("allauth.urls")),
    path("api/v1/", api.urls),
    path("", include("tribune.ops.urls")),
    path("", include("tribune.federation.urls")),
    path("", include("tribune.web.urls")),
]
