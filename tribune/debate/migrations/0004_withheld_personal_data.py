"""Rules that remove personal data, and posts withheld under them.

* ``DebateRule.removes_personal_data``: set on each organisation's default
  rule 2 ("no publication of anyone's personal data"), so posts already hidden
  under it become withheld (readable by their author and the appeal body only).
* ``Post.withheld``: set for posts whose current hiding cites such a rule.
* The search index holds no hidden post's text: search never returns hidden
  posts, so an index of their words is only a copy of what moderation took
  out of view (SQLite: the FTS5 triggers blank it; PostgreSQL: the GIN index
  becomes partial, ``WHERE NOT hidden``).
"""

from django.db import migrations, models

DEFAULT_RULE_2 = "No threats, and no publication of anyone's personal data."

# Adding a column with a default makes Django rebuild debate_post on SQLite,
# which drops its triggers and trips over the one on debate_thread that names
# it: all four are dropped first and created again (the new way) afterwards.
TRIGGERS = [
    "debate_post_fts_insert",
    "debate_post_fts_update",
    "debate_post_fts_delete",
    "debate_thread_fts_title",
]
DROP_TRIGGERS = [f"DROP TRIGGER IF EXISTS {name}" for name in TRIGGERS]
OLD_TRIGGERS = [
    """CREATE TRIGGER debate_post_fts_insert AFTER INSERT ON debate_post BEGIN
         INSERT INTO debate_post_fts(rowid, text, title)
         VALUES (new.id, new.text, (SELECT title FROM debate_thread WHERE id = new.thread_id));
       END""",
    """CREATE TRIGGER debate_post_fts_update AFTER UPDATE OF text ON debate_post BEGIN
         UPDATE debate_post_fts SET text = new.text WHERE rowid = new.id;
       END""",
]
COMMON_TRIGGERS = [
    """CREATE TRIGGER debate_post_fts_delete AFTER DELETE ON debate_post BEGIN
         DELETE FROM debate_post_fts WHERE rowid = old.id;
       END""",
    """CREATE TRIGGER debate_thread_fts_title AFTER UPDATE OF title ON debate_thread BEGIN
         UPDATE debate_post_fts SET title = new.title
         WHERE rowid IN (SELECT id FROM debate_post WHERE thread_id = new.id);
       END""",
]
NEW_TRIGGERS = [
    """CREATE TRIGGER debate_post_fts_insert AFTER INSERT ON debate_post BEGIN
         INSERT INTO debate_post_fts(rowid, text, title)
         VALUES (new.id, CASE WHEN new.hidden THEN '' ELSE new.text END,
                 (SELECT title FROM debate_thread WHERE id = new.thread_id));
       END""",
    """CREATE TRIGGER debate_post_fts_update AFTER UPDATE OF text, hidden ON debate_post BEGIN
         UPDATE debate_post_fts SET text = CASE WHEN new.hidden THEN '' ELSE new.text END
         WHERE rowid = new.id;
       END""",
]
SQLITE = [
    *NEW_TRIGGERS,
    *COMMON_TRIGGERS,
    "UPDATE debate_post_fts SET text = '' WHERE rowid IN (SELECT id FROM debate_post WHERE hidden)",
]
SQLITE_REVERSE = [
    *DROP_TRIGGERS,
    """UPDATE debate_post_fts
       SET text = (SELECT p.text FROM debate_post p WHERE p.id = debate_post_fts.rowid)""",
]
POSTGRES = [
    "DROP INDEX IF EXISTS debate_post_search",
    "CREATE INDEX debate_post_search ON debate_post USING gin (to_tsvector('simple', text))"
    " WHERE NOT hidden",
]
POSTGRES_REVERSE = [
    "DROP INDEX IF EXISTS debate_post_search",
    "CREATE INDEX debate_post_search ON debate_post USING gin (to_tsvector('simple', text))",
]


def _run(statements_by_vendor):
    def run(apps, schema_editor):
        for sql in statements_by_vendor.get(schema_editor.connection.vendor, []):
            schema_editor.execute(sql)

    return run


def withhold(apps, schema_editor):
    DebateRule = apps.get_model("debate", "DebateRule")
    Post = apps.get_model("debate", "Post")
    ModerationAction = apps.get_model("debate", "ModerationAction")
    DebateRule.objects.filter(number=2, text=DEFAULT_RULE_2).update(removes_personal_data=True)
    for post in Post.objects.filter(hidden=True):
        last = (
            ModerationAction.objects.filter(post=post, action="hide")
            .select_related("rule")
            .order_by("at", "pk")
            .last()
        )
        if last is not None and last.rule is not None and last.rule.removes_personal_data:
            Post.objects.filter(pk=post.pk).update(withheld=True)


class Migration(migrations.Migration):
    dependencies = [("debate", "0003_post_author_recent")]

    operations = [
        migrations.RunPython(
            _run({"sqlite": DROP_TRIGGERS}),
            _run({"sqlite": OLD_TRIGGERS + COMMON_TRIGGERS}),
        ),
        migrations.AddField(
            model_name="debaterule",
            name="removes_personal_data",
            field=models.BooleanField(
                default=False,
                help_text=(
                    "A post hidden under this rule is withheld: only its author and the appeal "
                    "body can read it, so personal data published in it leaves members' view."
                ),
                verbose_name="removes personal data",
            ),
        ),
        migrations.AddField(
            model_name="post",
            name="withheld",
            field=models.BooleanField(default=False),
        ),
        migrations.RunPython(withhold, migrations.RunPython.noop),
        migrations.RunPython(
            _run({"sqlite": SQLITE, "postgresql": POSTGRES}),
            _run({"sqlite": SQLITE_REVERSE, "postgresql": POSTGRES_REVERSE}),
        ),
    ]
