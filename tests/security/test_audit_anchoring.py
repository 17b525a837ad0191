"""The audit chain anchored outside the database (issue 12, finding 1).

Each forgery is made the way the database's own operator would make it: rows changed with raw SQL
(past the ORM's refusal; on PostgreSQL after disabling the triggers as the table's owner), every
later hash recomputed with the project's own compute_hash and the head fixed, so the chain alone
verifies. Only the signed checkpoints in the file outside the database can tell."""

from __future__ import annotations

import base64
import json
import re
import stat
from pathlib import Path

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import DatabaseError, connection, transaction
from django.urls import reverse

from zhicheng.audit import checkpoints, conf
from zhicheng.audit.daily import daily_checkpoint
from zhicheng.audit.models import AuditEntry, AuditHead
from zhicheng.audit.services import compute_hash, record, verify_chain
from zhicheng.core.canonical import canonical_json

ROOT = Path(__file__).resolve().parents[2]
EVERY = 100
on_postgresql = pytest.mark.skipif("connection.vendor != 'postgresql'", reason="roles and triggers are PostgreSQL's; SQLite has neither")


@pytest.fixture
def audit_files(tmp_path, monkeypatch):
    monkeypatch.setenv("ZHICHENG_AUDIT_KEY_FILE", str(tmp_path / "signing" / "audit.pem"))
    monkeypatch.setenv("ZHICHENG_AUDIT_CHECKPOINT_FILE", str(tmp_path / "audit" / "checkpoints.jsonl"))
    monkeypatch.setenv("ZHICHENG_AUDIT_CHECKPOINT_EVERY", str(EVERY))
    return tmp_path


def append(n: int, django_capture_on_commit_callbacks) -> None:
    """n entries by record(), each block committed as the application commits it (so the checkpoint hook runs)."""
    while n > 0:
        block = min(n, EVERY)
        with django_capture_on_commit_callbacks(execute=True):
            for _ in range(block):
                record("test.action", object_type="test", object_id="1", summary="原始记录")
        n -= block


@pytest.fixture
def anchored(db, audit_files, django_capture_on_commit_callbacks):
    """600 entries or more, checkpointed every 100, the latest checkpoint at the head."""
    start = AuditHead.objects.get_or_create(pk=1)[0].last_seq
    append(600 + (-(start + 600)) % EVERY, django_capture_on_commit_callbacks)
    head = AuditHead.objects.get(pk=1)
    assert head.last_seq % EVERY == 0
    assert [cp.seq for cp in checkpoints.read_checkpoints()][-6:] == [head.last_seq - EVERY * k for k in range(5, -1, -1)]
    result = verify_chain()
    assert result.ok and result.anchored_seq == head.last_seq and result.unanchored == 0
    return head.last_seq


# ---- acting as the database's operator ------------------------------------------------------

def as_dba(*sql_and_params):
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("ALTER TABLE audit_auditentry DISABLE TRIGGER USER; ALTER TABLE audit_audithead DISABLE TRIGGER USER")
        for sql, params in sql_and_params:
            cursor.execute(sql, params)
        if connection.vendor == "postgresql":
            cursor.execute("ALTER TABLE audit_auditentry ENABLE TRIGGER USER; ALTER TABLE audit_audithead ENABLE TRIGGER USER")


def rehash_from(seq: int) -> None:
    """Recompute every hash from ``seq`` on with the project's own function and fix the head, as a forger would."""
    statements = []
    previous = AuditEntry.objects.filter(seq=seq - 1).values_list("entry_hash", flat=True).first() or "0" * 64
    for row in AuditEntry.objects.filter(seq__gte=seq).order_by("seq").values():
        row["prev_hash"] = previous
        previous = compute_hash(row)
        statements.append(("UPDATE audit_auditentry SET prev_hash = %s, entry_hash = %s WHERE seq = %s", [row["prev_hash"], previous, row["seq"]]))
    last = AuditEntry.objects.order_by("-seq").values_list("seq", flat=True).first() or 0
    statements.append(("UPDATE audit_audithead SET last_seq = %s, last_hash = %s", [last, previous if last else "0" * 64]))
    as_dba(*statements)


def insert_forged(seq: int, summary: str) -> None:
    previous = AuditEntry.objects.filter(seq=seq - 1).values_list("entry_hash", flat=True).get()
    model = AuditEntry.objects.filter(seq=seq - 1).values().get()
    model.update(seq=seq, summary=summary, prev_hash=previous)
    model["entry_hash"] = compute_hash(model)
    as_dba((
        "INSERT INTO audit_auditentry (seq, at, actor_id, actor_name, actor_role, ip, action, object_type, object_id, summary, "
        "before, after, prev_hash, entry_hash) VALUES (%s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s)",
        [seq, model["at"], model["actor_id"], model["actor_name"], model["actor_role"], model["ip"], model["action"],
         model["object_type"], model["object_id"], summary, None, None, previous, model["entry_hash"]],
    ))


def verify_fails() -> str:
    with pytest.raises(CommandError) as failure:
        call_command("audit", "verify")
    return str(failure.value)


# ---- forgeries the chain alone no longer hides ----------------------------------------------

def test_a_rewritten_entry_with_every_hash_recomputed_is_named_by_the_checkpoint_after_it(anchored):
    target = anchored - 100  # "entry 500 of 600" when the chain starts empty
    as_dba(("UPDATE audit_auditentry SET summary = %s WHERE seq = %s", ["被改写的决定", target]))
    rehash_from(target)
    assert verify_chain().checked == anchored, "the chain alone verifies: every hash was recomputed"
    result = verify_chain()
    assert not result.ok and result.first_broken_seq == target - 99
    message = verify_fails()
    assert f"第 {target} 条的哈希与检查点" in message and f"第 {target - 99} 条至第 {target} 条之间" in message
    with pytest.raises(checkpoints.CheckpointError, match="拒绝签署"):
        checkpoints.take_checkpoint()  # the signer does not anchor the forgery either


def test_an_entry_forged_after_the_latest_checkpoint_is_only_reported_as_unanchored(anchored, capsys):
    """Honest about the window: until the next checkpoint, an appended forgery verifies. It is counted,
    never called anchored, and the next checkpoint (daily at the latest) would anchor it."""
    insert_forged(anchored + 1, "伪造的追加记录")
    rehash_from(anchored + 1)
    result = verify_chain()
    assert result.ok and result.anchored_seq == anchored and result.unanchored == 1
    call_command("audit", "verify")
    assert f"第 {anchored + 1} 条起的 1 条尚未被检查点锚定" in capsys.readouterr().out


def test_an_entry_forged_before_the_latest_checkpoint_is_found(anchored):
    seq = anchored - 150
    # Make room: every later entry moves one place up (from the top, for the unique seq).
    moves = [("UPDATE audit_auditentry SET seq = %s WHERE seq = %s", [s + 1, s]) for s in range(anchored, seq - 1, -1)]
    as_dba(*moves)
    insert_forged(seq, "伪造的插入记录")
    rehash_from(seq)
    result = verify_chain()
    assert not result.ok and f"第 {anchored - 100} 条的哈希与检查点" in result.reason


def test_cutting_the_tail_below_the_latest_checkpoint_is_reported(anchored):
    keep = anchored - 50
    as_dba(("DELETE FROM audit_auditentry WHERE seq > %s", [keep]))
    rehash_from(keep)  # only fixes the head: the chain up to `keep` is intact
    result = verify_chain()
    assert not result.ok and result.first_broken_seq == keep + 1
    assert f"第 {keep + 1} 条至第 {anchored} 条缺失" in verify_fails()


def test_emptying_both_tables_is_reported(anchored):
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:  # the owner may TRUNCATE (Django's flush needs it); the checkpoints remain
            cursor.execute("TRUNCATE audit_auditentry, audit_audithead")
    else:
        as_dba(("DELETE FROM audit_auditentry", []), ("DELETE FROM audit_audithead", []))
    assert AuditEntry.objects.count() == 0
    message = verify_fails()
    assert f"第 1 条至第 {anchored} 条缺失" in message and "清空" in message


def _rewrite_last_line(change) -> None:
    path = conf.checkpoint_file()
    lines = path.read_text().splitlines()
    lines[-1] = json.dumps(change(json.loads(lines[-1])))
    path.write_text("\n".join(lines) + "\n")


def test_a_checkpoint_changed_and_signed_with_another_key_is_reported(anchored):
    other = Ed25519PrivateKey.generate()

    def forge(line):
        line["entry_hash"] = "f" * 64
        payload = {name: line[name] for name in checkpoints.PAYLOAD_FIELDS}
        line["signature"] = base64.b64encode(other.sign(canonical_json(payload))).decode()  # key_id kept: only the signature lies
        return line

    _rewrite_last_line(forge)
    lines = len(conf.checkpoint_file().read_text().splitlines())
    assert f"检查点文件第 {lines} 行（第 {anchored} 条）签名无效" in verify_fails()


def test_an_unsigned_or_removed_checkpoint_line_is_reported(anchored):
    path = conf.checkpoint_file()
    lines = path.read_text().splitlines()
    path.write_text("\n".join([*lines[:-3], *lines[-2:], '{"seq": 1}']) + "\n")  # one checkpoint removed, one line unsigned
    message = verify_fails()
    assert f"检查点文件第 {len(lines) - 2} 行与上一个检查点不衔接" in message
    assert f"检查点文件第 {len(lines)} 行格式不对" in message


def test_a_missing_checkpoint_file_is_a_warning(anchored, capsys):
    conf.checkpoint_file().unlink()
    call_command("audit", "verify")  # a warning, not a failure: a new installation has no file yet
    warned = capsys.readouterr().err
    assert "警告" in warned and "不存在" in warned and "zhicheng audit checkpoint" in warned
    result = verify_chain()
    assert result.ok and result.checkpoints == 0 and "不存在" in result.warnings[0]


# ---- signing --------------------------------------------------------------------------------

def test_a_checkpoint_follows_every_n_entries_and_the_daily_run(db, audit_files, monkeypatch, django_capture_on_commit_callbacks):
    monkeypatch.setenv("ZHICHENG_AUDIT_CHECKPOINT_EVERY", "5")
    start = AuditHead.objects.get_or_create(pk=1)[0].last_seq
    with django_capture_on_commit_callbacks(execute=True):
        for _ in range(5 - start % 5):
            record("test.action", object_type="test", object_id="1")
    [checkpoint] = checkpoints.read_checkpoints()
    head = AuditHead.objects.get(pk=1)
    assert checkpoint.seq == head.last_seq and checkpoint.entry_hash == head.last_hash and checkpoint.payload["prev"] == "0" * 64
    record("test.action", object_type="test", object_id="2")  # not a multiple of 5: no checkpoint
    assert len(checkpoints.read_checkpoints()) == 1
    assert daily_checkpoint.call(day="2021-09-15") == {"seq": head.last_seq + 1}
    assert daily_checkpoint.call(day="2021-09-16") == {"seq": None}, "nothing new since: no line"
    second = checkpoints.read_checkpoints()[-1]
    assert second.payload["prev"] == checkpoint.hash
    assert stat.S_IMODE(conf.checkpoint_file().stat().st_mode) == 0o600
    assert stat.S_IMODE(conf.checkpoint_file().parent.stat().st_mode) == 0o700
    assert stat.S_IMODE(conf.key_file().stat().st_mode) == 0o600


def test_the_checkpoint_key_is_not_the_certificate_key(db, audit_files, capsys):
    from zhicheng.certificates import signing

    call_command("audit", "checkpoints", "--public-key")
    pem = capsys.readouterr().out
    assert pem.startswith("-----BEGIN PUBLIC KEY-----") and pem == checkpoints.public_key_pem()
    assert pem != signing.public_pem(signing.current_key().public)


# ---- the ORM refuses bulk changes -----------------------------------------------------------

def test_bulk_update_and_delete_are_refused(db):
    entry = record("test.action", object_type="test", object_id="1", summary="原始记录")
    rows = AuditEntry.objects.filter(pk=entry.pk)
    with pytest.raises(PermissionError, match="只能追加"):
        rows.update(summary="改写")
    with pytest.raises(PermissionError, match="只能追加"):
        rows.delete()
    with pytest.raises(PermissionError, match="只能追加"):
        AuditEntry.objects.bulk_update([entry], ["summary"])
    assert AuditEntry.objects.get(pk=entry.pk).summary == "原始记录"


# ---- the public page ------------------------------------------------------------------------

def test_the_checkpoints_are_public(client, anchored):
    page = client.get(reverse("audit_checkpoints"))
    body = page.content.decode()
    last = checkpoints.read_checkpoints()[-1]
    assert page.status_code == 200 and f"<td>{anchored}</td>" in body and last.entry_hash in body and last.signature in body
    assert "BEGIN PUBLIC KEY" in body
    download = client.get(reverse("audit_checkpoints"), {"format": "jsonl"}).content.decode()
    assert download == conf.checkpoint_file().read_text()
    assert client.get(reverse("audit_checkpoints"), {"format": "pem"}).content.decode() == checkpoints.public_key_pem()


# ---- PostgreSQL refuses the change itself ---------------------------------------------------

def _grants_for(role: str) -> list[str]:
    text = (ROOT / "deploy" / "postgresql-grants.sql").read_text()
    body = "\n".join(line for line in text.splitlines() if not line.startswith("--"))
    return [s.strip().replace("zhicheng_app", role) for s in body.split(";") if s.strip()]


def _refused(sql: str, params=()) -> str:
    with pytest.raises(DatabaseError) as refusal:
        with transaction.atomic(), connection.cursor() as cursor:
            cursor.execute(sql, params)
    return str(refusal.value)


@on_postgresql
@pytest.mark.django_db
def test_the_documented_application_role_can_only_append(audit_files):
    entry = record("test.action", object_type="test", object_id="1")
    role = f"zhicheng_app_test_{connection.settings_dict['NAME']}"[:63]
    with connection.cursor() as cursor:  # CREATE ROLE is transactional: the test's rollback drops it
        cursor.execute(f'CREATE ROLE "{role}" NOLOGIN NOSUPERUSER')
        for statement in _grants_for(f'"{role}"'):
            cursor.execute(statement)
        cursor.execute(f'SET LOCAL ROLE "{role}"')
    try:
        for sql in ("UPDATE audit_auditentry SET summary = 'x' WHERE seq = %s", "DELETE FROM audit_auditentry WHERE seq = %s"):
            assert "permission denied" in _refused(sql, [entry.seq])
        assert "permission denied" in _refused("TRUNCATE audit_auditentry")
        assert "permission denied" in _refused("DELETE FROM audit_audithead")
        assert "只能随追加的记录前进" in _refused("UPDATE audit_audithead SET last_seq = last_seq - 1")
        appended = record("test.action", object_type="test", object_id="2")
        assert appended.seq == entry.seq + 1
    finally:
        with connection.cursor() as cursor:
            cursor.execute("RESET ROLE")
    assert verify_chain().ok


@on_postgresql
@pytest.mark.django_db
def test_the_triggers_refuse_even_a_role_granted_everything_but_ownership(audit_files):
    entry = record("test.action", object_type="test", object_id="1")
    role = f"zhicheng_all_test_{connection.settings_dict['NAME']}"[:63]
    with connection.cursor() as cursor:
        cursor.execute(f'CREATE ROLE "{role}" NOLOGIN NOSUPERUSER')
        cursor.execute(f'GRANT ALL ON audit_auditentry, audit_audithead TO "{role}"')
        cursor.execute(f'SET LOCAL ROLE "{role}"')
    try:
        assert "不能修改或删除" in _refused("UPDATE audit_auditentry SET summary = 'x' WHERE seq = %s", [entry.seq])
        assert "不能修改或删除" in _refused("DELETE FROM audit_auditentry WHERE seq = %s", [entry.seq])
        assert "只有表的所有者角色" in _refused("TRUNCATE audit_auditentry")
        assert "只有表的所有者角色" in _refused("TRUNCATE audit_audithead")
    finally:
        with connection.cursor() as cursor:
            cursor.execute("RESET ROLE")
    # The owner (here the tests' superuser) is refused UPDATE and DELETE as well, until it disables the trigger.
    assert "不能修改或删除" in _refused("UPDATE audit_auditentry SET summary = 'x' WHERE seq = %s", [entry.seq])
    assert AuditEntry.objects.get(seq=entry.seq).summary == entry.summary


def test_the_grants_script_keeps_the_audit_log_append_only():
    statements = " ".join(_grants_for("zhicheng_app"))
    assert re.search(r"REVOKE UPDATE, DELETE, TRUNCATE.* ON audit_auditentry FROM zhicheng_app", statements)
    assert re.search(r"REVOKE DELETE, TRUNCATE.* ON audit_audithead FROM zhicheng_app", statements)
    roles = (ROOT / "deploy" / "postgresql-roles.sql").read_text()
    [app] = [line for line in roles.splitlines() if line.startswith("CREATE ROLE zhicheng_app ")]
    assert "NOSUPERUSER" in app and "IN ROLE" not in app and "zhicheng_app" not in roles.split("CREATE DATABASE")[1].split("GRANT USAGE ON SCHEMA public TO zhicheng_app")[0]
