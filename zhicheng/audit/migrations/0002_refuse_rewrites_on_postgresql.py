"""On PostgreSQL the database itself refuses to rewrite the audit log.

- audit_auditentry: every UPDATE and DELETE raises, whoever runs it (a superuser or the owner must
  first disable the trigger, which only the table's owner can do, and the signed checkpoints still
  show the rewrite); TRUNCATE raises unless the current user is a member of the table's owner role,
  so that the migration role can still flush test databases (Django's flush uses TRUNCATE).
- audit_audithead: every append moves it forward by exactly one entry, so an UPDATE must do that and
  name an entry that exists with that hash; DELETE raises; TRUNCATE as above.

SQLite has no roles: whoever can write its file can do anything, and only the checkpoints help there.
"""

from django.db import migrations

INSTALL = r"""
CREATE OR REPLACE FUNCTION zhicheng_audit_refuse_change() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION '审计日志只能追加，不能修改或删除（%，表 %）。', TG_OP, TG_TABLE_NAME
        USING ERRCODE = 'insufficient_privilege';
END;
$$;

CREATE OR REPLACE FUNCTION zhicheng_audit_refuse_truncate() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF pg_has_role(current_user, (SELECT relowner FROM pg_class WHERE oid = TG_RELID), 'MEMBER') THEN
        RETURN NULL;
    END IF;
    RAISE EXCEPTION '审计日志不能清空（表 %）：只有表的所有者角色可以这样做。', TG_TABLE_NAME
        USING ERRCODE = 'insufficient_privilege';
END;
$$;

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

CREATE TRIGGER zhicheng_audit_entry_append_only BEFORE UPDATE OR DELETE ON audit_auditentry
    FOR EACH ROW EXECUTE FUNCTION zhicheng_audit_refuse_change();
CREATE TRIGGER zhicheng_audit_entry_no_truncate BEFORE TRUNCATE ON audit_auditentry
    FOR EACH STATEMENT EXECUTE FUNCTION zhicheng_audit_refuse_truncate();
CREATE TRIGGER zhicheng_audit_head_forward_only BEFORE UPDATE ON audit_audithead
    FOR EACH ROW EXECUTE FUNCTION zhicheng_audit_head_forward();
CREATE TRIGGER zhicheng_audit_head_no_delete BEFORE DELETE ON audit_audithead
    FOR EACH ROW EXECUTE FUNCTION zhicheng_audit_refuse_change();
CREATE TRIGGER zhicheng_audit_head_no_truncate BEFORE TRUNCATE ON audit_audithead
    FOR EACH STATEMENT EXECUTE FUNCTION zhicheng_audit_refuse_truncate();
"""

REMOVE = r"""
DROP TRIGGER IF EXISTS zhicheng_audit_entry_append_only ON audit_auditentry;
DROP TRIGGER IF EXISTS zhicheng_audit_entry_no_truncate ON audit_auditentry;
DROP TRIGGER IF EXISTS zhicheng_audit_head_forward_only ON audit_audithead;
DROP TRIGGER IF EXISTS zhicheng_audit_head_no_delete ON audit_audithead;
DROP TRIGGER IF EXISTS zhicheng_audit_head_no_truncate ON audit_audithead;
DROP FUNCTION IF EXISTS zhicheng_audit_refuse_change();
DROP FUNCTION IF EXISTS zhicheng_audit_refuse_truncate();
DROP FUNCTION IF EXISTS zhicheng_audit_head_forward();
"""


def _on_postgresql(sql):
    def run(apps, schema_editor):
        if schema_editor.connection.vendor == "postgresql":
            schema_editor.execute(sql, params=None)  # no parameters: the % of RAISE stays as written
    return run


class Migration(migrations.Migration):

    dependencies = [
        ("audit", "0001_initial"),
    ]

    operations = [
        migrations.RunPython(_on_postgresql(INSTALL), _on_postgresql(REMOVE)),
    ]
