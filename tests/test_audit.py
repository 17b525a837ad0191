"""The hash-chained audit log: append-only, and any edit in the database is found."""

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection

from zhicheng.audit.models import AuditEntry
from zhicheng.audit.services import record, verify_chain
from zhicheng.demo import applicants as P

from .cycle_helpers import advance


def as_dba(sql: str, params=()) -> None:
    """Edit the table as its owner would, past PostgreSQL's append-only triggers (the chain still finds it)."""
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("ALTER TABLE audit_auditentry DISABLE TRIGGER USER")
        cursor.execute(sql, params)
        if connection.vendor == "postgresql":
            cursor.execute("ALTER TABLE audit_auditentry ENABLE TRIGGER USER")


@pytest.fixture
def chain(db, make_applicant):
    advance(make_applicant(P.regular_engineer()), "roster_publicity")
    assert AuditEntry.objects.count() >= 10
    return list(AuditEntry.objects.order_by("seq"))


def test_chain_verifies(chain, capsys):
    assert verify_chain().ok
    call_command("audit", "verify")
    assert "校验通过" in capsys.readouterr().out


def test_entries_cannot_be_changed_or_deleted_through_the_application(chain):
    entry = chain[3]
    entry.summary = "改过"
    with pytest.raises(PermissionError):
        entry.save()
    with pytest.raises(PermissionError):
        entry.delete()


@pytest.mark.parametrize("column, value", [("summary", "'被改写的摘要'"), ("actor_name", "'someone-else'"), ("ip", "'10.0.0.9'")])
def test_a_row_edited_in_the_database_is_named(chain, column, value):
    target = chain[len(chain) // 2]
    as_dba(f"UPDATE audit_auditentry SET {column} = {value} WHERE seq = %s", [target.seq])
    result = verify_chain()
    assert not result.ok and result.first_broken_seq == target.seq
    with pytest.raises(CommandError, match=f"第 {target.seq} 条"):
        call_command("audit", "verify")


def test_a_json_payload_edited_in_the_database_is_named(chain):
    target = next(e for e in chain if e.after)
    as_dba("UPDATE audit_auditentry SET after = %s WHERE seq = %s", ['{"state": "certified"}', target.seq])
    result = verify_chain()
    assert not result.ok and result.first_broken_seq == target.seq


def test_a_deleted_row_is_found(chain):
    target = chain[5]
    as_dba("DELETE FROM audit_auditentry WHERE seq = %s", [target.seq])
    result = verify_chain()
    assert not result.ok and result.first_broken_seq == target.seq


def test_a_truncated_tail_is_found(chain):
    as_dba("DELETE FROM audit_auditentry WHERE seq = %s", [chain[-1].seq])
    assert not verify_chain().ok


def test_entries_roll_back_with_their_change(db):
    from django.db import transaction

    before = AuditEntry.objects.count()
    with pytest.raises(RuntimeError):
        with transaction.atomic():
            record("test.action", object_type="x", object_id="1")
            raise RuntimeError
    assert AuditEntry.objects.count() == before
    assert verify_chain().ok


def test_back_office_changes_and_logins_are_audited(client, db):
    from zhicheng.accounts.models import User
    from zhicheng.orgs.models import Organisation, OrgKind

    admin_user = User.objects.create_superuser("root-test", "r@x.cn", "pw-for-tests-only", role="regional_hr_department",
                                               organisation=Organisation.objects.get(kind=OrgKind.REGIONAL_HR_DEPARTMENT))
    assert client.login(username="root-test", password="pw-for-tests-only")
    assert AuditEntry.objects.filter(action="auth.login", actor_id=admin_user.pk).exists()
    unit = Organisation.objects.filter(kind=OrgKind.UNIT).first()
    url = f"/admin/orgs/organisation/{unit.pk}/change/"
    form = client.get(url).context["adminform"].form
    data = {k: ("" if v is None else v) for k, v in form.initial.items() if not isinstance(v, (list, tuple))}
    data.update({"phone": "0471-1234567", "area": unit.area_id, "competent_department": unit.competent_department_id or ""})
    data = {k: v for k, v in data.items() if v is not False}
    response = client.post(url, data)
    assert response.status_code == 302, response.content.decode()[:2000]
    entry = AuditEntry.objects.filter(action="admin.change", object_id=str(unit.pk)).get()
    assert entry.after["phone"] == "0471-1234567" and entry.before["phone"] != "0471-1234567"
    assert verify_chain().ok
