"""Completeness of a classic NetCDF file (CDF-1, CDF-2, CDF-5), from its header alone.

libnetcdf (and GDAL over it) reads the missing tail of a truncated classic file as zeros, so a
file whose header and coordinates arrived but whose data did not would be stored as frames of
zeros. The header says where every variable's data begins and how large it is; a file shorter
than the end of the last variable is truncated. NetCDF-4 (HDF5) files, GeoTIFFs and ASCII grids
need no such check: their libraries fail on a short read. No Django here.
"""

from __future__ import annotations

import struct
from pathlib import Path
from typing import BinaryIO

_TYPE_SIZES = {1: 1, 2: 1, 3: 2, 4: 4, 5: 4, 6: 8, 7: 1, 8: 2, 9: 4, 10: 8, 11: 8}
_STREAMING = 0xFFFFFFFF
_MAX_ITEMS = 1_000_000  # a header listing more dimensions/attributes/variables is damaged


class HeaderDamaged(ValueError):
    """The classic header cannot be parsed."""


def classic_expected_size(path: Path) -> int | None:
    """The bytes a classic NetCDF file must hold according to its header, or None when the
    file is no classic NetCDF or its record count is not recorded (streaming). Raises
    ``HeaderDamaged`` for a header that cannot be parsed."""
    with path.open("rb") as handle:
        magic = handle.read(4)
        if magic[:3] != b"CDF" or magic[3] not in (1, 2, 5):
            return None
        try:
            return _Header(handle, magic[3]).expected_size()
        except (struct.error, KeyError, IndexError, OverflowError) as exc:
            raise HeaderDamaged(str(exc)) from exc


class _Header:
    def __init__(self, handle: BinaryIO, version: int):
        self.handle = handle
        self.count_size = 8 if version == 5 else 4
        self.offset_size = 4 if version == 1 else 8

    def expected_size(self) -> int | None:
        numrecs = self._count()
        dims = [self._dimension() for _ in range(self._list(0x0A))]
        for _ in range(self._list(0x0C)):
            self._attribute()
        variables = [self._variable(dims) for _ in range(self._list(0x0B))]
        if numrecs == _STREAMING or (self.count_size == 8 and numrecs == 2**64 - 1):
            return None
        record = sum(size for is_record, _, size in variables if is_record)
        ends = [
            begin + ((numrecs - 1) * record + size if is_record else size)
            for is_record, begin, size in variables
            if not is_record or numrecs
        ]
        return max(ends, default=0)

    def _read(self, size: int) -> bytes:
        data = self.handle.read(size)
        if len(data) < size:
            raise struct.error("the header ends early")
        return data

    def _count(self) -> int:
        return int.from_bytes(self._read(self.count_size), "big")

    def _list(self, tag: int) -> int:
        found = int.from_bytes(self._read(4), "big")
        count = self._count()
        if found not in (0, tag) or count > _MAX_ITEMS:
            raise struct.error("an unexpected list in the header")
        return count

    def _name(self) -> None:
        length = self._count()
        self._read(length + (-length % 4))

    def _dimension(self) -> int:
        self._name()
        return self._count()

    def _attribute(self) -> None:
        self._name()
        kind = int.from_bytes(self._read(4), "big")
        length = self._count() * _TYPE_SIZES[kind]
        self._read(length + (-length % 4))

    def _variable(self, dims: list[int]) -> tuple[bool, int, int]:
        self._name()
        ids = [self._count() for _ in range(self._count())]
        for _ in range(self._list(0x0C)):
            self._attribute()
        size = _TYPE_SIZES[int.from_bytes(self._read(4), "big")]
        self._count()  # vsize: may be clipped for large variables; computed below instead
        begin = int.from_bytes(self._read(self.offset_size), "big")
        is_record = bool(ids) and dims[ids[0]] == 0
        for index in ids[1:] if is_record else ids:
            size *= dims[index]
        return is_record, begin, size
