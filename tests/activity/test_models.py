

def test_event_sentence_translates_the_kind_of_object(db, site_a):
    from django.utils import translation

    from jagaweb.activity.log import SystemJob, record

    event = record("inventory.created", actor=SystemJob("t"), site=site_a, target=site_a, kind="site")
    with translation.override("en"):
        assert event.message == "Created site Portal Kominfo"
    with translation.override("id"):
        assert "site" not in event.message.split() and "Portal Kominfo" in event.message
