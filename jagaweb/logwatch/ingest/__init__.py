"""Live ingest of each site's access logs (issue #6): `ingest_site(site)` reads what was written since the
last run, with persisted cursors that survive rotation and restarts (see run.py and ../following.py)."""

from jagaweb.logwatch.ingest.run import ConcurrentIngest, IngestReport, SiteIngest, ingest_site

__all__ = ["ConcurrentIngest", "IngestReport", "SiteIngest", "ingest_site"]
