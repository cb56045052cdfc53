from django.urls import reverse


def test_default_is_indonesian_whatever_the_browser_asks(client, settings):
    settings.LANGUAGE_CODE = "id"
    page = client.get(reverse("login"), HTTP_ACCEPT_LANGUAGE="en-US,en;q=0.9")
    assert page.content.count(b'lang="id"') == 1


def test_a_chosen_language_wins(client, settings):
    settings.LANGUAGE_CODE = "id"
    client.post(reverse("set_language"), {"language": "en", "next": "/login/"})
    assert b'lang="en"' in client.get(reverse("login"), HTTP_ACCEPT_LANGUAGE="id").content
