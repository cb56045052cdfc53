"""The three sample government websites the demo runs, and who owns them.

Everything here is invented: Kabupaten Contoh ("Example Regency") does not exist, and e-mail
addresses use the reserved `.example` domain so a demo can never write to a real office.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

CONTENT_DIR = Path(__file__).resolve().parent / "content"
EMAIL_DOMAIN = "kabupatencontoh.example"


@dataclass(frozen=True)
class SiteSpec:
    slug: str
    name: str
    organisation_name: str
    organisation_code: str
    address: str
    phone: str
    preferred_port: int
    # Days since the site was last updated: its pages are dated as of that day, so the content check
    # finds the site stale (0: updated today).
    stale_days: int = 0

    @property
    def content(self) -> Path:
        return CONTENT_DIR / self.slug

    @property
    def email(self) -> str:
        return f"{self.organisation_code}@{EMAIL_DOMAIN}"


SAMPLE_SITES: tuple[SiteSpec, ...] = (
    SiteSpec(
        slug="diskominfo",
        name="Portal Diskominfo Kabupaten Contoh",
        organisation_name="Dinas Komunikasi dan Informatika Kabupaten Contoh",
        organisation_code="diskominfo",
        address="Jl. Merdeka No. 17, Kota Contoh",
        phone="(0123) 456 701",
        preferred_port=8081,
    ),
    SiteSpec(
        slug="pn-contoh",
        name="Pengadilan Negeri Contoh",
        organisation_name="Pengadilan Negeri Contoh",
        organisation_code="pn-contoh",
        address="Jl. Sudirman No. 5, Kota Contoh",
        phone="(0123) 456 702",
        preferred_port=8082,
        stale_days=45,  # nobody has posted since: the dashboard shows its content stale
    ),
    SiteSpec(
        slug="disdik",
        name="Dinas Pendidikan Kabupaten Contoh",
        organisation_name="Dinas Pendidikan Kabupaten Contoh",
        organisation_code="disdik",
        address="Jl. Pahlawan No. 9, Kota Contoh",
        phone="(0123) 456 703",
        preferred_port=8083,
    ),
)

# The organisation whose staff member ("opd") sees only its own site in the demo.
ORG_MEMBER_SITE = "disdik"
# The site the demo's banner suggests switching off, to watch the dashboard show it down.
STOPPABLE_SITE = "disdik"
# The site `jagaweb demo attack` attacks unless told another.
ATTACKED_SITE = "diskominfo"


def spec_for(slug: str) -> SiteSpec:
    for spec in SAMPLE_SITES:
        if spec.slug == slug:
            return spec
    raise KeyError(f"no sample site {slug!r}")
