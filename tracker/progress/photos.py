"""Site photos: checked to be real JPEG/PNG images, stored outside the database by content hash."""

from __future__ import annotations

import hashlib
import io
import warnings
from pathlib import Path

from flask import current_app
from flask_babel import gettext as _
from PIL import Image

from ..errors import ValidationFailed
from .models import MonthlyReport, ReportPhoto

MAX_BYTES = 8 * 1024 * 1024
MAX_PHOTOS = 6
MAX_PIXELS = 60_000_000  # beyond this a "photo" is a decompression bomb
THUMBNAIL = (320, 320)
FORMATS = {"JPEG": ("jpg", "image/jpeg"), "PNG": ("png", "image/png")}


def photo_dir() -> Path:
    return Path(current_app.config["UPLOAD_DIR"]) / "photos"


def read_image(upload) -> tuple[bytes, Image.Image, str]:
    data = upload.read(MAX_BYTES + 1)
    name = upload.filename or ""
    if len(data) > MAX_BYTES:
        raise ValidationFailed(_("照片「%(name)s」超过 8 MB，请压缩后再上传", name=name), "photos")
    if not data:
        raise ValidationFailed(_("照片「%(name)s」是空文件", name=name), "photos")
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            probe = Image.open(io.BytesIO(data))
            if probe.format not in FORMATS:
                raise ValidationFailed(_("「%(name)s」不是 JPEG 或 PNG 图片", name=name), "photos")
            if probe.width * probe.height > MAX_PIXELS:
                raise ValidationFailed(_("照片「%(name)s」像素过多，请缩小后再上传", name=name), "photos")
            probe.verify()
            image = Image.open(io.BytesIO(data))
            image.load()
    except ValidationFailed:
        raise
    except Exception:  # Pillow raises many kinds for a broken or disguised file
        raise ValidationFailed(_("「%(name)s」不是有效的图片文件", name=name), "photos") from None
    return data, image, image.format


def store_photo(report: MonthlyReport, upload) -> ReportPhoto:
    data, image, fmt = read_image(upload)
    extension, content_type = FORMATS[fmt]
    digest = hashlib.sha256(data).hexdigest()
    directory = photo_dir()
    try:
        directory.mkdir(parents=True, exist_ok=True)
        target = directory / f"{digest}.{extension}"
        if not target.exists():
            target.write_bytes(data)
        thumb = directory / f"{digest}.thumb.jpg"
        if not thumb.exists():
            small = image.convert("RGB")
            small.thumbnail(THUMBNAIL)
            small.save(thumb, "JPEG", quality=80)
    except OSError as error:
        current_app.logger.error("cannot store a photo: %s", error)
        raise ValidationFailed(_("服务器无法保存照片（存储空间不足或不可写），月报未提交，请稍后重试或联系管理员"),
                               "photos") from None
    photo = ReportPhoto(storage_name=f"{digest}.{extension}", original_name=(upload.filename or "")[:255],
                        content_type=content_type, byte_size=len(data), width=image.width,
                        height=image.height)
    report.photos.append(photo)
    return photo
