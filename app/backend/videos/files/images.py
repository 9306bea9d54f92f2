"""Reference images for image-to-video: checked before a job is created."""

from __future__ import annotations

import io
from dataclasses import dataclass

from django.conf import settings
from django.core.files.uploadedfile import UploadedFile
from PIL import Image

FORMATS = {"PNG": "png", "JPEG": "jpg", "WEBP": "webp"}
MAX_SIDE = 4096


class InvalidImage(ValueError):
    pass


@dataclass(frozen=True)
class ReferenceImage:
    data: bytes
    extension: str


def check_reference_image(upload: object) -> ReferenceImage:
    if not isinstance(upload, UploadedFile):
        raise InvalidImage("input_reference must be an uploaded image file (multipart/form-data).")
    limit = settings.VIDEO_MAX_IMAGE_BYTES
    if upload.size is None or upload.size > limit:
        raise InvalidImage(f"The reference image is larger than {limit // 1024**2} MB.")
    data = upload.read(limit + 1)
    if len(data) > limit:
        raise InvalidImage(f"The reference image is larger than {limit // 1024**2} MB.")
    try:
        with Image.open(io.BytesIO(data)) as image:
            kind, (width, height) = image.format, image.size
            image.verify()
    except Exception:  # Pillow raises many kinds for broken or hostile files
        raise InvalidImage("The reference image is not a readable PNG, JPEG or WebP file.") from None
    if kind not in FORMATS:
        raise InvalidImage(f"The reference image is {kind}; use PNG, JPEG or WebP.")
    if width > MAX_SIDE or height > MAX_SIDE:
        raise InvalidImage(f"The reference image is {width}x{height}; the largest side allowed is {MAX_SIDE}.")
    return ReferenceImage(data, FORMATS[kind])
