from __future__ import annotations

import pytest
from django.contrib.contenttypes.models import ContentType
from django.db import transaction
from django.utils import translation
from django.utils.translation import trans_real

from jagaweb.activity.log import SystemJob, record
from jagaweb.activity.models import AppendOnlyError, Event
from jagaweb.activity.verbs import describe
from jagaweb.inventory.models import Site
from jagaweb.people import verbs
from jagaweb.people.choices import RoleKind

pytestmark = pytest.mark.django_db


def test_record_with_a_user(make_user, site_a):
    user = make_user(RoleKind.OPERATOR, username="budi")
    event = record(verbs.LOGGED_IN, actor=user, site=site_a)
    event.refresh_from_db()
    assert event.actor == user
    assert event.job == ""
    assert event.site == site_a
    assert event.organisation == site_a.organisation  # taken from the site
    assert event.actor_name == "budi"


def test_record_with_a_system_job(site_b):
    event = record(
        "inventory.changed",
        actor=SystemJob("monitor.http"),
        site=site_b,
        target=site_b,
        kind="site",
        fields="url",
    )
    event.refresh_from_db()
    assert event.actor is None
    assert event.job == "monitor.http"
    with translation.override("en"):
        assert event.actor_name == "system:monitor.http"
    assert event.target_type == ContentType.objects.get_for_model(Site)
    assert event.target_id == str(site_b.pk)
    assert event.target_label == "Portal Disdik"
    assert event.data == {"kind": "site", "fields": "url"}


def test_record_without_a_logged_in_user_names_it_anonymous():
    from django.contrib.auth.models import AnonymousUser

    event = record(verbs.LOGGED_OUT, actor=AnonymousUser())
    assert event.actor is None and event.job == "anonymous"


@pytest.fixture
def written(site_a) -> Event:
    return record(verbs.LOGGED_IN, actor=SystemJob("test"), site=site_a)


def test_saving_a_written_event_again_is_refused(written):
    written.job = "tampered"
    with pytest.raises(AppendOnlyError):
        written.save()
    assert Event.objects.get(pk=written.pk).job == "test"


def test_deleting_an_event_is_refused(written):
    with pytest.raises(AppendOnlyError):
        written.delete()
    assert Event.objects.filter(pk=written.pk).exists()


def test_queryset_update_and_delete_are_refused(written):
    with pytest.raises(AppendOnlyError):
        Event.objects.filter(pk=written.pk).update(job="tampered")
    with pytest.raises(AppendOnlyError):
        Event.objects.update(job="tampered")
    with pytest.raises(AppendOnlyError):
        Event.objects.filter(pk=written.pk).delete()
    with pytest.raises(AppendOnlyError):
        Event.objects.all().delete()
    with pytest.raises(AppendOnlyError), transaction.atomic():  # bulk_update runs inside atomic()
        Event.objects.bulk_update([written], ["job"])
    assert Event.objects.get(pk=written.pk).job == "test"


@pytest.fixture
def indonesian_sentence():
    """An Indonesian translation of one verb sentence, as a compiled catalogue would provide."""
    msgid = "Failed login for {username}"
    catalog = trans_real.translation("id")._catalog
    previous = catalog.get(msgid)
    catalog[msgid] = "Gagal masuk sebagai {username}"
    yield
    if previous is None:
        del catalog._catalogs[0][msgid]
    else:
        catalog[msgid] = previous


def test_message_is_worded_in_the_readers_language(indonesian_sentence):
    event = record(verbs.LOGIN_FAILED, actor=SystemJob("auth"), username="budi")
    with translation.override("id"):
        assert event.message == "Gagal masuk sebagai budi"
    with translation.override("en"):
        assert event.message == "Failed login for budi"


def test_message_falls_back_to_the_english_sentence_without_a_translation():
    event = record(verbs.TOKEN_REVOKED, actor=SystemJob("test"))
    with translation.override("id"):
        assert event.message in {"Revoked an API token", translation.gettext("Revoked an API token")}
    with translation.override("en"):
        assert event.message == "Revoked an API token"


def test_message_falls_back_to_the_code_and_marks_missing_details():
    assert describe("nobody.registered_this", {"object": "x"}) == "nobody.registered_this"
    with translation.override("en"):
        # Data missing a placeholder: the sentence is still shown, the gap marked, not an error.
        assert describe(verbs.LOGIN_FAILED, {}) == "Failed login for …"
        assert describe(verbs.LOGIN_FAILED, {"username": "budi", "extra": 1}) == "Failed login for budi"
