"""Every page of the web UI, in one place so the site's shape reads at a glance."""

from django.urls import path, re_path

from tribune.accounts import views as accounts
from tribune.audit import views as audit
from tribune.constitution import views as constitution
from tribune.members import views as members
from tribune.offices import views as offices
from tribune.organisations import views as organisations

app_name = "web"

org = "o/<slug:slug>/"

urlpatterns = [
    path("", organisations.home, name="home"),
    path("account/tokens/", accounts.tokens, name="tokens"),
    path(org, organisations.organisation, name="organisation"),
    path(org + "b/<slug:branch_slug>/", organisations.branch, name="branch"),
    path(org + "join/", members.join, name="join"),
    path(org + "members/", members.directory, name="directory"),
    path(org + "members/<int:member_id>/", members.member_detail, name="member"),
    re_path(
        r"^o/(?P<slug>[-\w]+)/members/(?P<member_id>\d+)/(?P<action>suspend|reinstate|lapse|renew)/$",
        members.change_standing,
        name="change_standing",
    ),
    path(org + "applications/", members.applications, name="applications"),
    re_path(
        r"^o/(?P<slug>[-\w]+)/applications/(?P<member_id>\d+)/(?P<decision>admit|refuse)/$",
        members.decide_application,
        name="decide_application",
    ),
    path(org + "me/", members.my_membership, name="me"),
    path(org + "me/export/", members.export, name="export"),
    path(org + "me/resign/", members.resign, name="resign"),
    path(org + "me/erase/", members.erase, name="erase"),
    path(org + "me/appeal/<int:change_id>/", members.appeal, name="appeal"),
    path(org + "appeals/", members.appeals, name="appeals"),
    path(org + "import/", members.import_members, name="import"),
    path(org + "import/<int:job_id>/", members.import_job, name="import_job"),
    path(org + "constitution/", constitution.constitution, name="constitution"),
    path(
        org + "constitution/v<int:number>/", constitution.constitution, name="constitution_version"
    ),
    path(org + "bodies/", offices.bodies, name="bodies"),
    path(org + "audit/", audit.audit_log, name="audit"),
]
