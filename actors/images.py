"""Decoding untrusted image bytes safely, and encoding results."""

import io
import warnings

from PIL import Image, UnidentifiedImageError

ACCEPTED_FORMATS = frozenset({"JPEG", "PNG", "WEBP"})
MAX_UPLOAD_BYTES = 20 * 1024 * 1024
# Pillow's bomb guard: decoding a 20000x20000 image would need 1.2 GB; refuse anything past ~40 Mpx.
MAX_PIXELS = 40_000_000


class InvalidImage(ValueError):
    def __init__(self, message: str, status: int = 400) -> None:
        super().__init__(message)
        self.message = message
        self.status = status


def decode_image(data: bytes, *, max_pixels: int = MAX_PIXELS) -> Image.Image:
    """Return a fully decoded RGB image, or raise InvalidImage with a sentence a user can act on."""
    if len(data) > MAX_UPLOAD_BYTES:
        raise InvalidImage(f"Image too large: {len(data)} bytes (limit {MAX_UPLOAD_BYTES} bytes)", 413)
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            image = Image.open(io.BytesIO(data))
            if image.format not in ACCEPTED_FORMATS:
                raise InvalidImage(f"Unsupported image format {image.format}: upload a JPEG, PNG or WebP image")
            width, height = image.size
            if width * height > max_pixels:
                raise InvalidImage(f"Image too large: {width}x{height} pixels (limit {max_pixels} pixels)", 413)
            image.load()
    except InvalidImage:
        raise
    except (Image.DecompressionBombError, Image.DecompressionBombWarning):
        raise InvalidImage(f"Image too large: more than {max_pixels} pixels", 413) from None
    except UnidentifiedImageError:
        raise InvalidImage("Not an image: upload a JPEG, PNG or WebP file") from None
    except (OSError, SyntaxError, ValueError) as error:
        raise InvalidImage(f"Corrupt or truncated image: {error}") from None
    return image.convert("RGB")


def image_size(data: bytes) -> tuple[int, int]:
    """Width and height from the header alone (no pixel decoding)."""
    with Image.open(io.BytesIO(data)) as image:
        return image.size


def encode_jpeg(image: Image.Image, quality: int = 92) -> bytes:
    buffer = io.BytesIO()
    image.convert("RGB").save(buffer, "JPEG", quality=quality, optimize=False)
    return buffer.getvalue()
