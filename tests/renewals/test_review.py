"""The evidence a maintenance run's renewals step records: a site's services and those of its organisation."""

from __future__ import annotations

from datetime import date

from jagaweb.renewals.review import review_site

TODAY = date(2026, 6, 1)


def test_review_of_a_site(site_a, site_b, org_a, make_service):
    assert not review_site(site_a, TODAY).ok  # nothing recorded is nothing reviewed
    hosting = make_service(site=site_a, name="Hosting", period_end=date(2026, 12, 1))
    make_service(organisation=org_a, kind="connection", name="Astinet", period_end=date(2027, 1, 1))
    make_service(site=site_b, name="Other organisation", period_end=date(2026, 5, 1))
    make_service(site=site_a, name="Retired", period_end=date(2020, 1, 1), is_active=False)
    review = review_site(site_a, TODAY)
    assert [s.name for s in review.services] == ["Hosting", "Astinet"] and review.ok
    hosting.monitored_end = date(2026, 11, 1)
    hosting.save()
    assert not review_site(site_a, TODAY).ok  # monitoring disagrees with the recorded end
    domain = make_service(site=site_a, kind="domain", name="Domain", period_end=date(2026, 6, 20))
    late = make_service(site=site_a, name="Late", period_end=date(2026, 5, 30))
    review = review_site(site_a, TODAY)
    assert [s.service_id for s in review.ending_soon] == [domain.pk]
    assert [s.service_id for s in review.ended] == [late.pk]
    evidence = review.as_evidence()
    assert evidence["on"] == "2026-06-01" and evidence["ended"] == [late.pk] and not evidence["ok"]
    assert evidence["services"][0] == {"id": late.pk, "name": "Late", "kind": "hosting", "period_end": "2026-05-30",
                                       "days_left": -2, "monitored_end": None}
