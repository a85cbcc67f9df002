"""What a killed import leaves in the spool is removed by the hourly sweep, once old enough."""

import os
import time
from datetime import timedelta

from sluis.maintenance.services import storage_sweep


def _age(path, seconds=7200):
    then = time.time() - seconds
    os.utime(path, (then, then))


def test_the_sweep_removes_old_import_work_folders_only(db, own_object_storage):
    spool = own_object_storage / ".incoming"
    old, fresh, other = spool / "import-k1ll3d", spool / "import-running", spool / "keep-me"
    for folder in (old, fresh, other):
        folder.mkdir(parents=True)
        (folder / "000001.tif").write_bytes(b"II*\0")
    _age(old)
    _age(other)
    assert storage_sweep(older_than=timedelta(minutes=60)).spool_files.count == 1
    assert not old.exists() and fresh.exists() and other.exists()
