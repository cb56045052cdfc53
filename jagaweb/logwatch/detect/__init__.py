"""Attack detection on parsed access-log requests (issue #6, visitor activity watch).

Two entry points, both taking a batch of parsed requests (a Polars DataFrame with the columns file, line,
ip, time, method, target, protocol, request, status, bytes, referer, agent, vhost):

* `detect_requests(frame)` -> per-request findings. Pure; work is done on whole columns (distinct values, an
  Aho-Corasick prefilter, Rust regular expressions) and remembered per distinct value within the process.
* `Behaviour(config).feed(frame)` -> behaviour findings per client over sliding windows, carried across
  batches and files fed in time order; idle clients are forgotten.

Both return frames with `FINDING_SCHEMA`: file, line, ip, time, category, rule, severity, request, detail.
Categories (jagaweb.logwatch.choices.Category): sqli, xss, lfi, rfi, rce (command injection, Shellshock,
template injection), php, scanner (attack tools and bad bots by User-Agent), sensitive-file, webshell,
exploit (known CMS, framework and device exploits, Log4Shell), probing (admin tools, version files, CGI,
malformed request lines, floods of errors, directory busting), brute-force, crawl, flood (request-rate
spikes) and fake-bot. Severities are jagaweb.guard.choices.Severity. `catalogue.markdown_table()` lists every
rule with its severity and meaning. The package imports no Django: it names categories and severities with
the plain enums of `kinds`, whose values are those of the two TextChoices.
"""

from jagaweb.logwatch.detect.behaviour import Behaviour, BehaviourConfig, confirm_fake_bots
from jagaweb.logwatch.detect.engine import FINDING_SCHEMA, detect_requests

__all__ = ["FINDING_SCHEMA", "Behaviour", "BehaviourConfig", "confirm_fake_bots", "detect_requests"]
