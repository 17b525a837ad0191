"""On PostgreSQL the audit head may move forward by a batch of appended entries, not only by one.

A step over many declarations appends their entries in one INSERT and moves the head once. The
trigger still refuses any move that is not forward over entries that exist: every entry between
the old and the new head must be there, the first of them must link to the old head's hash, and
the new head must name the last of them with its hash.
"""

from django.db import migrations

FORWARD_BY_A_BATCH = r"""
CREATE OR REPLACE FUNCTION zhicheng_audit_head_forward() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF NEW.id <> OLD.id OR NEW.last_seq <= OLD.last_seq
       OR NOT EXISTS (SELECT 1 FROM audit_auditentry WHERE seq = NEW.last_seq AND entry_hash = NEW.last_hash)
       OR NOT EXISTS (SELECT 1 FROM audit_auditentry WHERE seq = OLD.last_seq + 1 AND prev_hash = OLD.last_hash)
       OR (SELECT count(*) FROM audit_auditentry WHERE seq > OLD.last_seq AND seq <= NEW.last_seq) <> NEW.last_seq - OLD.last_seq
    THEN
        RAISE EXCEPTION '审计日志链尾只能随追加的记录前进（从第 % 条到第 % 条被拒绝）。', OLD.last_seq, NEW.last_seq
            USING ERRCODE = 'insufficient_privilege';
    END IF;
    RETURN NEW;
END;
$$;
"""

FORWARD_BY_ONE = r"""
CREATE OR REPLACE FUNCTION zhicheng_audit_head_forward() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF NEW.id <> OLD.id OR NEW.last_seq <> OLD.last_seq + 1 OR NOT EXISTS (
        SELECT 1 FROM audit_auditentry WHERE seq = NEW.last_seq AND entry_hash = NEW.last_hash
    ) THEN
        RAISE EXCEPTION '审计日志链尾只能随追加的记录前进一条（从第 % 条到第 % 条被拒绝）。', OLD.last_seq, NEW.last_seq
            USING ERRCODE = 'insufficient_privilege';
    END IF;
    RETURN NEW;
END;
$$;
"""


def _on_postgresql(sql):
    def run(apps, schema_editor):
        if schema_editor.connection.vendor == "postgresql":
            schema_editor.execute(sql, params=None)  # no parameters: the % of RAISE stays as written
    return run


class Migration(migrations.Migration):

    dependencies = [
        ("audit", "0002_refuse_rewrites_on_postgresql"),
    ]

    operations = [
        migrations.RunPython(_on_postgresql(FORWARD_BY_A_BATCH), _on_postgresql(FORWARD_BY_ONE)),
    ]
