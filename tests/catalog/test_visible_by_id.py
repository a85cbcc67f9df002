"""The one-row lookups (``sync_task_visible``, ``upload_visible``) answer exactly as the
visibility queries do, for every kind of caller and every kind of task or upload."""

import pytest
from django.contrib.auth.models import AnonymousUser
from django.utils import timezone

from sluis.accounts.services import user_create
from sluis.catalog.models import SyncTask, TaskType
from sluis.catalog.selectors import sync_task_visible, sync_tasks_visible
from sluis.uploads.models import Upload, UploadStatus
from sluis.uploads.selectors import upload_visible, uploads_visible

pytestmark = pytest.mark.django_db


@pytest.fixture
def callers(supplier, consumer, outsider, admin_user):
    loner = user_create(username="loner", organization=None, data_supplier=True)
    return [AnonymousUser(), supplier, consumer, outsider, admin_user, loner]


@pytest.fixture
def tasks(make_source, org, other_org, outsider):
    granted = make_source(name="Granted", private=True).data_source
    granted.suppliers.add(outsider)
    orphan, private = make_source(name="Orphan").sync_task, make_source(name="Private").sync_task
    orphan.data_source.delete()
    SyncTask.objects.filter(pk__in=[orphan.pk, private.pk]).update(private=True)
    return [
        make_source(name="Public").sync_task,
        private,
        make_source(name="Private source", private=True).sync_task,
        make_source(name="Foreign", owner=other_org, private=True).sync_task,
        make_source(name="Foreign public", owner=other_org).sync_task,
        granted.sync_tasks.get(),
        orphan,
        SyncTask.objects.create(name="Run", owner=org, task_type=TaskType.CALCULATION),
        SyncTask.objects.create(
            name="Secret run", owner=org, task_type=TaskType.SCENARIO, private=True
        ),
    ]


def _upload(created, uploader) -> Upload:
    return Upload.objects.create(
        uploader=uploader,
        sync_task=created.sync_task,
        data_source=created.data_source,
        original_filename="a.csv",
        filename="a.csv",
        status=UploadStatus.SUCCEEDED,
        received_at=timezone.now(),
    )


@pytest.fixture
def uploads(make_source, other_org, supplier, outsider, consumer):
    own, foreign = make_source(name="Own"), make_source(name="Theirs", owner=other_org)
    gone = user_create(username="gone", organization=other_org)
    made = [
        _upload(own, supplier),
        _upload(own, outsider),
        _upload(foreign, outsider),
        _upload(foreign, consumer),
        _upload(foreign, None),
        _upload(own, gone),
    ]
    gone.delete()
    return made


def test_a_sync_task_by_id_is_visible_exactly_when_the_listing_shows_it(callers, tasks):
    for user in callers:
        listed = set(sync_tasks_visible(user=user).values_list("pk", flat=True))
        found = {t.pk for t in tasks if sync_task_visible(user=user, pk=t.pk) is not None}
        assert found == listed & {t.pk for t in tasks}, user


def test_an_upload_by_id_is_visible_exactly_when_the_listing_shows_it(callers, uploads):
    for user in callers:
        listed = set(uploads_visible(user=user).values_list("pk", flat=True))
        found = {u.pk for u in uploads if upload_visible(user=user, pk=u.pk) is not None}
        assert found == listed, user


def test_an_unknown_id_is_none(supplier):
    assert sync_task_visible(user=supplier, pk=987654) is None
    assert upload_visible(user=supplier, pk=987654) is None
