"""Site photos: checked to be real JPEG/PNG images, re-encoded, stored outside the database by
content hash.

What a stored photo is: the pixels only. Every upload is decoded and encoded again, which drops
whatever rode along (EXIF, comments, a zip appended after the image's end). Before that, the
camera's time and GPS position are read from the EXIF and kept as data on the ``ReportPhoto``
(evidence of when and where), so the served file carries neither.

What an upload may cost: each image's size is read from its header before anything is decoded.
One image may have ``MAX_PIXELS``; one submission's images together may decode to at most
``MAX_DECODED_BYTES`` (six 59-megapixel PNGs took 7.4 s and 615 MB before). Images are then
decoded one at a time; a JPEG is decoded at a reduced scale when it is larger than it will be
stored (``MAX_SIDE``).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import io
import warnings
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from pathlib import Path

import sqlalchemy as sa
from flask import current_app
from flask_babel import gettext as _
from PIL import Image, ImageOps

from ..audit.services import Actor, record
from ..core import clock
from ..core.values import DATE_MAX, DATE_MIN
from ..errors import ValidationFailed
from ..extensions import db
from .models import MonthlyReport, ReportPhoto

MAX_BYTES = 8 * 1024 * 1024
MAX_PHOTOS = 6
MAX_PIXELS = 50_000_000  # one image; beyond this a "photo" is a decompression bomb
MAX_DECODED_BYTES = 300 * 1024 * 1024  # one submission's images, decoded (six 12-MP photos: 216 MB)
MAX_SIDE = 4096  # stored photos are at most this wide and high
THUMBNAIL = (320, 320)
FORMATS = {"JPEG": ("jpg", "image/jpeg"), "PNG": ("png", "image/png")}
EXIF_IFD, GPS_IFD = 0x8769, 0x8825
DATETIME_ORIGINAL, OFFSET_TIME_ORIGINAL, DATETIME = 0x9003, 0x9011, 0x0132


def photo_dir() -> Path:
    return Path(current_app.config["UPLOAD_DIR"]) / "photos"


@dataclass
class Upload:
    name: str
    data: bytes
    format: str
    width: int
    height: int
    decoded_bytes: int


def probe(upload) -> Upload:
    """The upload's bytes and its header's format and size; nothing decoded yet."""
    data = upload.read(MAX_BYTES + 1)
    name = upload.filename or ""
    if len(data) > MAX_BYTES:
        raise ValidationFailed(_("照片「%(name)s」超过 8 MB，请压缩后再上传", name=name), "photos")
    if not data:
        raise ValidationFailed(_("照片「%(name)s」是空文件", name=name), "photos")
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            header = Image.open(io.BytesIO(data))
            fmt, (width, height), bands = header.format, header.size, len(header.getbands())
    except Exception:  # Pillow raises many kinds for a broken or disguised file
        raise ValidationFailed(_("「%(name)s」不是有效的图片文件", name=name), "photos") from None
    if fmt not in FORMATS:
        raise ValidationFailed(_("「%(name)s」不是 JPEG 或 PNG 图片", name=name), "photos")
    if width * height > MAX_PIXELS:
        raise ValidationFailed(_("照片「%(name)s」像素过多，请缩小后再上传", name=name), "photos")
    return Upload(name, data, fmt, width, height, width * height * max(bands, 3))


def _decode(upload: Upload) -> Image.Image:
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            Image.open(io.BytesIO(upload.data)).verify()
            image = Image.open(io.BytesIO(upload.data))
            if upload.format == "JPEG":
                image.draft("RGB", (MAX_SIDE, MAX_SIDE))  # decode at 1/2, 1/4 … when larger
            image.load()
            return image
    except Exception:
        raise ValidationFailed(_("「%(name)s」不是有效的图片文件", name=upload.name), "photos") from None


# --- evidence: when and where ------------------------------------------------------------------

def _captured_at(exif: Image.Exif) -> dt.datetime | None:
    details = exif.get_ifd(EXIF_IFD)
    text = details.get(DATETIME_ORIGINAL) or exif.get(DATETIME)
    if not isinstance(text, str):
        return None
    try:
        moment = dt.datetime.strptime(text.strip("\x00 ")[:19], "%Y:%m:%d %H:%M:%S")
    except ValueError:
        return None
    if not DATE_MIN <= moment.date() <= DATE_MAX:
        return None
    offset = details.get(OFFSET_TIME_ORIGINAL)
    try:
        zone = dt.datetime.strptime(offset.strip("\x00 "), "%z").tzinfo if isinstance(offset, str) else None
    except ValueError:
        zone = None
    # Without an offset, the camera's clock is taken to be in the portfolio's zone.
    return moment.replace(tzinfo=zone or clock.zone()).astimezone(dt.timezone.utc)


def _degrees(value, reference, negative: str, bound: int) -> Decimal | None:
    try:
        degrees, minutes, seconds = (Decimal(str(float(part))) for part in value)
        result = degrees + minutes / 60 + seconds / 3600
    except (TypeError, ValueError, InvalidOperation, ZeroDivisionError):
        return None
    if str(reference or "").strip("\x00 ").upper() == negative:
        result = -result
    result = result.quantize(Decimal("0.000001"))
    return result if abs(result) <= bound and result.is_finite() else None


def _position(exif: Image.Exif) -> tuple[Decimal | None, Decimal | None]:
    gps = exif.get_ifd(GPS_IFD)
    latitude = _degrees(gps.get(2), gps.get(1), "S", 90)
    longitude = _degrees(gps.get(4), gps.get(3), "W", 180)
    if latitude is None or longitude is None:
        return None, None
    return latitude, longitude


def evidence(image: Image.Image) -> tuple[dt.datetime | None, Decimal | None, Decimal | None]:
    try:
        exif = image.getexif()
        return (_captured_at(exif), *_position(exif))
    except Exception:  # a malformed EXIF block loses the evidence, never the photo
        return None, None, None


# --- storing -----------------------------------------------------------------------------------

def _reencode(image: Image.Image, fmt: str) -> tuple[bytes, Image.Image]:
    """The pixels alone, upright (EXIF orientation applied before the EXIF goes), at most
    MAX_SIDE: no metadata, nothing appended."""
    icc_profile = image.info.get("icc_profile")
    image = ImageOps.exif_transpose(image)
    if max(image.size) > MAX_SIDE:
        image.thumbnail((MAX_SIDE, MAX_SIDE))
    image.info = {}
    output = io.BytesIO()
    extra = {"icc_profile": icc_profile} if icc_profile else {}
    if fmt == "JPEG":
        image = image.convert("RGB")
        image.save(output, "JPEG", quality=90, **extra)
    else:
        if image.mode not in ("1", "L", "LA", "P", "RGB", "RGBA", "I", "I;16"):
            image = image.convert("RGBA")
        image.save(output, "PNG", **extra)
    return output.getvalue(), image


def store_photos(report: MonthlyReport, uploads, actor: Actor | None = None,
                 reason: str | None = None) -> list[ReportPhoto]:
    """Check every upload's header, then the whole submission's decoded size, then store each;
    with ``actor``, in the trail (who added which photos, and the correction's reason: a
    photo added to a filed month left no trace, its reason dropped)."""
    probed = [probe(upload) for upload in uploads]
    if sum(item.decoded_bytes for item in probed) > MAX_DECODED_BYTES:
        raise ValidationFailed(_("这次上传的照片合计过大（像素总数过多），请缩小照片或分几次上传"), "photos")
    stored = [_store(report, item) for item in probed]
    if actor is not None and stored:
        record(actor, "report:photos", report, {"month": report.month.strftime("%Y-%m"), "n": len(stored)},
               changes={"photos": [None, [photo.original_name for photo in stored]]},
               reason=(reason or "").strip() or None, project_id=report.project_id)
    return stored


def store_photo(report: MonthlyReport, upload) -> ReportPhoto:
    return store_photos(report, [upload])[0]


def _store(report: MonthlyReport, upload: Upload) -> ReportPhoto:
    image = _decode(upload)
    captured_at, latitude, longitude = evidence(image)
    extension, content_type = FORMATS[upload.format]
    try:
        data, image = _reencode(image, upload.format)
    except Exception:
        raise ValidationFailed(_("「%(name)s」不是有效的图片文件", name=upload.name), "photos") from None
    digest = hashlib.sha256(data).hexdigest()
    directory = photo_dir()
    try:
        directory.mkdir(parents=True, exist_ok=True)
        target = directory / f"{digest}.{extension}"
        if not target.exists():
            _write(target, data)
        thumb = directory / f"{digest}.thumb.jpg"
        if not thumb.exists():
            small = image.convert("RGB")
            small.thumbnail(THUMBNAIL)
            buffer = io.BytesIO()
            small.save(buffer, "JPEG", quality=80)
            _write(thumb, buffer.getvalue())
    except OSError as error:
        current_app.logger.error("cannot store a photo: %s", error)
        raise ValidationFailed(_("服务器无法保存照片（存储空间不足或不可写），月报未提交，请稍后重试或联系管理员"),
                               "photos") from None
    photo = ReportPhoto(storage_name=f"{digest}.{extension}", original_name=upload.name[:255],
                        content_type=content_type, byte_size=len(data), width=image.width,
                        height=image.height, captured_at=captured_at, latitude=latitude,
                        longitude=longitude)
    report.photos.append(photo)
    return photo


def _write(target: Path, data: bytes) -> None:
    """Complete or absent: written beside, then renamed into place."""
    partial = target.with_name(target.name + ".partial")
    partial.write_bytes(data)
    partial.replace(target)


# --- deleting ----------------------------------------------------------------------------------

def remove_photo(actor: Actor, photo: ReportPhoto, reason: str | None = None) -> list[str]:
    """Delete a wrong or sensitive photo from its report, in the trail with its reason. Returns
    the files no photo shows any more, for the caller to remove once the deletion is committed
    (``remove_files``): a file is named by its content, so the same picture attached to another
    month's report keeps its file; a rolled-back deletion keeps its photo's."""
    report = photo.report
    storage_name = photo.storage_name
    record(actor, "report:photo-delete", photo,
           {"month": report.month.strftime("%Y-%m"), "name": photo.original_name},
           changes={"photo": [photo.original_name, None]}, reason=(reason or "").strip() or None,
           project_id=report.project_id)
    report.photos.remove(photo)
    db.session.delete(photo)
    db.session.flush()
    shared = db.session.scalar(sa.select(sa.func.count()).select_from(ReportPhoto).where(
        ReportPhoto.storage_name == storage_name))
    if shared:
        return []
    return [storage_name, storage_name.rsplit(".", 1)[0] + ".thumb.jpg"]


def remove_files(names: list[str]) -> None:
    """The files of deleted photos; one already gone, or that cannot be removed (logged), leaves
    nothing shown: its row is gone, and the served route answers 404 without it."""
    directory = photo_dir()
    for name in names:
        try:
            (directory / name).unlink(missing_ok=True)
        except OSError as error:
            current_app.logger.error("cannot remove a deleted photo's file %s: %s", name, error)
