"""Accepting and reading evidence files (and workbooks kept for an import job).

Files are accepted by their content, never by their name: PDF, JPEG and PNG only, each
checked for its signature and its end marker, within a size limit; workbooks must be
.xlsx packages. A file is stored once under its SHA-256 and re-hashed whenever it is
read, so a changed byte on disk is noticed rather than served.
"""

from __future__ import annotations

import hashlib
import io
import json
import os
import struct
import zlib
from pathlib import Path

from django.apps import apps
from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import IntegrityError, models, transaction
from django.utils.translation import gettext as _

from .models import Rendition, StoredFile

MAX_UPLOAD_BYTES = getattr(settings, "MAX_UPLOAD_BYTES", 10 * 1024 * 1024)
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
ACCEPTED = "PDF、JPEG、PNG"


class FileIntegrityError(Exception):
    """A stored file no longer matches its hash."""


class FileInUse(Exception):
    """A stored file that a record refers to cannot be deleted; nothing was changed."""

    def __init__(self, stored: StoredFile, users: list[str]):
        self.stored, self.users = stored, users
        super().__init__(f"文件“{stored.original_name}”仍被{('、'.join(users))}引用，不能删除：它是申报或档案的佐证材料。"
                         "如确需更换，请由申报人在本人档案或申报材料中替换。")


def _is_pdf(data: bytes) -> bool:
    return b"%PDF-" in data[:1024] and b"%%EOF" in data[-1024:]


def _is_jpeg(data: bytes) -> bool:
    return data[:3] == b"\xff\xd8\xff" and data.rstrip(b"\x00\r\n")[-2:] == b"\xff\xd9"


def _is_png(data: bytes) -> bool:
    if data[:8] != b"\x89PNG\r\n\x1a\n" or len(data) < 45:
        return False
    length, chunk_type = struct.unpack(">I4s", data[8:16])
    if chunk_type != b"IHDR" or length != 13:
        return False
    (crc,) = struct.unpack(">I", data[29:33])
    return zlib.crc32(data[12:29]) & 0xFFFFFFFF == crc and data[-8:-4] == b"IEND"


SNIFFERS = (("application/pdf", _is_pdf), ("image/jpeg", _is_jpeg), ("image/png", _is_png))


def sniff_content_type(data: bytes) -> str | None:
    for content_type, check in SNIFFERS:
        if check(data):
            return content_type
    return None


def human_size(size: int) -> str:
    if size >= 1024 * 1024:
        return f"{size / 1024 / 1024:.1f} MB"
    return f"{size / 1024:.0f} KB" if size >= 1024 else f"{size} B"


EXTENSIONS = {"application/pdf": ".pdf", "image/jpeg": ".jpg", "image/png": ".png", XLSX: ".xlsx", "application/json": ".json"}


def shown_name(stored, uploader_id: int | None) -> str:
    """The name to show for a file given by ``uploader_id``. A file is stored once by its content, under
    the name of whoever uploaded those bytes first; another person's copy of the same bytes is shown
    under a neutral name, so that one person's file name (which often holds their name and 身份证
    number) never reaches another person's page or download."""
    if stored.uploaded_by_id is None or stored.uploaded_by_id == uploader_id:
        return stored.original_name
    return f"{_('文件')}-{stored.sha256[:8]}{EXTENSIONS.get(stored.content_type, '')}"


def with_uploader_person(files):
    """``files`` (StoredFile rows) annotated with ``uploader_person_id``, for ``name_in_archive``."""
    return files.annotate(uploader_person_id=models.F("uploaded_by__person_id"))


def name_in_archive(stored, person_id: int) -> str:
    """``shown_name`` of evidence in a person's archive: the person's own upload keeps its name."""
    if stored.uploaded_by_id is None or stored.uploader_person_id == person_id:
        return stored.original_name
    return shown_name(stored, None)


def check_upload(name: str, data: bytes, max_bytes: int = MAX_UPLOAD_BYTES) -> str:
    """The content type of an acceptable file, or a ValidationError in Chinese saying why not."""
    if not data:
        raise ValidationError(f"文件“{name}”是空文件。", code="empty")
    if len(data) > max_bytes:
        raise ValidationError(
            f"文件“{name}”大小为{human_size(len(data))}，超过了{human_size(max_bytes)}的上限，请压缩后重新上传。",
            code="too_large",
        )
    content_type = sniff_content_type(data)
    if content_type is None:
        raise ValidationError(
            f"文件“{name}”的内容不是有效的{ACCEPTED}文件（系统按文件内容而非扩展名判断），请转换格式后重新上传。",
            code="bad_type",
        )
    return content_type


# Evidence is personal data: readable by the application's own account only, whatever the umask.
PRIVATE_FILE, PRIVATE_DIR = 0o600, 0o700


def private_dirs(directory: Path) -> None:
    """Create the folders down to ``directory`` owner-only (mkdir -p would give the parents the default
    mode; chmod as well, since mkdir's mode passes through the umask)."""
    missing = []
    while not directory.exists():
        missing.append(directory)
        directory = directory.parent
    for folder in reversed(missing):
        folder.mkdir(mode=PRIVATE_DIR, exist_ok=True)
        folder.chmod(PRIVATE_DIR)


def _blob_path(sha256: str) -> Path:
    return Path(settings.MEDIA_ROOT) / "blobs" / sha256[:2] / sha256[2:4] / sha256


def store_file(name: str, data: bytes, uploaded_by=None) -> StoredFile:
    return _keep(name, data, check_upload(name, data), uploaded_by)


def _keep(name: str, data: bytes, content_type: str, uploaded_by) -> StoredFile:
    digest = hashlib.sha256(data).hexdigest()
    path = _blob_path(digest)
    if not path.exists():
        private_dirs(path.parent)
        tmp = path.with_suffix(".part")
        fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, PRIVATE_FILE)
        os.fchmod(fd, PRIVATE_FILE)  # also when a crashed write left the .part file behind
        with os.fdopen(fd, "wb") as out:
            out.write(data)
        tmp.replace(path)  # atomic: a crash never leaves half a blob under the final name
    existing = StoredFile.objects.filter(sha256=digest).first()
    if existing:
        return existing
    try:
        with transaction.atomic():
            return StoredFile.objects.create(
                sha256=digest, size=len(data), content_type=content_type, original_name=name[:200], uploaded_by=uploaded_by
            )
    except IntegrityError:  # the same file uploaded by two people at once
        return StoredFile.objects.get(sha256=digest)


def store_upload(uploaded_file, uploaded_by=None) -> StoredFile:
    if uploaded_file.size > MAX_UPLOAD_BYTES:
        raise ValidationError(
            f"文件“{uploaded_file.name}”大小为{human_size(uploaded_file.size)}，超过了{human_size(MAX_UPLOAD_BYTES)}的上限，请压缩后重新上传。",
            code="too_large",
        )
    return store_file(uploaded_file.name, uploaded_file.read(), uploaded_by)




def store_workbook(uploaded_file, uploaded_by=None) -> StoredFile:
    """An uploaded Excel workbook, kept (like evidence, by its hash) for the job that imports it.
    The caller limits its size; only the package is checked here (opened as every workbook reader
    opens one), its rows by the import."""
    from zhicheng.documents.excel import WorkbookUnreadable, open_package

    data = uploaded_file.read()
    not_xlsx = ValidationError(_("文件“%(name)s”不是 .xlsx 格式的 Excel 文件，请另存为 .xlsx 后重新上传。")
                               % {"name": uploaded_file.name}, code="bad_type")
    try:
        with open_package(io.BytesIO(data)) as package:
            if "xl/workbook.xml" not in package.namelist():
                raise not_xlsx
    except WorkbookUnreadable as exc:
        raise ValidationError(str(exc), code="bad_type") from exc
    return _keep(uploaded_file.name, data, XLSX, uploaded_by)


def store_json(uploaded_file, uploaded_by=None) -> StoredFile:
    """An uploaded JSON file (the collection's exchange format, docs/collection.md), kept for the history
    import's job. Only that it is UTF-8 JSON is checked here; its records by the import."""
    data = uploaded_file.read()
    try:
        json.loads(data.decode("utf-8-sig"))
    except UnicodeDecodeError as exc:
        raise ValidationError(_("文件“%(name)s”不是 UTF-8 编码的 JSON 文件，无法读取。") % {"name": uploaded_file.name},
                              code="bad_type") from exc
    except json.JSONDecodeError as exc:
        # Readable text that is not JSON (a hand-edited file with a stray comma): say where, not "wrong encoding".
        raise ValidationError(_("文件“%(name)s”不是有效的 JSON：第%(line)d行第%(column)d列有误，请检查该处的括号、引号和逗号。")
                              % {"name": uploaded_file.name, "line": exc.lineno, "column": exc.colno}, code="bad_json") from exc
    return _keep(uploaded_file.name, data, "application/json", uploaded_by)


def file_users(stored: StoredFile) -> list[str]:
    """What refers to a stored file (declaration materials, archive evidence, renditions, job inputs, plan
    attachments...), by kind: every relation to StoredFile is found from the models, so a new one is covered too."""
    users = []
    for relation in StoredFile._meta.get_fields(include_hidden=True):
        if not (relation.is_relation and relation.auto_created and not relation.concrete):
            continue
        model = relation.related_model
        if model._meta.auto_created:  # a many-to-many's own through table: its forward relation is counted instead
            continue
        if model._base_manager.filter(**{relation.field.name: stored.pk}).exists():
            users.append(str(model._meta.verbose_name))
    # A submitted declaration freezes its archive records with their evidence's hashes: the file stays
    # evidence of that version even after the applicant deletes the record from the archive.
    selected = apps.get_model("declarations", "SelectedRecord")
    if selected._base_manager.filter(version__gt=0, snapshot__icontains=stored.sha256).exists():
        users.append("已提交申报的档案快照")
    return users


def refuse_deleting_used_file(sender, instance: StoredFile, **kwargs) -> None:
    """pre_delete: a file still referred to is never deleted, whoever deletes it and however.

    Deleting an unreferenced row leaves its bytes on disk: a blob is named by its SHA-256 and may come back
    with the next upload of the same content, so removing it is never needed for correctness."""
    users = file_users(instance)
    if users:
        raise FileInUse(instance, users)


def read_verified(stored: StoredFile) -> bytes:
    data = _blob_path(stored.sha256).read_bytes()
    if hashlib.sha256(data).hexdigest() != stored.sha256:
        raise FileIntegrityError(f"文件 {stored.sha256} 与登记的摘要不符")
    return data


def store_uploads(uploaded_files, uploaded_by=None) -> tuple[list[StoredFile], list[str]]:
    """Check and store each file on its own: the good ones are kept, each refused one gives its reason."""
    stored, refused = [], []
    for uploaded in uploaded_files:
        try:
            stored.append(store_upload(uploaded, uploaded_by))
        except ValidationError as exc:
            refused.extend(exc.messages)
    return stored, refused


def stored_rendition(key: str) -> bytes | None:
    """The document kept under ``key``, or None when there is none (or its file no longer matches its hash)."""
    rendition = Rendition.objects.filter(key=key).select_related("file").first()
    if rendition is None:
        return None
    try:
        return read_verified(rendition.file)
    except (OSError, FileIntegrityError):
        return None


def keep_rendition(key: str, name: str, data: bytes) -> Rendition:
    """Keep a generated document (PDF) under ``key``; rendering the same content again replaces the file."""
    stored = store_file(name, data)
    rendition, _ = Rendition.objects.update_or_create(key=key, defaults={"file": stored})
    return rendition
