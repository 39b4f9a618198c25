"""Every page of the web UI, in one place so the site's shape reads at a glance."""

from django.urls import path, re_path, register_converter

from tribune.accounts import language
from tribune.accounts import views as accounts
from tribune.archive import views as archive
from tribune.assemblies import live
from tribune.assemblies import views as assemblies
from tribune.audit import views as audit
from tribune.constitution import views as constitution
from tribune.debate import views as debate
from tribune.education import views as education
from tribune.elections import views as elections
from tribune.factions import views as factions
from tribune.lib.inputs import IdConverter
from tribune.members import picker
from tribune.members import views as members
from tribune.networks import views as networks
from tribune.offices import views as offices
from tribune.organisations import views as organisations
from tribune.struggles import plan_views as struggle_plans
from tribune.struggles import views as struggles

app_name = "web"

# Ids in paths: ``<id:…>`` and ``\d{1,18}``, never ``<int:…>`` or ``\d+`` — see IdConverter.
register_converter(IdConverter, "id")

org = "o/<slug:slug>/"

urlpatterns = [
    path("", organisations.home, name="home"),
    path("account/tokens/", accounts.tokens, name="tokens"),
    path("language/", language.choose, name="language"),
    path("found/", organisations.found, name="found"),
    path("found/invitations/", organisations.invitations, name="invitations"),
    path(org, organisations.organisation, name="organisation"),
    path(org + "b/<slug:branch_slug>/", organisations.branch, name="branch"),
    path(org + "join/", members.join, name="join"),
    path(org + "members/", members.directory, name="directory"),
    path(org + "members/search/", picker.member_search, name="member_search"),
    path(org + "members/<id:member_id>/", members.member_detail, name="member"),
    re_path(
        r"^o/(?P<slug>[-\w]+)/members/(?P<member_id>\d{1,18})/(?P<action>suspend|reinstate|lapse|renew)/$",
        members.change_standing,
        name="change_standing",
    ),
    path(org + "applications/", members.applications, name="applications"),
    re_path(
        r"^o/(?P<slug>[-\w]+)/applications/(?P<member_id>\d{1,18})/(?P<decision>admit|refuse)/$",
        members.decide_application,
        name="decide_application",
    ),
    path(org + "me/", members.my_membership, name="me"),
    path(org + "me/export/", members.export, name="export"),
    path(org + "me/resign/", members.resign, name="resign"),
    path(org + "me/erase/", members.erase, name="erase"),
    path(org + "me/appeal/<id:change_id>/", members.appeal, name="appeal"),
    path(org + "appeals/", members.appeals, name="appeals"),
    path(org + "import/", members.import_members, name="import"),
    path(org + "import/<id:job_id>/", members.import_job, name="import_job"),
    path(org + "constitution/", constitution.constitution, name="constitution"),
    path(
        org + "constitution/v<id:number>/", constitution.constitution, name="constitution_version"
    ),
    path(org + "constitution/structure/", constitution.structure, name="constitution_structure"),
    path(
        org + "constitution/structure/body/",
        constitution.structure_body,
        name="constitution_structure_body",
    ),
    path(
        org + "constitution/structure/office/",
        constitution.structure_office,
        name="constitution_structure_office",
    ),
    path(
        org + "constitution/structure/remove/",
        constitution.structure_remove,
        name="constitution_structure_remove",
    ),
    path(
        org + "constitution/structure/to-members/",
        constitution.structure_to_members,
        name="constitution_structure_to_members",
    ),
    path(
        org + "constitution/diff/<id:old>/<id:new>/",
        constitution.constitution_diff,
        name="constitution_diff",
    ),
    path(org + "bodies/", offices.bodies, name="bodies"),
    path(org + "audit/", audit.audit_log, name="audit"),
    path(org + "elections/", elections.elections, name="elections"),
    path(org + "elections/call/", elections.call_election, name="call_election"),
    path(org + "elections/<id:pk>/", elections.election, name="election"),
    path(org + "elections/<id:pk>/nominate/", elections.nominate, name="nominate"),
    re_path(
        r"^o/(?P<slug>[-\w]+)/elections/(?P<pk>\d{1,18})/candidacies/(?P<candidacy_id>\d{1,18})/"
        r"(?P<action>accept|withdraw|second)/$",
        elections.candidacy,
        name="candidacy",
    ),
    path(org + "elections/<id:pk>/vote/", elections.vote, name="vote"),
    path(org + "elections/<id:pk>/certify/", elections.certify, name="certify"),
    path(org + "elections/<id:pk>/cancel/", elections.cancel, name="cancel_election"),
    path(org + "elections/<id:pk>/box.json", elections.box_json, name="box_json"),
    path(org + "elections/<id:pk>/box.blt", elections.box_blt, name="box_blt"),
    path(org + "offices/<id:office_id>/", elections.office, name="office"),
    path(org + "offices/<id:office_id>/report/", elections.publish_report, name="publish_report"),
    path(
        org + "offices/<id:office_id>/reports/<id:report_id>/comment/",
        elections.comment,
        name="comment_report",
    ),
    path(org + "offices/<id:office_id>/recall/", elections.open_recall, name="open_recall"),
    path(org + "recalls/<id:pk>/", elections.recall, name="recall"),
    re_path(
        r"^o/(?P<slug>[-\w]+)/recalls/(?P<pk>\d{1,18})/(?P<action>sign|withdraw)/$",
        elections.recall_sign,
        name="recall_sign",
    ),
    path(org + "recalls/<id:pk>/reply/", elections.recall_reply, name="recall_reply"),
    path(org + "factions/", factions.factions, name="factions"),
    # Outside factions/ so that no faction's slug can shadow it.
    path(org + "propose-faction/", factions.propose, name="propose_faction"),
    path(org + "factions/<slug:faction_slug>/", factions.faction, name="faction"),
    path(
        org + "factions/<slug:faction_slug>/platform/v<id:number>/",
        factions.platform_version,
        name="faction_platform",
    ),
    re_path(
        r"^o/(?P<slug>[-\w]+)/factions/(?P<faction_slug>[-\w]+)/"
        r"(?P<action>sign|join|leave|visibility|platform|statement|endorse|dissolve)/$",
        factions.faction_action,
        name="faction_action",
    ),
    path(org + "archive/", archive.index, name="archive"),
    path(org + "archive/new/", archive.propose, name="archive_propose"),
    path(org + "archive/<id:document_id>/", archive.document, name="archive_document"),
    path(org + "archive/<id:document_id>/edit/", archive.edit, name="archive_edit"),
    path(org + "archive/<id:document_id>/compare/", archive.compare, name="archive_compare"),
    path(org + "archive/<id:document_id>/tags/", archive.tags, name="archive_tags"),
    path(org + "archive/<id:document_id>/links/", archive.link, name="archive_link"),
    path(org + "archive/<id:document_id>/v<id:number>/", archive.version, name="archive_version"),
    path(org + "archive/<id:document_id>/v<id:number>/pdf/", archive.pdf, name="archive_pdf"),
    path(
        org + "archive/<id:document_id>/v<id:number>/restore/",
        archive.restore,
        name="archive_restore",
    ),
    path(
        org + "archive/<id:document_id>/v<id:number>/decide/", archive.decide, name="archive_decide"
    ),
    path(org + "archive/decisions/<id:decision_id>/appeal/", archive.appeal, name="archive_appeal"),
    path(
        org + "archive/appeals/<id:appeal_id>/decide/",
        archive.decide_appeal,
        name="archive_appeal_decide",
    ),
    path(org + "education/", education.index, name="education"),
    path(org + "education/spread/", education.spread_page, name="education_spread"),
    path(org + "education/courses/new/", education.course_new, name="education_course_new"),
    path(org + "education/courses/<id:course_id>/", education.course, name="course"),
    path(
        org + "education/courses/<id:course_id>/circles/", education.circle_open, name="circle_open"
    ),
    path(org + "education/circles/<id:circle_id>/", education.circle, name="circle"),
    path(org + "education/circles/<id:circle_id>/join/", education.circle_join, name="circle_join"),
    path(
        org + "education/circles/<id:circle_id>/facilitate/",
        education.circle_facilitate,
        name="circle_facilitate",
    ),
    path(
        org + "education/circles/<id:circle_id>/excuse/",
        education.circle_excuse,
        name="circle_excuse",
    ),
    path(
        org + "education/circles/<id:circle_id>/attendance/",
        education.circle_attendance,
        name="circle_attendance",
    ),
    path(
        org + "education/circles/<id:circle_id>/sessions/move/",
        education.circle_session_move,
        name="circle_session_move",
    ),
    path(
        org + "education/circles/<id:circle_id>/sessions/cancel/",
        education.circle_session_cancel,
        name="circle_session_cancel",
    ),
    path(org + "debate/", debate.index, name="debate"),
    path(org + "debate/rules/", debate.rules, name="debate_rules"),
    path(org + "debate/new/", debate.open_thread, name="open_thread"),
    path(org + "debate/search/", debate.search, name="debate_search"),
    path(org + "debate/appeals/", debate.appeals, name="debate_appeals"),
    path(org + "debate/notifications/", debate.notifications, name="notifications"),
    path(org + "debate/<id:pk>/", debate.thread, name="thread"),
    path(org + "debate/<id:pk>/reply/", debate.reply, name="debate_reply"),
    path(org + "debate/<id:pk>/follow/", debate.follow, name="debate_follow"),
    path(org + "debate/posts/<id:post_id>/hide/", debate.hide, name="debate_hide"),
    path(org + "debate/posts/<id:post_id>/restore/", debate.restore, name="debate_restore"),
    path(org + "debate/moderation/<id:action_id>/appeal/", debate.appeal, name="debate_appeal"),
    path(org + "assemblies/", assemblies.assemblies, name="assemblies"),
    path(org + "assemblies/convene/", assemblies.convene, name="convene"),
    path(org + "assemblies/<id:pk>/", assemblies.assembly, name="assembly"),
    path(org + "assemblies/<id:pk>/events/", live.stream, name="assembly_events"),
    path(org + "assemblies/<id:pk>/live/", assemblies.live_panel, name="assembly_live"),
    path(org + "assemblies/<id:pk>/projector/", assemblies.projector, name="projector"),
    path(org + "assemblies/<id:pk>/minutes/", assemblies.minutes, name="minutes"),
    path(org + "assemblies/<id:pk>/minutes.md", assemblies.minutes_markdown, name="minutes_md"),
    path(org + "assemblies/<id:pk>/motions/", assemblies.table_motion, name="table_motion"),
    path(
        org + "assemblies/<id:pk>/motions/<id:motion_id>/amend/",
        assemblies.table_amendment,
        name="table_amendment",
    ),
    path(org + "assemblies/<id:pk>/agenda/", assemblies.add_item, name="add_agenda_item"),
    re_path(
        r"^o/(?P<slug>[-\w]+)/assemblies/(?P<pk>\d{1,18})/chair/"
        r"(?P<action>seat|delegate-elections|congress-elections|next-speaker|close-vote|current-item|close"
        r"|open-ranking|open-session|suspend-session|resume-session)/$",
        assemblies.chair_action,
        name="chair_action",
    ),
    path(org + "assemblies/<id:pk>/votes/open/", assemblies.open_vote, name="open_vote"),
    path(org + "assemblies/<id:pk>/votes/<id:vote_id>/cast/", assemblies.cast, name="cast"),
    path(org + "assemblies/<id:pk>/speak/", assemblies.speak, name="speak"),
    path(org + "assemblies/<id:pk>/proxy/", assemblies.proxy, name="proxy"),
    path(org + "assemblies/<id:pk>/attendance/", assemblies.attendance, name="attendance"),
    path(org + "assemblies/<id:pk>/substitute/", assemblies.substitute, name="substitute"),
    path(org + "assemblies/<id:pk>/transfer/", assemblies.transfer, name="transfer"),
    path(
        org + "assemblies/<id:pk>/participants/search/",
        assemblies.participant_search,
        name="participant_search",
    ),
    path(org + "programme/", assemblies.programme, name="programme"),
    path(org + "programme/v<id:number>/", assemblies.programme, name="programme_version"),
    path(
        org + "programme/diff/<id:old>/<id:new>/",
        assemblies.programme_diff,
        name="programme_diff",
    ),
    # --- struggles, pledges, events, solidarity, calendars (tribune.struggles)
    path(org + "struggles/", struggles.struggles, name="struggles"),
    path(org + "struggles/new/", struggles.struggle_new, name="struggle_new"),
    path(org + "struggles/<id:struggle_id>/", struggles.struggle, name="struggle"),
    path(
        org + "struggles/<id:struggle_id>/calendar.ics",
        struggles.struggle_calendar,
        name="struggle_calendar",
    ),
    re_path(
        r"^o/(?P<slug>[-\w]+)/struggles/(?P<struggle_id>\d{1,18})/"
        r"(?P<action>update|pledge|event|solidarity|task)/$",
        struggles.struggle_action,
        name="struggle_action",
    ),
    path(org + "pledges/new/", struggle_plans.pledge_new, name="pledge_new"),
    path(org + "events/new/", struggle_plans.event_new, name="event_new"),
    path(org + "tasks/new/", struggle_plans.task_new, name="task_new"),
    re_path(
        r"^o/(?P<slug>[-\w]+)/tasks/(?P<task_id>\d{1,18})/(?P<action>signup|withdraw|done)/$",
        struggle_plans.task_action,
        name="task_action",
    ),
    path(org + "pledges/<id:pledge_id>/", struggles.pledge, name="pledge"),
    path(org + "pledges/<id:pledge_id>/count/", struggles.pledge_count, name="pledge_count"),
    re_path(
        r"^o/(?P<slug>[-\w]+)/pledges/(?P<pledge_id>\d{1,18})/"
        r"(?P<action>pledge|withdraw|acted|go|vote)/$",
        struggles.pledge_action,
        name="pledge_action",
    ),
    path(org + "events/<id:event_id>/", struggles.event, name="event"),
    re_path(
        r"^o/(?P<slug>[-\w]+)/events/(?P<event_id>\d{1,18})/"
        r"(?P<action>signup|withdraw|change|cancel|remind|attendance|task)/$",
        struggles.event_action,
        name="event_action",
    ),
    path(org + "solidarity/<id:request_id>/", struggles.solidarity_request, name="solidarity"),
    re_path(
        r"^o/(?P<slug>[-\w]+)/solidarity/(?P<request_id>\d{1,18})/(?P<action>respond|close)/$",
        struggles.solidarity_action,
        name="solidarity_action",
    ),
    path(org + "calendar.ics", struggles.calendar_feed, name="calendar_feed"),
    path(
        org + "b/<slug:branch_slug>/calendar.ics", struggles.branch_calendar, name="branch_calendar"
    ),
    path(org + "me/calendar/", struggles.my_calendar, name="my_calendar"),
    path(org + "me/notices/", struggles.my_notices, name="my_notices"),
    path("calendar/<str:token>.ics", struggles.personal_calendar, name="personal_calendar"),
    # --- networks and coalitions (tribune.networks)
    path("networks/", networks.index, name="networks"),
    path("networks/<slug:network_slug>/", networks.network, name="network"),
    path(
        "networks/<slug:network_slug>/calendar.ics",
        networks.network_calendar,
        name="network_calendar",
    ),
    path("coalitions/<slug:coalition_slug>/", networks.coalition, name="coalition"),
    path(
        "coalitions/<slug:coalition_slug>/calendar.ics",
        networks.coalition_calendar,
        name="coalition_calendar",
    ),
    path(org + "networks/", networks.organisation_networks, name="org_networks"),
    path(org + "networks/new/", networks.network_new, name="network_new"),
    path(org + "coalitions/new/", networks.coalition_new, name="coalition_new"),
    re_path(
        r"^o/(?P<slug>[-\w]+)/networks/(?P<network_slug>[-\w]+)/"
        r"(?P<action>invite|join|leave|endorse|pledge|share|document|unshare|undocument)/$",
        networks.network_action,
        name="network_action",
    ),
    re_path(
        r"^o/(?P<slug>[-\w]+)/coalitions/(?P<coalition_slug>[-\w]+)/"
        r"(?P<action>invite|decide|renew|pledge|share|document|unshare|undocument)/$",
        networks.coalition_action,
        name="coalition_action",
    ),
    path(
        org + "concert-pledges/<id:pledge_id>/chapter/",
        networks.chapter,
        name="concert_chapter",
    ),
]
