

def test_site_filter_becomes_a_text_search_with_many_sites(admin_client, org_a, settings):
    from jagaweb.activity.log import SystemJob, record
    from jagaweb.inventory.models import Site

    settings.LANGUAGE_CODE = "en"
    Site.objects.bulk_create(
        Site(slug=f"s-{n}", name=f"Website {n:03}", url=f"https://s{n}.contoh.go.id/", organisation=org_a)
        for n in range(301)
    )
    wanted = Site.objects.get(slug="s-250")
    record("inventory.changed", actor=SystemJob("t"), site=wanted, target=wanted, kind="site", fields="name")
    record("inventory.changed", actor=SystemJob("t"), site=Site.objects.get(slug="s-1"), kind="site", fields="x")
    page = admin_client.get("/activity/")
    assert b'name="site_text"' in page.content and b"Website 299</option>" not in page.content
    found = admin_client.get("/activity/?site_text=Website+250")
    assert found.content.count(b"Website 250") >= 1 and b"Website 001" not in found.content
