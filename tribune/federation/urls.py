from django.urls import path

from tribune.federation import views

app_name = "federation"

urlpatterns = [
    path("federation/actor", views.server_actor, name="server-actor"),
    path("federation/actors/<uuid:actor_uuid>", views.actor, name="actor"),
    path("id/<slug:kind>/<uuid:uid>", views.identity, name="identity"),
    path("federation/inbox", views.inbox_view, name="inbox"),
    path("federation/link-requests", views.link_requests, name="link-requests"),
    path("federation/objects/<uuid:object_uuid>", views.published_object, name="object"),
    path("federation/audit/<slug:slug>/entries/<int:seq>", views.audit_entry, name="audit-entry"),
    path("federation/witnessed/<slug:slug>", views.witnessed, name="witnessed"),
    path("federation/peers", views.peers_page, name="peers"),
]
