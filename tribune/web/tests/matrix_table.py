# ruff: noqa: E501 — one route a line, its cells aligned under the roles: a table, read across.
"""The table of expectations for the permission matrix (``test_matrix``).

One line per route, one column per role, in the order of ``ROLES``::

    anonymous applicant member suspended elsewhere faction outsider officer

Each cell says what that role gets:

* ``ok``    — a GET answered (2xx, or a redirect that is not to the login page);
* ``go``    — an acting request not refused for who sent it: it succeeded, or was
  refused on its merits (400/409/422: a closed assembly, a missing field) only
  after the rules let the caller in;
* ``login`` — a redirect to the login page (the web, for anonymous callers);
* ``401``, ``403``, ``404``, ``405`` — the refusal.

Web POSTs are sent empty: where a view validates its form before it asks the
rules, a role without the right sees the form's 400 (``go``); the API lines, sent
valid bodies (``BODIES``), check the same domain rules. A line marked ``ORDER``
records a refusal on the merits given before the refusal for lack of right (no
secret is told: the state refused is public), to be tightened by the area named.

Every request runs in a savepoint rolled back afterwards, so a ``go`` changes
nothing for the next line. Keep the table sorted; a new route fails the matrix
until it has a line here.
"""

# fmt: off
EXPECT: dict[str, str] = {
    # route                                                                  anon   applic member susp   elsewh factn  outsdr officer
    # --- organisations
    "GET /founding/invitations":                                            "401    ok     ok     ok     ok     ok     ok     ok",  # only invitations to the caller's verified addresses
    "GET /founding/requests":                                               "401    ok     ok     ok     ok     ok     ok     ok",  # the caller's own requests
    "GET /founding/templates":                                              "ok     ok     ok     ok     ok     ok     ok     ok",
    "POST /founding/":                                                      "401    go     go     go     go     go     go     go",  # the server's founding setting decides; matrix body: unknown template, 400
    "POST /founding/invitations/{invitation_id}/accept":                    "401    403    403    403    403    403    403    403",  # only the invitee, by verified address
    "GET /me/needs":                                                        "401    ok     ok     ok     ok     ok     ok     ok",  # the caller's own home: what needs them
    "GET /organisations/":                                                 "ok     ok     ok     ok     ok     ok     ok     ok",
    # --- the organisation
    "GET $A/transition":                                                    "ok     ok     ok     ok     ok     ok     ok     ok",
    "GET $A":                                                              "ok     ok     ok     ok     ok     ok     ok     ok",
    # --- applications
    "GET $A/applications":                                                 "401    403    403    403    403    403    403    ok",
    "POST $A/applications":                                                "401    go     go     go     go     go     go     go",
    "POST $A/applications/{member_id}/admit":                              "401    403    403    403    403    403    403    go",
    "POST $A/applications/{member_id}/refuse":                             "401    403    403    403    403    403    403    go",
    # --- education (members in good standing; facilitating needs a completion, never an appointment)
    "GET $A/education/circles/{circle_id}":                                "401    403    ok     403    ok     ok     403    ok",
    "POST $A/education/circles/{circle_id}/attendance":                    "401    403    go     403    403    403    403    403",  # the circle's facilitator (ben); the session has not begun: 400
    "POST $A/education/circles/{circle_id}/facilitate":                    "401    403    go     403    403    403    403    go",  # ben graduated, ana wrote the course
    "POST $A/education/circles/{circle_id}/join":                          "401    403    go     403    go     go     403    go",  # ben facilitates it: 400
    "GET $A/education/circles/{circle_id}/register":                       "401    403    ok     403    404    404    403    404",  # who attended: its facilitators only
    "POST $A/education/circles/{circle_id}/sessions/{session_id}/cancel":  "401    403    go     403    403    403    403    go",  # its facilitator (ben), or plan_courses (ana)
    "POST $A/education/circles/{circle_id}/sessions/{session_id}/move":    "401    403    go     403    403    403    403    go",  # its facilitator (ben), or plan_courses (ana)
    "GET $A/education/courses":                                            "401    403    ok     403    ok     ok     403    ok",
    "POST $A/education/courses":                                           "401    403    403    403    403    403    403    go",  # plan_courses
    "GET $A/education/courses/{course_id}":                                "401    403    ok     403    ok     ok     403    ok",
    "POST $A/education/courses/{course_id}/circles":                       "401    403    go     403    403    403    403    go",  # graduates and founders only
    "GET $A/education/me":                                                 "401    403    ok     403    ok     ok     403    ok",
    "GET $A/education/spread":                                             "401    403    ok     403    ok     ok     403    ok",
    # --- archive
    "POST $A/archive/appeals/{appeal_id}/decide":                          "401    403    403    403    403    403    403    403",
    "POST $A/archive/decisions/{decision_id}/appeal":                      "401    404    403    404    403    403    403    403",  # only the author (cam); to non-members a refusal is not there (404)
    "GET $A/archive/documents":                                            "ok     ok     ok     ok     ok     ok     ok     ok",  # published documents the caller may read: public ones for anyone
    "POST $A/archive/documents":                                           "401    403    go     403    go     go     403    go",
    "GET $A/archive/documents/{document_id}":                              "ok     ok     ok     ok     ok     ok     ok     ok",
    "GET $A/archive/documents/{document_id}/diff":                         "ok     ok     ok     ok     ok     ok     ok     ok",
    "POST $A/archive/documents/{document_id}/links":                       "401    403    403    403    403    403    403    go",
    "PUT $A/archive/documents/{document_id}/tags":                         "401    403    403    403    403    403    403    go",
    "POST $A/archive/documents/{document_id}/versions":                    "401    403    go     403    go     go     403    go",
    "GET $A/archive/documents/{document_id}/versions/{number}":            "ok     ok     ok     ok     ok     ok     ok     ok",
    "POST $A/archive/documents/{document_id}/versions/{number}/decision":  "401    403    403    403    403    403    403    go",  # curate_archive (ana, the demo's archivist); decided already: 400
    "POST $A/archive/documents/{document_id}/versions/{number}/restore":   "401    403    go     403    go     go     403    go",
    "GET $A/archive/referenced-by":                                        "ok     ok     ok     ok     ok     ok     ok     ok",
    "GET $A/archive/search":                                               "ok     ok     ok     ok     ok     ok     ok     ok",
    # --- assemblies
    "POST $A/assemblies/{pk}/attendance":                                   "401    403    go     403    403    go     403    go",  # a participant checks in; the desk is the chair's
    "GET $A/assemblies/{pk}/session":                                       "ok     ok     ok     ok     ok     ok     ok     ok",  # figures only: who is present is for members
    "POST $A/assemblies/{pk}/session/open":                                 "401    403    403    403    403    403    403    403",
    "POST $A/assemblies/{pk}/session/resume":                               "401    403    403    403    403    403    403    403",
    "POST $A/assemblies/{pk}/session/suspend":                              "401    403    403    403    403    403    403    403",
    "GET $A/assemblies":                                                   "ok     ok     ok     ok     ok     ok     ok     ok",
    "POST $A/assemblies":                                                  "401    403    403    403    403    403    403    go",
    "GET $A/assemblies/{pk}":                                              "ok     ok     ok     ok     ok     ok     ok     ok",
    "POST $A/assemblies/{pk}/agenda":                                      "401    403    403    403    403    403    403    403",
    "POST $A/assemblies/{pk}/agenda/{item_id}/current":                    "401    403    403    403    403    403    403    403",
    "POST $A/assemblies/{pk}/agenda/{item_id}/ranking":                    "401    403    403    403    403    403    403    403",
    "GET $A/assemblies/{pk}/agenda/{item_id}/speakers":                    "ok     ok     ok     ok     ok     ok     ok     ok",  # speakers' names for members only
    "POST $A/assemblies/{pk}/agenda/{item_id}/speakers":                   "401    403    go     403    403    go     403    go",
    "POST $A/assemblies/{pk}/agenda/{item_id}/speakers/next":              "401    403    403    403    403    403    403    403",
    "POST $A/assemblies/{pk}/close":                                       "401    403    403    403    403    403    403    403",
    "POST $A/assemblies/{pk}/delegate-elections":                          "401    403    403    403    403    403    403    403",
    "POST $A/assemblies/{pk}/congress-elections":                          "401    403    403    403    403    403    403    403",
    "GET $A/assemblies/{pk}/minutes":                                      "ok     ok     ok     ok     ok     ok     ok     ok",
    "GET $A/assemblies/{pk}/motions":                                      "ok     ok     ok     ok     ok     ok     ok     ok",
    "POST $A/assemblies/{pk}/motions":                                     "401    403    go     403    go     go     403    go",
    "GET $A/assemblies/{pk}/motions/{motion_id}":                          "ok     ok     ok     ok     ok     ok     ok     ok",
    "POST $A/assemblies/{pk}/motions/{motion_id}/amendments":              "401    403    go     403    go     go     403    go",
    "GET $A/assemblies/{pk}/participants":                                 "401    403    ok     403    ok     ok     403    ok",  # finding 5: names are for members
    "POST $A/assemblies/{pk}/participants":                                "401    403    403    403    403    403    403    403",
    "POST $A/assemblies/{pk}/participants/{participant_id}/substitutes":   "401    403    403    403    403    403    403    403",
    "POST $A/assemblies/{pk}/participants/{participant_id}/transfer":      "401    403    403    403    403    403    403    403",
    "DELETE $A/assemblies/{pk}/proxy":                                     "401    403    go     403    403    go     403    go",
    "POST $A/assemblies/{pk}/proxy":                                       "401    403    go     403    403    go     403    go",
    "GET $A/assemblies/{pk}/votes":                                        "ok     ok     ok     ok     ok     ok     ok     ok",  # counts for all; the named record for members
    "POST $A/assemblies/{pk}/votes":                                       "401    403    403    403    403    403    403    403",
    "GET $A/assemblies/{pk}/votes/{vote_id}":                              "ok     ok     ok     ok     ok     ok     ok     ok",  # counts for all; the named record for members
    "POST $A/assemblies/{pk}/votes/{vote_id}/ballots":                     "401    403    go     403    403    go     403    go",
    "POST $A/assemblies/{pk}/votes/{vote_id}/close":                       "401    403    403    403    403    403    403    403",
    "POST $A/assemblies/{pk}/votes/{vote_id}/ranking":                     "401    go     go     go     go     go     403    go",  # ORDER: the (public) closed state is checked before the caller's seat: 400, not 403
    # --- audit
    "GET $A/audit/checkpoint":                                              "ok     ok     ok     ok     ok     ok     ok     ok",  # signed head of the chain: anyone keeps a copy
    "GET $A/audit/export":                                                  "ok     ok     ok     ok     ok     ok     ok     ok",
    "POST $A/audit/verify":                                                 "go     go     go     go     go     go     go     go",  # anyone verifies a checkpoint they kept
    "GET $A/audit":                                                        "ok     ok     ok     ok     ok     ok     ok     ok",  # public by design; names no private act (audit)
    "GET $A/audit/verify":                                                 "ok     ok     ok     ok     ok     ok     ok     ok",
    # --- bodies
    "GET $A/bodies":                                                       "ok     ok     ok     ok     ok     ok     ok     ok",
    # --- branches
    "GET $A/branches":                                                     "ok     ok     ok     ok     ok     ok     ok     ok",
    "POST $A/branches":                                                    "401    403    403    403    403    403    403    go",
    # --- constitution
    "GET $A/constitution/versions/{number}/diff":                           "ok     ok     ok     ok     ok     ok     ok     ok",
    "GET $A/constitution":                                                 "ok     ok     ok     ok     ok     ok     ok     ok",
    "GET $A/constitution/versions":                                        "ok     ok     ok     ok     ok     ok     ok     ok",
    "POST $A/constitution/structure":                                       "401    403    403    403    403    403    403    go",  # after the members adopted it: a referendum
    "POST $A/constitution/structure/to-members":                            "401    403    403    403    403    403    403    go",  # already adopted: 400 on the merits
    # --- debate
    "GET $A/debate/appeals":                                               "401    403    ok     403    ok     ok     403    ok",
    "POST $A/debate/appeals/{appeal_id}/decide":                           "401    403    403    403    403    403    403    403",
    "POST $A/debate/moderation/{action_id}/appeal":                        "401    403    403    403    403    403    403    403",
    "GET $A/debate/notifications":                                         "401    403    ok     403    ok     ok     403    ok",
    "POST $A/debate/notifications/read":                                   "401    403    go     403    go     go     403    go",
    "POST $A/debate/posts/{post_id}/hide":                                 "401    403    403    403    403    403    403    403",
    "POST $A/debate/posts/{post_id}/restore":                              "401    403    403    403    403    403    403    403",
    "GET $A/debate/rules":                                                 "ok     ok     ok     ok     ok     ok     ok     ok",
    "GET $A/debate/search":                                                "401    403    ok     403    ok     ok     403    ok",
    "GET $A/debate/threads":                                               "401    403    ok     403    ok     ok     403    ok",
    "POST $A/debate/threads":                                              "401    403    go     403    go     go     403    go",
    "GET $A/debate/threads/{thread_id}":                                   "401    403    ok     403    ok     ok     403    ok",
    "DELETE $A/debate/threads/{thread_id}/follow":                         "401    403    go     403    go     go     403    go",
    "POST $A/debate/threads/{thread_id}/follow":                           "401    403    go     403    go     go     403    go",
    "POST $A/debate/threads/{thread_id}/posts":                            "401    403    go     403    go     go     403    go",
    # --- elections
    "GET $A/elections":                                                    "ok     ok     ok     ok     ok     ok     ok     ok",
    "POST $A/elections":                                                   "401    403    403    403    403    403    403    go",
    "GET $A/elections/{election_id}":                                      "ok     ok     ok     ok     ok     ok     ok     ok",
    "POST $A/elections/{election_id}/ballots":                             "401    403    go     403    403    go     403    go",
    "GET $A/elections/{election_id}/box":                                  "ok     ok     ok     ok     ok     ok     ok     ok",
    "GET $A/elections/{election_id}/box.blt":                              "ok     ok     ok     ok     ok     ok     ok     ok",
    "POST $A/elections/{election_id}/cancel":                              "401    403    403    403    403    403    403    go",
    "POST $A/elections/{election_id}/candidacies":                         "401    403    go     403    go     go     403    go",
    "POST $A/elections/{election_id}/candidacies/{candidacy_id}/accept":   "401    403    403    403    403    403    403    403",
    "POST $A/elections/{election_id}/candidacies/{candidacy_id}/second":   "401    403    go     403    go     go     403    go",
    "POST $A/elections/{election_id}/candidacies/{candidacy_id}/withdraw": "401    403    403    403    403    403    403    403",
    "POST $A/elections/{election_id}/certify":                             "401    go     go     go     go     go     403    go",  # ORDER (elections): the (public) state is checked before the right: 400, not 403
    "GET $A/elections/{election_id}/endorsements":                         "ok     ok     ok     ok     ok     ok     ok     ok",
    "GET $A/elections/{election_id}/proportionality":                      "ok     ok     ok     ok     ok     ok     ok     ok",
    "GET $A/elections/{election_id}/trackers/{tracker}":                   "ok     ok     ok     ok     ok     ok     ok     ok",
    # --- factions
    "GET $A/factions":                                                     "ok     ok     ok     ok     ok     ok     ok     ok",
    "POST $A/factions":                                                    "401    403    go     403    go     go     403    go",
    "GET $A/factions/{faction_slug}":                                      "ok     ok     ok     ok     ok     ok     ok     ok",  # members listed to members; private ones to the convenor
    "POST $A/factions/{faction_slug}/dissolution":                         "401    403    403    403    403    go     403    403",
    "POST $A/factions/{faction_slug}/endorsements":                        "401    403    403    403    403    go     403    403",
    "DELETE $A/factions/{faction_slug}/membership":                        "401    go     go     go     go     go     403    go",
    "POST $A/factions/{faction_slug}/membership":                          "401    403    go     403    go     go     403    go",
    "PUT $A/factions/{faction_slug}/membership":                           "401    go     go     go     go     go     403    go",
    "GET $A/factions/{faction_slug}/platform":                             "ok     ok     ok     ok     ok     ok     ok     ok",
    "POST $A/factions/{faction_slug}/platform":                            "401    403    403    403    403    go     403    403",
    "GET $A/factions/{faction_slug}/platform/{number}":                    "ok     ok     ok     ok     ok     ok     ok     ok",
    "POST $A/factions/{faction_slug}/signatures":                          "401    403    go     403    go     go     403    go",
    "POST $A/factions/{faction_slug}/statements":                          "401    403    403    403    403    go     403    403",
    # --- imports
    "POST $A/imports":                                                     "401    403    403    403    403    403    403    403",  # Ana has no import power; Els's reaches Millbrook only
    "POST $A/imports/{job_id}/confirm":                                    "401    403    403    403    403    403    403    403",
    # --- me
    "GET $A/me":                                                           "401    ok     ok     ok     ok     ok     403    ok",
    "POST $A/me/erase":                                                    "401    go     go     go     go     go     403    go",
    "GET $A/me/export":                                                    "401    ok     ok     ok     ok     ok     403    ok",
    "POST $A/me/resign":                                                   "401    go     go     go     go     go     403    go",
    # --- members
    "GET $A/members":                                                      "401    403    ok     403    ok     ok     403    ok",
    "GET $A/members/{member_id}":                                          "401    403    ok     403    ok     ok     403    ok",
    "POST $A/members/{member_id}/reinstate":                               "401    403    403    403    403    403    403    go",
    "POST $A/members/{member_id}/suspend":                                 "401    403    403    403    403    403    403    go",
    # --- offices
    "GET $A/offices/{office_id}/reports":                                  "ok     ok     ok     ok     ok     ok     ok     ok",
    # --- programme
    "GET $A/programme":                                                    "ok     ok     ok     ok     ok     ok     ok     ok",
    "GET $A/programme/versions":                                           "ok     ok     ok     ok     ok     ok     ok     ok",
    "GET $A/programme/versions/{number}":                                  "ok     ok     ok     ok     ok     ok     ok     ok",
    "GET $A/programme/versions/{number}/diff":                             "ok     ok     ok     ok     ok     ok     ok     ok",
    # --- recalls
    "GET $A/recalls":                                                      "ok     ok     ok     ok     ok     ok     ok     ok",
    "POST $A/recalls":                                                     "401    403    go     403    go     go     403    go",
    "GET $A/recalls/{petition_id}":                                        "ok     ok     ok     ok     ok     ok     ok     ok",
    "POST $A/recalls/{petition_id}/reply":                                 "401    403    403    403    403    go     403    403",  # the faction's convenor holds the recalled term
    "POST $A/recalls/{petition_id}/sign":                                  "401    403    go     403    go     go     403    go",
    "POST $A/recalls/{petition_id}/withdraw":                              "401    go     go     go     go     go     403    go",
    # --- reports
    "POST $A/reports/{report_id}/comments":                                "401    403    go     403    go     go     403    go",
    # --- struggles, pledges, events, solidarity
    "DELETE $A/events/{event_id}/signup":                                   "401    go     go     go     go     go     403    go",
    "DELETE $A/pledges/{pledge_id}/commitment":                             "401    go     go     go     go     go     403    go",
    "DELETE $A/tasks/{task_id}/signup":                                     "401    go     go     go     go     go     403    go",
    "GET $A/events":                                                        "ok     ok     ok     ok     ok     ok     ok     ok",
    "GET $A/events/{event_id}":                                             "ok     ok     ok     ok     ok     ok     ok     ok",
    "GET $A/events/{event_id}/attendance":                                  "401    ok     ok     ok     ok     ok     403    ok",  # everyone's for the organisers; for anyone else only their own row
    "GET $A/me/notices":                                                    "401    ok     ok     ok     ok     ok     403    ok",  # the caller's own
    "GET $A/pledges":                                                       "ok     ok     ok     ok     ok     ok     ok     ok",
    "GET $A/pledges/{pledge_id}":                                           "ok     ok     ok     ok     ok     ok     ok     ok",  # the count for all; who pledged for no one but themselves
    "GET $A/solidarity/{request_id}":                                       "ok     ok     ok     ok     ok     ok     ok     ok",
    "GET $A/struggles":                                                     "ok     ok     ok     ok     ok     ok     ok     ok",
    "GET $A/struggles/{struggle_id}":                                       "ok     ok     ok     ok     ok     ok     ok     ok",
    "GET $A/tasks":                                                         "ok     ok     ok     ok     ok     ok     ok     ok",
    "GET $A/tasks/{task_id}":                                               "ok     ok     ok     ok     ok     ok     ok     ok",
    "POST $A/events":                                                       "401    403    403    403    403    403    403    go",
    "POST $A/events/{event_id}/attendance":                                 "401    403    403    403    403    403    403    go",
    "POST $A/events/{event_id}/cancel":                                     "401    403    403    403    403    403    403    go",
    "POST $A/events/{event_id}/change":                                     "401    403    403    403    403    403    403    go",
    "POST $A/events/{event_id}/signup":                                     "401    403    go     403    go     go     403    go",
    "POST $A/me/notices/read":                                              "401    go     go     go     go     go     403    go",
    "POST $A/pledges":                                                      "401    403    403    403    403    403    403    go",
    "POST $A/pledges/{pledge_id}/commitment":                               "401    403    go     403    403    403    403    403",  # members of the pledge's branch (Riverside) only
    "POST $A/pledges/{pledge_id}/go":                                       "401    403    go     403    go     go     403    go",
    "POST $A/solidarity":                                                   "401    403    403    403    403    403    403    go",
    "POST $A/solidarity/{request_id}/close":                                "401    403    403    403    403    403    403    go",
    "POST $A/solidarity/{request_id}/responses":                            "401    403    403    403    403    403    403    go",
    "POST $A/struggles":                                                    "401    403    403    403    403    403    403    go",
    "POST $A/struggles/{struggle_id}/updates":                              "401    403    403    403    403    403    403    go",
    "POST $A/tasks":                                                        "401    403    403    403    403    403    403    go",
    "POST $A/tasks/{task_id}/done":                                         "401    403    403    403    403    403    403    go",
    "POST $A/tasks/{task_id}/signup":                                       "401    403    go     403    go     go     403    go",
    # --- networks, coalitions, pledges in concert (tribune.networks)
    "GET /networks":                                                         "ok     ok     ok     ok     ok     ok     ok     ok",  # charters, members and the decisions they cited are public
    "GET /networks/{network}":                                               "ok     ok     ok     ok     ok     ok     ok     ok",  # pledges as counts per organisation: no pledger named
    "GET /coalitions":                                                       "ok     ok     ok     ok     ok     ok     ok     ok",
    "GET /coalitions/{coalition}":                                           "ok     ok     ok     ok     ok     ok     ok     ok",
    "GET $A/networks":                                                       "ok     ok     ok     ok     ok     ok     ok     ok",  # which of its demands it pursues in which coalitions
    "POST $A/networks":                                                      "401    403    403    403    403    403    403    go",  # represent_in_networks (ana, the demo's network delegate)
    "POST $A/networks/{network}/endorsements":                               "401    403    403    403    403    403    403    go",
    "POST $A/networks/{network}/invitations":                                "401    403    403    403    403    403    403    go",
    "POST $A/networks/{network}/join":                                       "401    403    403    403    403    403    403    go",  # a member already: 400
    "POST $A/networks/{network}/leave":                                      "401    403    403    403    403    403    403    go",  # by the organisation's own decision
    "POST $A/coalitions":                                                    "401    403    403    403    403    403    403    go",
    "POST $A/coalitions/{coalition}/decision":                               "401    403    403    403    403    403    403    go",  # citing a decision of that organisation
    "POST $A/coalitions/{coalition}/invitations":                            "401    403    403    403    403    403    403    go",
    "POST $A/coalitions/{coalition}/renewal":                                "401    403    403    403    403    403    403    go",
    "POST $A/concert-pledges":                                               "401    403    403    403    403    403    403    go",
    "POST $A/concert-pledges/{pledge_id}/chapter":                           "401    403    403    403    403    403    403    go",  # run_struggles; the union's chapter exists: 400
    "POST $A/shared":                                                        "401    403    403    403    403    403    403    go",  # run_struggles over what is shared
    "POST $A/shared-documents":                                              "401    403    403    403    403    403    403    go",
    "POST $A/shared-documents/withdrawal":                                   "401    403    403    403    403    403    403    go",  # not shared: 400 after the mandate
    "POST $A/shared/withdrawal":                                             "401    403    403    403    403    403    403    go",  # run_struggles; not shared: 400 after it
    # --- terms
    "GET $A/terms/{term_id}/reports":                                      "ok     ok     ok     ok     ok     ok     ok     ok",
    "POST $A/terms/{term_id}/reports":                                     "401    403    403    403    403    go     403    403",
    # --- admin
    "GET admin:index":                                                     "ok     ok     ok     ok     ok     ok     ok     ok",  # a redirect to the admin's own login: no one here is staff
    # --- allauth
    "GET allauth:email":                                                   "login  ok     ok     ok     ok     ok     ok     ok",
    "GET allauth:login":                                                   "ok     ok     ok     ok     ok     ok     ok     ok",
    # --- operations (tribune/ops): the proxy's and monitors' health check; the operator's metrics
    "GET ops:healthz":                                                      "ok     ok     ok     ok     ok     ok     ok     ok",  # status only, nothing of any organisation
    "GET ops:metrics":                                                      "404    404    404    404    404    404    404    404",  # off without TRIBUNE_METRICS_TOKEN; with it, only for its bearer (ops/tests/test_health)
    # --- federation (tribune/federation): server to server, signed; the operator's page
    "GET federation:server-actor":                                          "ok     ok     ok     ok     ok     ok     ok     ok",  # the server's public key and inbox: public by design
    "GET federation:actor":                                                 "404    404    404    404    404    404    404    404",  # a UUID naming no actor
    "GET federation:identity":                                              "404    404    404    404    404    404    404    404",  # a UUID naming nothing here
    "POST federation:inbox":                                                "401    401    401    401    401    401    401    401",  # unsigned: refused, whoever is logged in (federation/tests)
    "POST federation:link-requests":                                        "401    401    401    401    401    401    401    401",  # unsigned
    "GET federation:object":                                                "401    401    401    401    401    401    401    401",  # for signed requests of linked servers only
    "GET federation:audit-entry":                                           "401    401    401    401    401    401    401    401",  # for signed requests of linked servers only
    "GET federation:witnessed":                                             "401    401    401    401    401    401    401    401",  # for signed requests of linked servers only
    "GET federation:peers":                                                 "404    404    404    404    404    404    404    404",  # the operator's (staff) page: no one here is staff
    "POST federation:peers":                                                "404    404    404    404    404    404    404    404",
    # --- web
    "GET web:archive":                                                     "ok     ok     ok     ok     ok     ok     ok     ok",
    "GET web:archive_appeal":                                              "login  405    405    405    405    405    405    405",
    "POST web:archive_appeal":                                             "login  404    403    404    403    403    404    403",
    "GET web:archive_appeal_decide":                                       "login  405    405    405    405    405    405    405",
    "POST web:archive_appeal_decide":                                      "login  403    403    403    403    403    403    403",
    "GET web:archive_compare":                                             "ok     ok     ok     ok     ok     ok     ok     ok",
    "GET web:archive_decide":                                              "login  405    405    405    405    405    405    405",
    "POST web:archive_decide":                                             "login  403    403    403    403    403    403    go",
    "GET web:archive_document":                                            "ok     ok     ok     ok     ok     ok     ok     ok",
    "GET web:archive_edit":                                                "login  403    ok     403    ok     ok     403    ok",
    "POST web:archive_edit":                                               "login  403    go     403    go     go     403    go",
    "GET web:archive_link":                                                "login  405    405    405    405    405    405    405",
    "POST web:archive_link":                                               "login  403    403    403    403    403    403    go",
    "GET web:archive_pdf":                                                 "ok     ok     ok     ok     ok     ok     ok     ok",
    "GET web:archive_propose":                                             "login  403    ok     403    ok     ok     403    ok",
    "POST web:archive_propose":                                            "login  403    go     403    go     go     403    go",
    "GET web:archive_restore":                                             "login  405    405    405    405    405    405    405",
    "POST web:archive_restore":                                            "login  403    go     403    go     go     403    go",
    "GET web:archive_tags":                                                "login  405    405    405    405    405    405    405",
    "POST web:archive_tags":                                               "login  403    403    403    403    403    403    go",
    "GET web:archive_version":                                             "ok     ok     ok     ok     ok     ok     ok     ok",
    "GET web:attendance":                                                   "login  405    405    405    405    405    405    405",
    "POST web:attendance":                                                  "login  403    go     403    403    go     403    go",
    "GET web:chair_action[open-session]":                                   "login  405    405    405    405    405    405    405",
    "POST web:chair_action[open-session]":                                  "login  403    403    403    403    403    403    403",
    "GET web:chair_action[resume-session]":                                 "login  405    405    405    405    405    405    405",
    "POST web:chair_action[resume-session]":                                "login  403    403    403    403    403    403    403",
    "GET web:chair_action[suspend-session]":                                "login  405    405    405    405    405    405    405",
    "POST web:chair_action[suspend-session]":                               "login  403    403    403    403    403    403    403",
    "GET web:constitution_diff":                                            "ok     ok     ok     ok     ok     ok     ok     ok",
    "GET web:found":                                                        "login  ok     ok     ok     ok     ok     ok     ok",
    "POST web:found":                                                       "login  go     go     go     go     go     go     go",
    "GET web:invitations":                                                  "login  ok     ok     ok     ok     ok     ok     ok",
    "POST web:invitations":                                                 "login  go     go     go     go     go     go     go",
    "GET web:add_agenda_item":                                             "login  405    405    405    405    405    405    405",
    "POST web:add_agenda_item":                                            "login  go     go     go     go     go     403    go",
    "GET web:appeal":                                                      "login  405    405    405    405    405    405    405",
    "POST web:appeal":                                                     "login  404    404    go     404    404    403    404",
    "GET web:appeals":                                                     "login  403    403    403    403    403    403    403",
    "GET web:applications":                                                "login  403    403    403    ok     403    403    ok",
    "GET web:assemblies":                                                  "ok     ok     ok     ok     ok     ok     ok     ok",
    "GET web:assembly":                                                    "ok     ok     ok     ok     ok     ok     ok     ok",
    "GET web:assembly_events":                                             "-      -      -      -      -      -      -      -",
    "GET web:assembly_live":                                               "ok     ok     ok     ok     ok     ok     ok     ok",
    "GET web:audit":                                                       "ok     ok     ok     ok     ok     ok     ok     ok",
    "GET web:bodies":                                                      "ok     ok     ok     ok     ok     ok     ok     ok",
    "GET web:box_blt":                                                     "ok     ok     ok     ok     ok     ok     ok     ok",
    "GET web:box_json":                                                    "ok     ok     ok     ok     ok     ok     ok     ok",
    "GET web:branch":                                                      "ok     ok     ok     ok     ok     ok     ok     ok",
    "POST web:branch":                                                     "login  go     go     go     go     go     go     go",
    "GET web:call_election":                                               "login  403    403    403    ok     403    403    ok",
    "POST web:call_election":                                              "login  403    403    403    go     403    403    go",
    "GET web:cancel_election":                                             "login  405    405    405    405    405    405    405",
    "POST web:cancel_election":                                            "login  go     go     go     go     go     403    go",  # ORDER (elections): the form is checked before the right: 400, not 403
    "GET web:candidacy[accept]":                                           "login  405    405    405    405    405    405    405",
    "POST web:candidacy[accept]":                                          "login  403    403    403    403    403    403    403",
    "GET web:candidacy[second]":                                           "login  405    405    405    405    405    405    405",
    "POST web:candidacy[second]":                                          "login  403    go     403    go     go     403    go",
    "GET web:candidacy[withdraw]":                                         "login  405    405    405    405    405    405    405",
    "POST web:candidacy[withdraw]":                                        "login  403    403    403    403    403    403    403",
    "GET web:cast":                                                        "login  405    405    405    405    405    405    405",
    "POST web:cast":                                                       "login  go     go     go     go     go     403    go",
    "GET web:certify":                                                     "login  405    405    405    405    405    405    405",
    "POST web:certify":                                                    "login  go     go     go     go     go     403    go",
    "GET web:chair_action[close-vote]":                                    "login  405    405    405    405    405    405    405",
    "POST web:chair_action[close-vote]":                                   "login  404    404    404    404    404    403    404",
    "GET web:chair_action[close]":                                         "login  405    405    405    405    405    405    405",
    "POST web:chair_action[close]":                                        "login  403    403    403    403    403    403    403",
    "GET web:chair_action[current-item]":                                  "login  405    405    405    405    405    405    405",
    "POST web:chair_action[current-item]":                                 "login  404    404    404    404    404    403    404",
    "GET web:chair_action[congress-elections]":                            "login  405    405    405    405    405    405    405",
    "POST web:chair_action[congress-elections]":                           "login  403    403    403    403    403    403    403",
    "GET web:chair_action[delegate-elections]":                            "login  405    405    405    405    405    405    405",
    "POST web:chair_action[delegate-elections]":                           "login  403    403    403    403    403    403    403",
    "GET web:chair_action[next-speaker]":                                  "login  405    405    405    405    405    405    405",
    "POST web:chair_action[next-speaker]":                                 "login  404    404    404    404    404    403    404",
    "GET web:chair_action[open-ranking]":                                  "login  405    405    405    405    405    405    405",
    "POST web:chair_action[open-ranking]":                                 "login  404    404    404    404    404    403    404",
    "GET web:chair_action[seat]":                                          "login  405    405    405    405    405    405    405",
    "POST web:chair_action[seat]":                                         "login  403    403    403    403    403    403    403",
    "GET web:change_standing[lapse]":                                      "login  405    405    405    405    405    405    405",
    "POST web:change_standing[lapse]":                                     "login  403    go     403    go     go     403    go",
    "GET web:change_standing[reinstate]":                                  "login  405    405    405    405    405    405    405",
    "POST web:change_standing[reinstate]":                                 "login  403    go     403    go     go     403    go",
    "GET web:change_standing[renew]":                                      "login  405    405    405    405    405    405    405",
    "POST web:change_standing[renew]":                                     "login  403    go     403    go     go     403    go",
    "GET web:change_standing[suspend]":                                    "login  405    405    405    405    405    405    405",
    "POST web:change_standing[suspend]":                                   "login  403    go     403    go     go     403    go",
    "GET web:comment_report":                                              "login  405    405    405    405    405    405    405",
    "POST web:comment_report":                                             "login  go     go     go     go     go     403    go",
    "GET web:constitution":                                                "ok     ok     ok     ok     ok     ok     ok     ok",
    "GET web:constitution_version":                                        "ok     ok     ok     ok     ok     ok     ok     ok",
    "GET web:constitution_structure":                                       "ok     ok     ok     ok     ok     ok     ok     ok",
    "GET web:constitution_structure_body":                                  "login  405    405    405    405    405    405    405",
    "POST web:constitution_structure_body":                                 "login  403    403    403    403    403    403    go",
    "GET web:constitution_structure_office":                                "login  405    405    405    405    405    405    405",
    "POST web:constitution_structure_office":                               "login  403    403    403    403    403    403    go",
    "GET web:constitution_structure_remove":                                "login  405    405    405    405    405    405    405",
    "POST web:constitution_structure_remove":                               "login  403    403    403    403    403    403    go",
    "GET web:constitution_structure_to_members":                            "login  405    405    405    405    405    405    405",
    "POST web:constitution_structure_to_members":                           "login  403    403    403    403    403    403    go",
    "GET web:convene":                                                     "login  403    403    403    ok     403    403    ok",
    "POST web:convene":                                                    "login  403    403    403    go     403    403    go",
    "GET web:circle":                                                      "login  403    ok     403    ok     ok     403    ok",
    "GET web:circle_attendance":                                           "login  405    405    405    405    405    405    405",
    "POST web:circle_attendance":                                          "login  403    go     403    go     go     403    go",  # an empty form: 400 before the rule
    "GET web:circle_excuse":                                               "login  405    405    405    405    405    405    405",
    "POST web:circle_excuse":                                              "login  403    404    403    404    404    403    404",  # no session named
    "GET web:circle_facilitate":                                           "login  405    405    405    405    405    405    405",
    "POST web:circle_facilitate":                                          "login  403    go     403    403    403    403    go",
    "GET web:circle_join":                                                 "login  405    405    405    405    405    405    405",
    "POST web:circle_join":                                                "login  403    go     403    go     go     403    go",
    "GET web:circle_open":                                                 "login  405    405    405    405    405    405    405",
    "POST web:circle_open":                                                "login  403    go     403    go     go     403    go",  # an empty form: 400 before the rule
    "GET web:circle_session_cancel":                                       "login  405    405    405    405    405    405    405",
    "POST web:circle_session_cancel":                                      "login  403    go     403    go     go     403    go",  # an empty form: 400 before the rule
    "GET web:circle_session_move":                                         "login  405    405    405    405    405    405    405",
    "POST web:circle_session_move":                                        "login  403    go     403    go     go     403    go",  # an empty form: 400 before the rule
    "GET web:course":                                                      "login  403    ok     403    ok     ok     403    ok",
    "GET web:education":                                                   "login  403    ok     403    ok     ok     403    ok",
    "GET web:education_course_new":                                        "login  403    403    403    403    403    403    ok",
    "POST web:education_course_new":                                       "login  403    403    403    403    403    403    go",
    "GET web:education_spread":                                            "login  403    ok     403    ok     ok     403    ok",
    "GET web:debate":                                                      "login  403    ok     403    ok     ok     403    ok",
    "GET web:debate_appeal":                                               "login  405    405    405    405    405    405    405",
    "POST web:debate_appeal":                                              "login  go     go     go     go     go     go     go",
    "GET web:debate_appeals":                                              "login  403    ok     403    ok     ok     403    ok",
    "POST web:debate_appeals":                                             "login  403    404    403    404    404    403    404",
    "GET web:debate_follow":                                               "login  405    405    405    405    405    405    405",
    "POST web:debate_follow":                                              "login  403    go     403    go     go     403    go",
    "GET web:debate_hide":                                                 "login  405    405    405    405    405    405    405",
    "POST web:debate_hide":                                                "login  403    go     403    go     go     403    go",
    "GET web:debate_reply":                                                "login  405    405    405    405    405    405    405",
    "POST web:debate_reply":                                               "login  403    go     403    go     go     403    go",
    "GET web:debate_restore":                                              "login  405    405    405    405    405    405    405",
    "POST web:debate_restore":                                             "login  403    go     403    go     go     403    go",
    "GET web:debate_rules":                                                "ok     ok     ok     ok     ok     ok     ok     ok",
    "GET web:debate_search":                                               "login  403    ok     403    ok     ok     403    ok",
    "GET web:decide_application[admit]":                                   "login  ok     ok     ok     ok     ok     ok     ok",
    "POST web:decide_application[admit]":                                  "login  403    403    403    403    403    403    go",
    "GET web:decide_application[refuse]":                                  "login  403    403    403    403    403    403    ok",
    "POST web:decide_application[refuse]":                                 "login  403    403    403    403    403    403    go",
    "GET web:directory":                                                   "login  403    ok     403    ok     ok     403    ok",
    "GET web:election":                                                    "ok     ok     ok     ok     ok     ok     ok     ok",
    "GET web:elections":                                                   "ok     ok     ok     ok     ok     ok     ok     ok",
    "GET web:erase":                                                       "login  ok     ok     ok     ok     ok     403    ok",
    "POST web:erase":                                                      "login  go     go     go     go     go     403    go",
    "GET web:export":                                                      "login  ok     ok     ok     ok     ok     403    ok",
    "GET web:faction":                                                     "ok     ok     ok     ok     ok     ok     ok     ok",
    "GET web:faction_action[dissolve]":                                    "login  405    405    405    405    405    405    405",
    "POST web:faction_action[dissolve]":                                   "login  go     go     go     go     go     403    go",
    "GET web:faction_action[endorse]":                                     "login  405    405    405    405    405    405    405",
    "POST web:faction_action[endorse]":                                    "login  go     go     go     go     go     403    go",
    "GET web:faction_action[join]":                                        "login  405    405    405    405    405    405    405",
    "POST web:faction_action[join]":                                       "login  go     go     go     go     go     403    go",
    "GET web:faction_action[leave]":                                       "login  405    405    405    405    405    405    405",
    "POST web:faction_action[leave]":                                      "login  go     go     go     go     go     403    go",
    "GET web:faction_action[platform]":                                    "login  405    405    405    405    405    405    405",
    "POST web:faction_action[platform]":                                   "login  go     go     go     go     go     403    go",
    "GET web:faction_action[sign]":                                        "login  405    405    405    405    405    405    405",
    "POST web:faction_action[sign]":                                       "login  403    go     403    go     go     403    go",
    "GET web:faction_action[statement]":                                   "login  405    405    405    405    405    405    405",
    "POST web:faction_action[statement]":                                  "login  go     go     go     go     go     403    go",
    "GET web:faction_action[visibility]":                                  "login  405    405    405    405    405    405    405",
    "POST web:faction_action[visibility]":                                 "login  go     go     go     go     go     403    go",
    "GET web:faction_platform":                                            "ok     ok     ok     ok     ok     ok     ok     ok",
    "GET web:factions":                                                    "ok     ok     ok     ok     ok     ok     ok     ok",
    "GET web:home":                                                        "ok     ok     ok     ok     ok     ok     ok     ok",
    "GET web:import":                                                      "login  403    403    403    403    403    403    403",
    "GET web:import_job":                                                  "login  403    403    403    403    403    403    403",
    "POST web:import":                                                     "login  403    403    403    403    403    403    403",
    "GET web:join":                                                        "ok     ok     ok     ok     ok     ok     ok     ok",
    "POST web:join":                                                       "go     go     go     go     go     go     go     go",
    "GET web:language":                                                    "405    405    405    405    405    405    405    405",
    "POST web:language":                                                   "go     go     go     go     go     go     go     go",  # the chooser: anyone may pick a language
    "GET web:me":                                                          "login  ok     ok     ok     ok     ok     ok     ok",
    "GET web:member":                                                      "login  403    ok     403    ok     ok     403    ok",
    "GET web:member_search":                                               "login  403    ok     403    ok     ok     403    ok",  # names for members in good standing only
    "GET web:minutes":                                                     "ok     ok     ok     ok     ok     ok     ok     ok",
    "GET web:minutes_md":                                                  "ok     ok     ok     ok     ok     ok     ok     ok",
    "GET web:nominate":                                                    "login  405    405    405    405    405    405    405",
    "POST web:nominate":                                                   "login  go     go     go     go     go     403    go",
    "GET web:notifications":                                               "login  403    ok     403    ok     ok     403    ok",
    "POST web:notifications":                                              "login  403    go     403    go     go     403    go",
    "GET web:office":                                                      "ok     ok     ok     ok     ok     ok     ok     ok",
    "GET web:open_recall":                                                 "login  405    405    405    405    405    405    405",
    "POST web:open_recall":                                                "login  404    404    404    404    404    403    404",
    "GET web:open_thread":                                                 "login  403    ok     403    ok     ok     403    ok",
    "POST web:open_thread":                                                "login  403    go     403    go     go     403    go",
    "GET web:open_vote":                                                   "login  405    405    405    405    405    405    405",
    "POST web:open_vote":                                                  "login  go     go     go     go     go     403    go",
    "GET web:organisation":                                                "ok     ok     ok     ok     ok     ok     ok     ok",
    "GET web:participant_search":                                          "login  403    403    403    403    403    403    403",  # the chair's desk only (no role chairs the upcoming congress)
    "GET web:programme":                                                   "ok     ok     ok     ok     ok     ok     ok     ok",
    "GET web:programme_diff":                                              "ok     ok     ok     ok     ok     ok     ok     ok",
    "GET web:programme_version":                                           "ok     ok     ok     ok     ok     ok     ok     ok",
    "GET web:projector":                                                   "ok     ok     ok     ok     ok     ok     ok     ok",
    "GET web:propose_faction":                                             "login  ok     ok     ok     ok     ok     403    ok",
    "POST web:propose_faction":                                            "login  go     go     go     go     go     403    go",
    "GET web:proxy":                                                       "login  405    405    405    405    405    405    405",
    "POST web:proxy":                                                      "login  403    go     403    403    go     403    go",
    "GET web:publish_report":                                              "login  405    405    405    405    405    405    405",
    "POST web:publish_report":                                             "login  404    404    404    404    404    403    404",
    "GET web:recall":                                                      "ok     ok     ok     ok     ok     ok     ok     ok",
    "GET web:recall_reply":                                                "login  405    405    405    405    405    405    405",
    "POST web:recall_reply":                                               "login  go     go     go     go     go     403    go",
    "GET web:recall_sign[sign]":                                           "login  405    405    405    405    405    405    405",
    "POST web:recall_sign[sign]":                                          "login  403    go     403    go     go     403    go",
    "GET web:recall_sign[withdraw]":                                       "login  405    405    405    405    405    405    405",
    "POST web:recall_sign[withdraw]":                                      "login  go     go     go     go     go     403    go",
    "GET web:resign":                                                      "login  ok     ok     ok     ok     ok     403    ok",
    "POST web:resign":                                                     "login  go     go     go     go     go     403    go",
    "GET web:speak":                                                       "login  405    405    405    405    405    405    405",
    "POST web:speak":                                                      "login  404    404    404    404    404    403    404",
    "GET web:substitute":                                                  "login  405    405    405    405    405    405    405",
    "POST web:substitute":                                                 "login  go     go     go     go     go     403    go",
    "GET web:table_amendment":                                             "login  ok     ok     ok     ok     ok     403    ok",
    "POST web:table_amendment":                                            "login  go     go     go     go     go     403    go",
    "GET web:table_motion":                                                "login  405    405    405    405    405    405    405",
    "POST web:table_motion":                                               "login  go     go     go     go     go     403    go",
    "GET web:thread":                                                      "login  403    ok     403    ok     ok     403    ok",
    "GET web:tokens":                                                      "login  ok     ok     ok     ok     ok     ok     ok",
    "POST web:tokens":                                                     "login  go     go     go     go     go     go     go",
    "GET web:transfer":                                                    "login  405    405    405    405    405    405    405",
    "POST web:transfer":                                                   "login  go     go     go     go     go     403    go",
    "GET web:vote":                                                        "login  405    405    405    405    405    405    405",
    "POST web:vote":                                                       "login  go     go     go     go     go     403    go",
    # --- struggles (pages and calendar feeds)
    "GET web:branch_calendar":                                              "ok     ok     ok     ok     ok     ok     ok     ok",
    "GET web:calendar_feed":                                                "ok     ok     ok     ok     ok     ok     ok     ok",
    "GET web:event":                                                        "ok     ok     ok     ok     ok     ok     ok     ok",
    "GET web:event_action[attendance]":                                     "login  405    405    405    405    405    405    405",
    "GET web:event_action[cancel]":                                         "login  405    405    405    405    405    405    405",
    "GET web:event_action[change]":                                         "login  405    405    405    405    405    405    405",
    "GET web:event_action[remind]":                                         "login  405    405    405    405    405    405    405",
    "GET web:event_action[signup]":                                         "login  405    405    405    405    405    405    405",
    "GET web:event_action[task]":                                           "login  405    405    405    405    405    405    405",
    "GET web:event_action[withdraw]":                                       "login  405    405    405    405    405    405    405",
    "GET web:event_new":                                                    "login  403    403    403    ok     403    403    ok",
    "GET web:my_calendar":                                                  "login  403    ok     403    ok     ok     403    ok",
    "GET web:my_notices":                                                   "login  ok     ok     ok     ok     ok     403    ok",
    "GET web:personal_calendar":                                            "ok     ok     ok     ok     ok     ok     ok     ok",  # anyone holding the revocable token
    "GET web:pledge":                                                       "ok     ok     ok     ok     ok     ok     ok     ok",  # the count for all; who pledged for no one but themselves
    "GET web:pledge_action[acted]":                                         "login  405    405    405    405    405    405    405",
    "GET web:pledge_action[go]":                                            "login  405    405    405    405    405    405    405",
    "GET web:pledge_action[pledge]":                                        "login  405    405    405    405    405    405    405",
    "GET web:pledge_action[vote]":                                          "login  405    405    405    405    405    405    405",
    "GET web:pledge_action[withdraw]":                                      "login  405    405    405    405    405    405    405",
    "GET web:pledge_count":                                                 "ok     ok     ok     ok     ok     ok     ok     ok",
    "GET web:pledge_new":                                                   "login  403    403    403    ok     403    403    ok",
    "GET web:solidarity":                                                   "ok     ok     ok     ok     ok     ok     ok     ok",
    "GET web:solidarity_action[close]":                                     "login  405    405    405    405    405    405    405",
    "GET web:solidarity_action[respond]":                                   "login  405    405    405    405    405    405    405",
    "GET web:struggle":                                                     "ok     ok     ok     ok     ok     ok     ok     ok",
    "GET web:struggle_action[event]":                                       "login  405    405    405    405    405    405    405",
    "GET web:struggle_action[pledge]":                                      "login  405    405    405    405    405    405    405",
    "GET web:struggle_action[solidarity]":                                  "login  405    405    405    405    405    405    405",
    "GET web:struggle_action[task]":                                        "login  405    405    405    405    405    405    405",
    "GET web:struggle_action[update]":                                      "login  405    405    405    405    405    405    405",
    "GET web:struggle_calendar":                                            "ok     ok     ok     ok     ok     ok     ok     ok",
    "GET web:struggle_new":                                                 "login  403    403    403    ok     403    403    ok",
    "GET web:struggles":                                                    "ok     ok     ok     ok     ok     ok     ok     ok",
    "GET web:task_action[done]":                                            "login  405    405    405    405    405    405    405",
    "GET web:task_action[signup]":                                          "login  405    405    405    405    405    405    405",
    "GET web:task_action[withdraw]":                                        "login  405    405    405    405    405    405    405",
    "GET web:task_new":                                                     "login  403    403    403    ok     403    403    ok",
    "POST web:event_action[attendance]":                                    "login  403    403    403    403    403    403    go",
    "POST web:event_action[cancel]":                                        "login  403    403    403    403    403    403    go",
    "POST web:event_action[change]":                                        "login  403    403    403    403    403    403    go",
    "POST web:event_action[remind]":                                        "login  403    403    403    403    403    403    go",
    "POST web:event_action[signup]":                                        "login  403    go     403    go     go     403    go",
    "POST web:event_action[task]":                                          "login  403    403    403    403    403    403    go",
    "POST web:event_action[withdraw]":                                      "login  go     go     go     go     go     go     go",
    "POST web:event_new":                                                   "login  403    403    403    go     403    403    go",
    "POST web:my_calendar":                                                 "login  403    go     403    go     go     403    go",
    "POST web:my_notices":                                                  "login  go     go     go     go     go     403    go",
    "POST web:pledge_action[acted]":                                        "login  go     go     go     go     go     go     go",
    "POST web:pledge_action[go]":                                           "login  403    go     403    go     go     403    go",
    "POST web:pledge_action[pledge]":                                       "login  403    go     403    403    403    403    403",  # members of the pledge's branch (Riverside) only
    "POST web:pledge_action[vote]":                                         "login  403    go     403    go     go     403    go",
    "POST web:pledge_action[withdraw]":                                     "login  go     go     go     go     go     go     go",
    "POST web:pledge_new":                                                  "login  403    403    403    go     403    403    go",
    "POST web:solidarity_action[close]":                                    "login  403    403    403    403    403    403    go",
    "POST web:solidarity_action[respond]":                                  "login  403    403    403    403    403    403    go",
    "POST web:struggle_action[event]":                                      "login  403    403    403    403    403    403    go",
    "POST web:struggle_action[pledge]":                                     "login  403    403    403    403    403    403    go",
    "POST web:struggle_action[solidarity]":                                 "login  403    403    403    403    403    403    go",
    "POST web:struggle_action[task]":                                       "login  403    403    403    403    403    403    go",
    "POST web:struggle_action[update]":                                     "login  403    403    403    403    403    403    go",
    "POST web:struggle_new":                                                "login  403    403    403    go     403    403    go",
    "POST web:task_action[done]":                                           "login  403    403    403    403    403    403    go",
    "POST web:task_action[signup]":                                         "login  403    go     403    go     go     403    go",
    "POST web:task_action[withdraw]":                                       "login  go     go     go     go     go     go     go",
    "POST web:task_new":                                                    "login  403    403    403    go     403    403    go",
    # --- networks and coalitions (pages and calendar feeds)
    "GET web:networks":                                                      "ok     ok     ok     ok     ok     ok     ok     ok",
    "GET web:network":                                                       "ok     ok     ok     ok     ok     ok     ok     ok",  # pledges as counts per organisation: no pledger named
    "GET web:network_calendar":                                              "ok     ok     ok     ok     ok     ok     ok     ok",
    "GET web:coalition":                                                     "ok     ok     ok     ok     ok     ok     ok     ok",
    "GET web:coalition_calendar":                                            "ok     ok     ok     ok     ok     ok     ok     ok",
    "GET web:org_networks":                                                  "ok     ok     ok     ok     ok     ok     ok     ok",  # forms only for a mandate with represent_in_networks
    "GET web:network_new":                                                   "login  403    403    403    403    403    403    ok",
    "GET web:coalition_new":                                                 "login  403    403    403    403    403    403    ok",
    "GET web:network_action[endorse]":                                       "login  405    405    405    405    405    405    405",
    "GET web:network_action[invite]":                                        "login  405    405    405    405    405    405    405",
    "GET web:network_action[join]":                                          "login  405    405    405    405    405    405    405",
    "GET web:network_action[leave]":                                         "login  405    405    405    405    405    405    405",
    "GET web:network_action[pledge]":                                        "login  405    405    405    405    405    405    405",
    "GET web:network_action[share]":                                         "login  405    405    405    405    405    405    405",
    "GET web:network_action[unshare]":                                       "login  405    405    405    405    405    405    405",
    "GET web:network_action[undocument]":                                    "login  405    405    405    405    405    405    405",
    "GET web:network_action[document]":                                      "login  405    405    405    405    405    405    405",
    "GET web:coalition_action[decide]":                                      "login  405    405    405    405    405    405    405",
    "GET web:coalition_action[document]":                                    "login  405    405    405    405    405    405    405",
    "GET web:coalition_action[invite]":                                      "login  405    405    405    405    405    405    405",
    "GET web:coalition_action[pledge]":                                      "login  405    405    405    405    405    405    405",
    "GET web:coalition_action[renew]":                                       "login  405    405    405    405    405    405    405",
    "GET web:coalition_action[share]":                                       "login  405    405    405    405    405    405    405",
    "GET web:coalition_action[unshare]":                                     "login  405    405    405    405    405    405    405",
    "GET web:coalition_action[undocument]":                                  "login  405    405    405    405    405    405    405",
    "GET web:concert_chapter":                                               "login  405    405    405    405    405    405    405",
    "POST web:network_new":                                                  "login  403    403    403    403    403    403    go",
    "POST web:coalition_new":                                                "login  403    403    403    403    403    403    go",
    "POST web:network_action[endorse]":                                      "login  403    403    403    403    403    403    go",
    "POST web:network_action[invite]":                                       "login  403    403    403    403    403    403    go",
    "POST web:network_action[join]":                                         "login  403    403    403    403    403    403    go",
    "POST web:network_action[leave]":                                        "login  403    403    403    403    403    403    go",
    "POST web:network_action[pledge]":                                       "login  403    403    403    403    403    403    go",
    "POST web:network_action[share]":                                        "login  403    403    403    403    403    403    go",
    "POST web:network_action[unshare]":                                      "login  403    403    403    403    403    403    go",
    "POST web:network_action[undocument]":                                   "login  403    403    403    403    403    403    go",
    "POST web:network_action[document]":                                     "login  403    403    403    403    403    403    go",
    "POST web:coalition_action[decide]":                                     "login  403    403    403    403    403    403    go",
    "POST web:coalition_action[document]":                                   "login  403    403    403    403    403    403    go",
    "POST web:coalition_action[invite]":                                     "login  403    403    403    403    403    403    go",
    "POST web:coalition_action[pledge]":                                     "login  403    403    403    403    403    403    go",
    "POST web:coalition_action[renew]":                                      "login  403    403    403    403    403    403    go",
    "POST web:coalition_action[share]":                                      "login  403    403    403    403    403    403    go",
    "POST web:coalition_action[unshare]":                                    "login  403    403    403    403    403    403    go",
    "POST web:coalition_action[undocument]":                                 "login  403    403    403    403    403    403    go",
    "POST web:concert_chapter":                                              "login  403    403    403    403    403    403    go",  # run_struggles
}
# fmt: on

# Acting requests need a body that passes validation, or every role would get the
# same 422 and the matrix would test nothing. "@name" is the world's path parameter.
ORG = "POST $A"
BODIES: dict[str, dict] = {
    f"{ORG}/branches": {"parent": "riverside", "name": "Matrix Street", "level": "local"},
    f"{ORG}/applications": {"name": "Matrix Applicant", "branch": "riverside"},
    f"{ORG}/imports": {"csv": "name,email,branch\nIra Import,ira2@example.org,riverside\n"},
    f"{ORG}/elections": {"office_id": "@office_id"},
    f"{ORG}/constitution/structure": {"structure": [], "summary": "Matrix change"},
    f"{ORG}/elections/{{election_id}}/candidacies": {"member_id": "@member_id"},
    f"{ORG}/elections/{{election_id}}/ballots": {"choice": ["@voting_candidacy_id"]},
    f"{ORG}/recalls": {"term_id": "@term_id", "reason": "Broke the mandate."},
    f"{ORG}/factions/{{faction_slug}}/membership": {"visibility": "public"},
    "PUT $A/factions/{faction_slug}/membership": {"visibility": "public"},
    f"{ORG}/factions/{{faction_slug}}/endorsements": {"candidacy_id": "@candidacy_id"},
    f"{ORG}/debate/posts/{{post_id}}/hide": {"rule": 1, "reason": "Rule one."},  # its number
    f"{ORG}/archive/documents": {"title": "Matrix minutes", "text": "Held."},
    f"{ORG}/education/courses": {"title": "Matrix course", "sessions": [{"title": "One"}]},
    f"{ORG}/education/courses/{{course_id}}/circles": {
        "name": "Matrix circle",
        "place": "Matrix hall",
        "dates": [
            [f"2031-01-0{d}T18:00:00+00:00", f"2031-01-0{d}T20:00:00+00:00"] for d in range(1, 5)
        ],
    },
    f"{ORG}/education/circles/{{circle_id}}/sessions/{{session_id}}/move": {
        "starts_at": "2031-02-01T18:00:00+00:00",
        "ends_at": "2031-02-01T20:00:00+00:00",
    },
    f"{ORG}/education/circles/{{circle_id}}/sessions/{{session_id}}/cancel": {"reason": "Matrix."},
    f"{ORG}/education/circles/{{circle_id}}/attendance": {
        "session_id": "@circle_session_id",
        "member_id": "@member_id",
        "state": "attended",
    },
    f"{ORG}/archive/documents/{{document_id}}/versions": {"title": "Matrix", "text": "Edited."},
    f"{ORG}/archive/documents/{{document_id}}/versions/{{number}}/decision": {
        "publish": True,
        "reason": "Accurate.",
    },
    f"{ORG}/archive/documents/{{document_id}}/links": {"target": "section", "ref": "work"},
    f"{ORG}/archive/decisions/{{decision_id}}/appeal": {"statement": "It belongs."},
    f"{ORG}/archive/appeals/{{appeal_id}}/decide": {"upheld": False, "reason": "It stands."},
    "PUT $A/archive/documents/{document_id}/tags": {"tags": ["matrix"]},
    f"{ORG}/assemblies": {
        "title": "Matrix assembly",
        "kind": "general",
        "starts_at": "2031-01-02T10:00:00+00:00",
        "ends_at": "2031-01-02T18:00:00+00:00",
        "motions_deadline": "2031-01-01T10:00:00+00:00",
        "chair_id": "@member_id",
    },
    f"{ORG}/assemblies/{{pk}}/participants/{{participant_id}}/substitutes": {
        "member": "@member_id"
    },
    f"{ORG}/assemblies/{{pk}}/proxy": {"holder": "@participant_id"},
    f"{ORG}/assemblies/{{pk}}/motions/{{motion_id}}/amendments": {
        "start": 1,
        "end": 1,
        "new_text": "1. Matrix.",
    },
    f"{ORG}/assemblies/{{pk}}/votes": {"motion_id": "@motion_id"},
    f"{ORG}/assemblies/{{pk}}/votes/{{vote_id}}/ballots": {"choice": "yes"},
    f"{ORG}/assemblies/{{pk}}/votes/{{vote_id}}/ranking": {"ranking": ["@motion_id"]},
    f"{ORG}/struggles": {"title": "Matrix struggle", "branch": "riverside"},
    f"{ORG}/struggles/{{struggle_id}}/updates": {"text": "Matrix news."},
    f"{ORG}/pledges": {
        "action": "Matrix act",
        "threshold": 5,
        "deadline": "2031-01-01T10:00:00+00:00",
        "struggle_id": "@struggle_id",
    },
    f"{ORG}/events": {
        "title": "Matrix meeting",
        "starts_at": "2031-01-02T10:00:00+00:00",
        "ends_at": "2031-01-02T12:00:00+00:00",
        "place": "Matrix hall",
        "struggle_id": "@struggle_id",
    },
    f"{ORG}/events/{{event_id}}/change": {"place": "Matrix hall"},
    f"{ORG}/solidarity": {
        "struggle_id": "@struggle_id",
        "kind": "statement",
        "title": "Matrix statement",
        "quantity": 3,
        "deadline": "2031-01-01T10:00:00+00:00",
        "branches": ["kingsport"],
    },
    f"{ORG}/solidarity/{{request_id}}/responses": {"branch": "kingsport", "amount": 2},
    f"{ORG}/pledges/{{pledge_id}}/go": {"go": True},
    f"{ORG}/events/{{event_id}}/attendance": {"member_id": "@member_id", "state": "attended"},
    f"{ORG}/tasks": {"title": "Matrix task", "min_people": 1, "struggle_id": "@struggle_id"},
    f"{ORG}/networks": {
        "name": "Matrix network",
        "slug": "matrix-network",
        "purpose": "Matrix.",
        "decision_rule": "consensus",
        "decision_kind": "mandate",
    },
    f"{ORG}/networks/{{network}}/invitations": {"uri": "@other_uri"},
    f"{ORG}/networks/{{network}}/join": {"decision_kind": "mandate"},
    f"{ORG}/networks/{{network}}/leave": {"decision_kind": "mandate"},
    f"{ORG}/networks/{{network}}/endorsements": {
        "act": "leave",
        "parent": "housing-justice",
        "decision_kind": "mandate",
    },
    f"{ORG}/coalitions": {
        "name": "Matrix coalition",
        "slug": "matrix-coalition",
        "demands": [{"title": "Matrix demand"}],
    },
    f"{ORG}/coalitions/{{coalition}}/invitations": {"uri": "@other_uri"},
    f"{ORG}/coalitions/{{coalition}}/decision": {"state": "withdrawn", "decision_kind": "mandate"},
    f"{ORG}/concert-pledges": {
        "coalition": "rent-freeze",
        "action": "Matrix act",
        "threshold": 50,
        "deadline": "2031-01-01T10:00:00+00:00",
    },
    f"{ORG}/shared": {"coalition": "rent-freeze", "kind": "struggle", "item_id": "@struggle_id"},
    f"{ORG}/shared-documents": {"network": "housing-justice", "document_id": "@document_id"},
    f"{ORG}/shared/withdrawal": {
        "coalition": "rent-freeze",
        "kind": "struggle",
        "item_id": "@struggle_id",
    },
    f"{ORG}/shared-documents/withdrawal": {
        "network": "housing-justice",
        "document_id": "@document_id",
    },
}

# Query strings some reads need (the route's name, as in the schema or the URL resolver).
QUERIES: dict[str, str] = {
    "search": "?q=rent",
    "debate_search": "?q=rent",
    "archive": "?q=rent",
    "archive_search": "?q=rent",
    "archive_compare": "?old=1&new=2",
    "archive_referenced_by": "?target=section&ref=housing",
    "member_search": "?pool=good&field=member&member_q=a",
    "participant_search": "?among=seated&field=participants&participants_q=a&several=1",
    "programme_diff": "?against=1",
}

# Pages under allauth and the Django admin, summarised: one line each for the group.
OUTSIDE: dict[str, str] = {
    "GET allauth:login": "/accounts/login/",
    "GET allauth:email": "/accounts/email/",
    "GET admin:index": "/server-admin/",  # a redirect to the admin's own login: no one here is staff
    "GET ops:healthz": "/healthz",
    "GET ops:metrics": "/metrics",
    "GET federation:server-actor": "/federation/actor",
    "GET federation:actor": "/federation/actors/00000000-0000-4000-8000-000000000000",
    "GET federation:identity": "/id/network/00000000-0000-4000-8000-000000000000",
    "POST federation:inbox": "/federation/inbox",
    "POST federation:link-requests": "/federation/link-requests",
    "GET federation:object": "/federation/objects/00000000-0000-4000-8000-000000000000",
    "GET federation:audit-entry": "/federation/audit/test-union/entries/1",
    "GET federation:witnessed": "/federation/witnessed/test-union",
    "GET federation:peers": "/federation/peers",
    "POST federation:peers": "/federation/peers",
}

# Roles that may see contacts (a mandate with view_member_contacts reaching someone).
SEE_CONTACTS = {"officer", "elsewhere"}
# Roles that are not members in good standing of the demo organisation.
NOT_MEMBERS = {"anonymous", "applicant", "suspended", "outsider"}
# Routes that name ordinary members to anyone, by design (and why).
NAMES_PUBLIC: dict[str, str] = {}

# Routes the matrix lists but does not request (and why); their cells are "-".
NOT_REQUESTED: dict[str, str] = {
    "web:assembly_events": (
        "an endless event stream served by its own ASGI application (assemblies.live); "
        "it says only that something changed, and the panel is then fetched (assembly_live)"
    ),
}

# Pages that also take a POST (the others are read with GET only).
WEB_POST: set[str] = {
    "attendance",
    "chair_action[open-session]",
    "chair_action[resume-session]",
    "chair_action[suspend-session]",
    "found",
    "invitations",
    "add_agenda_item",
    "appeal",
    "branch",
    "call_election",
    "cancel_election",
    "candidacy[accept]",
    "candidacy[second]",
    "candidacy[withdraw]",
    "cast",
    "certify",
    "chair_action[close-vote]",
    "chair_action[close]",
    "chair_action[current-item]",
    "chair_action[congress-elections]",
    "chair_action[delegate-elections]",
    "chair_action[next-speaker]",
    "chair_action[open-ranking]",
    "chair_action[seat]",
    "change_standing[lapse]",
    "change_standing[reinstate]",
    "change_standing[renew]",
    "change_standing[suspend]",
    "comment_report",
    "constitution_structure_body",
    "constitution_structure_office",
    "constitution_structure_remove",
    "constitution_structure_to_members",
    "convene",
    "archive_appeal",
    "archive_appeal_decide",
    "archive_decide",
    "archive_edit",
    "archive_link",
    "archive_propose",
    "circle_attendance",
    "circle_excuse",
    "circle_facilitate",
    "circle_join",
    "circle_open",
    "circle_session_cancel",
    "circle_session_move",
    "education_course_new",
    "archive_restore",
    "archive_tags",
    "debate_appeal",
    "debate_appeals",
    "debate_follow",
    "debate_hide",
    "debate_reply",
    "debate_restore",
    "decide_application[admit]",
    "decide_application[refuse]",
    "erase",
    "faction_action[dissolve]",
    "faction_action[endorse]",
    "faction_action[join]",
    "faction_action[leave]",
    "faction_action[platform]",
    "faction_action[sign]",
    "faction_action[statement]",
    "faction_action[visibility]",
    "import",
    "join",
    "language",
    "nominate",
    "notifications",
    "open_recall",
    "open_thread",
    "open_vote",
    "propose_faction",
    "proxy",
    "publish_report",
    "recall_reply",
    "recall_sign[sign]",
    "recall_sign[withdraw]",
    "resign",
    "speak",
    "substitute",
    "table_amendment",
    "table_motion",
    "tokens",
    "transfer",
    "vote",
    "my_calendar",
    "my_notices",
    "struggle_new",
    "struggle_action[update]",
    "struggle_action[pledge]",
    "struggle_action[event]",
    "struggle_action[solidarity]",
    "struggle_action[task]",
    "pledge_new",
    "event_new",
    "task_new",
    "task_action[signup]",
    "task_action[withdraw]",
    "task_action[done]",
    "pledge_action[go]",
    "pledge_action[vote]",
    "event_action[task]",
    "pledge_action[pledge]",
    "pledge_action[withdraw]",
    "pledge_action[acted]",
    "event_action[signup]",
    "event_action[withdraw]",
    "event_action[change]",
    "event_action[cancel]",
    "event_action[remind]",
    "event_action[attendance]",
    "solidarity_action[respond]",
    "solidarity_action[close]",
    "network_new",
    "coalition_new",
    "network_action[endorse]",
    "network_action[invite]",
    "network_action[join]",
    "network_action[leave]",
    "network_action[pledge]",
    "network_action[share]",
    "network_action[document]",
    "network_action[unshare]",
    "network_action[undocument]",
    "coalition_action[invite]",
    "coalition_action[decide]",
    "coalition_action[renew]",
    "coalition_action[pledge]",
    "coalition_action[share]",
    "coalition_action[document]",
    "coalition_action[unshare]",
    "coalition_action[undocument]",
    "concert_chapter",
}


def web_methods(label: str) -> tuple[str, ...]:
    import os

    if os.environ.get("MATRIX_RECORD"):
        return ("GET", "POST")
    return ("GET", "POST") if label in WEB_POST else ("GET",)


def expectations() -> dict[str, dict[str, str]]:
    from tribune.web.tests.matrix_world import ROLES

    table = {}
    for key, cells in EXPECT.items():
        values = cells.split()
        assert len(values) == len(ROLES), f"{key}: {len(values)} cells for {len(ROLES)} roles"
        table[key] = dict(zip(ROLES, values, strict=True))
    return table


def matches(want: str, got: str) -> bool:
    return got in want.split("|")
