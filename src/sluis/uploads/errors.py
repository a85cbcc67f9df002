"""Typed errors of receiving uploads; each has a stable ``code`` (see docs/api.md)."""

from sluis.errors import NotFound, PermissionDenied, SluisError


class NotASupplier(PermissionDenied):
    code = "not_a_supplier"
    default_detail = "You do not have the Data Supplier role for this data source."


class NotUploadable(SluisError):
    code = "not_uploadable"
    default_detail = "The sync task has no data source, or its data source is not uploadable."


class UploadNotFound(NotFound):
    code = "upload_not_found"
    default_detail = "The upload does not exist."


class DataSourceBusy(SluisError):
    status_code = 409
    code = "data_source_busy"
    default_detail = "The data source is processing an earlier upload; retry once it has finished."


class ReceiversBusy(SluisError):
    status_code = 503
    code = "receivers_busy"
    default_detail = (
        "This server is receiving as many uploads as it can at once; retry after the time in "
        "Retry-After."
    )


class UnsupportedMediaType(SluisError):
    status_code = 415
    code = "unsupported_media_type"
    default_detail = "Send the file as multipart/form-data in the field 'upload_file'."


class InvalidContentLength(SluisError):
    code = "invalid_content_length"
    default_detail = "The Content-Length header is not a whole number of bytes."


class LengthRequired(SluisError):
    status_code = 411
    code = "length_required"
    default_detail = "Send a Content-Length header (this server cannot read this chunked body)."


class UploadTooLarge(SluisError):
    status_code = 413
    code = "upload_too_large"
    default_detail = "The upload is larger than the maximum size."


class MalformedMultipart(SluisError):
    code = "malformed_multipart"
    default_detail = "The multipart body is malformed."


class UnsupportedPartEncoding(SluisError):
    code = "unsupported_part_encoding"
    default_detail = (
        "A part declares a Content-Transfer-Encoding (base64, quoted-printable, ...); "
        "send the file's bytes as they are (RFC 7578 deprecates the header)."
    )


class TruncatedBody(SluisError):
    code = "truncated_body"
    default_detail = "The request body ended before the multipart message was complete."


class BodyTimeout(SluisError):
    status_code = 408
    code = "body_timeout"
    default_detail = "The client sent nothing for too long; the upload was dropped."


class UnreadableBody(SluisError):
    code = "unreadable_body"
    default_detail = "The request body could not be read (bad chunked framing?)."


class MissingFile(SluisError):
    code = "missing_file"
    default_detail = "No file was sent in the field 'upload_file'."


class MultipleFiles(SluisError):
    code = "multiple_files"
    default_detail = "Send exactly one file per upload."


class UnexpectedFileField(SluisError):
    code = "unexpected_file_field"
    default_detail = "Files are accepted only in the field 'upload_file'."


class EmptyFile(SluisError):
    code = "empty_file"
    default_detail = "The uploaded file is empty."


class FormTooLarge(SluisError):
    code = "form_too_large"
    default_detail = "The form has too many parts, or a part or its headers are too large."


class MissingDataSource(SluisError):
    code = "missing_data_source"
    default_detail = "Send the data source id in the form field 'datasource'."


class IdempotencyKeyReused(SluisError):
    status_code = 422
    code = "idempotency_key_reused"
    default_detail = "This Idempotency-Key was used before for a different upload."


class InvalidIdempotencyKey(SluisError):
    code = "invalid_idempotency_key"
    default_detail = "The Idempotency-Key header must be 1 to 200 printable ASCII characters."


class InvalidTransition(SluisError):
    status_code = 409
    code = "invalid_transition"
    default_detail = "The upload is not in a state that allows this action."


class OriginalPurged(SluisError):
    status_code = 410
    code = "original_purged"
    default_detail = (
        "The original file of this upload was removed after its retention period "
        "(SLUIS_ORIGINAL_RETENTION_DAYS); it can no longer be downloaded or processed again."
    )


class OriginalMissing(SluisError):
    status_code = 410
    code = "original_missing"
    default_detail = "The original file of this upload is no longer in the object storage."


class UploadSuperseded(SluisError):
    status_code = 409
    code = "upload_superseded"
    default_detail = (
        "The data source's current data comes from a newer upload; processing this one again "
        "would replace it with older data."
    )
