"""Sending: `notify()` decides which channels get a message, `deliver()` makes one attempt at one delivery.

Attempts are claimed with a compare-and-swap on `attempts`, so the delivery task, the retry job and a
duplicated task never make the same attempt twice. A claim also pushes `next_attempt_at` out by a
lease: if a worker dies mid-send, the retry job picks the delivery up again when the lease ends.
"""

from __future__ import annotations

import logging
import uuid
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import timedelta
from pathlib import PurePath
from typing import Any

from django.conf import settings
from django.core.files.base import ContentFile
from django.db import transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _

from jagaweb.activity.choices import Severity
from jagaweb.activity.log import SystemJob, record
from jagaweb.inventory.models import Organisation, Site
from jagaweb.notify import verbs
from jagaweb.notify.choices import DeliveryStatus, MessageKind
from jagaweb.notify.models import Channel, Delivery, DeliveryAttempt, Message
from jagaweb.notify.transports import Outgoing, TransportError
from jagaweb.notify.transports.base import Attachment
from jagaweb.people.models import Role

logger = logging.getLogger(__name__)

MAX_ATTEMPTS = 5
BACKOFF = (timedelta(minutes=1), timedelta(minutes=5), timedelta(minutes=15), timedelta(minutes=60))
LEASE = timedelta(minutes=5)
# A pending delivery whose task never ran (a lost enqueue) is taken by the retry job after this.
PENDING_GRACE = timedelta(minutes=2)
OPEN_STATUSES = (DeliveryStatus.PENDING, DeliveryStatus.RETRYING)
ACTOR = SystemJob("notify")


def resolve_audience(audience: Iterable[Role | str] | None) -> list[Role]:
    """Roles given as Role objects or as role kinds (RoleKind values)."""
    roles = [item for item in audience or () if isinstance(item, Role)]
    kinds = [str(item) for item in audience or () if not isinstance(item, Role)]
    if kinds:
        roles += list(Role.objects.filter(kind__in=kinds))
    return roles


def organisation_chain(organisation: Organisation | None) -> set[int]:
    """The organisation and every parent above it: a channel for a parent also hears about its units."""
    chain: set[int] = set()
    while organisation is not None and organisation.pk not in chain:
        chain.add(organisation.pk)
        organisation = organisation.parent
    return chain


def channel_matches(channel: Channel, severity: str, audience: set[int], organisations: set[int]) -> bool:
    if Severity.rank(severity) < Severity.rank(channel.min_severity):
        return False
    channel_roles = {role.pk for role in channel.roles.all()}
    if channel_roles and audience and not channel_roles & audience:
        return False
    channel_orgs = {org.pk for org in channel.organisations.all()}
    return not channel_orgs or bool(channel_orgs & organisations)


def route(severity: str, organisation: Organisation | None, roles: list[Role]) -> list[Channel]:
    audience = {role.pk for role in roles}
    organisations = organisation_chain(organisation)
    channels = Channel.objects.filter(enabled=True).prefetch_related("roles", "organisations")
    return [channel for channel in channels if channel_matches(channel, severity, audience, organisations)]


def chosen(channels: Iterable[Channel]) -> list[Channel]:
    """The named channels that are enabled now (read again: the caller's copies may be stale)."""
    return list(Channel.objects.filter(pk__in=[channel.pk for channel in channels], enabled=True))


def notify(
    title: str,
    body: str = "",
    *,
    severity: str = Severity.INFO,
    site: Site | None = None,
    organisation: Organisation | None = None,
    audience: Iterable[Role | str] | None = None,
    kind: str = MessageKind.ALERT,
    channels: Iterable[Channel] | None = None,
    attachment: Attachment | None = None,
) -> Message:
    """Record a message and queue one delivery per matching channel (sent after the commit).

    `channels`: exactly these (the enabled ones among them), instead of routing by severity, organisation
    and roles; a report schedule names its channels. `attachment` is stored with the message and sent
    as a file by e-mail and Telegram.
    """
    organisation = organisation or (site.organisation if site is not None else None)
    roles = resolve_audience(audience)
    message = Message(
        title=title[:200], body=body, severity=severity, kind=kind, site=site, organisation=organisation
    )
    if attachment is not None:
        store_attachment(message, attachment)
    try:
        with transaction.atomic():
            message.save()
            if roles:
                message.audience_roles.set(roles)
            targets = chosen(channels) if channels is not None else route(severity, organisation, roles)
            for channel in targets:
                enqueue(Delivery.objects.create(
                    message=message, channel=channel, channel_name=channel.name,
                    next_attempt_at=timezone.now() + PENDING_GRACE,
                ))
    except Exception:
        if message.attachment:
            message.attachment.delete(save=False)  # no row points at it
        raise
    return message


def store_attachment(message: Message, attachment: Attachment) -> None:
    """Write the file under a random name (what people named it is kept in the row, not in the path)."""
    stored_name = uuid.uuid4().hex + PurePath(attachment.name).suffix.lower()[:20]
    message.attachment.save(stored_name, ContentFile(attachment.content), save=False)
    message.attachment_name = attachment.name[:255]
    message.attachment_type = attachment.mime_type[:100]


def read_attachment(message: Message) -> Attachment | None:
    """The stored file as transports send it; FileNotFoundError when it has gone from the disk."""
    if not message.attachment:
        return None
    with message.attachment.open("rb") as file:
        content = file.read()
    name = message.attachment_name or PurePath(str(message.attachment.name)).name
    return Attachment(name, content, message.attachment_type or "application/octet-stream")


def enqueue(delivery: Delivery) -> None:
    from jagaweb.notify.tasks import deliver_task

    # robust: a failed enqueue is logged, and the retry job sends the delivery after PENDING_GRACE.
    transaction.on_commit(lambda: deliver_task.enqueue(delivery.pk), robust=True)


def outgoing(message: Message) -> Outgoing:
    site = message.site
    attachment = read_attachment(message)
    return Outgoing(
        title=message.title, body=message.body, severity=message.severity, time=message.created_at,
        url=settings.BASE_URL + message.get_absolute_url(),
        site=site.name if site is not None else None, site_url=site.url if site is not None else None,
        attachments=(attachment,) if attachment is not None else (),
    )


@dataclass(frozen=True)
class Outcome:
    ok: bool
    error: str = ""
    response: str = ""
    permanent: bool = False  # retrying cannot help


def attempt(delivery: Delivery) -> Outcome:
    channel = delivery.channel
    if channel is None:
        return Outcome(False, _("The channel was deleted."), permanent=True)
    if not channel.enabled and delivery.message.kind != MessageKind.TEST:
        return Outcome(False, _("The channel is disabled."), permanent=True)
    try:
        transport = channel.transport()
    except ValueError as exc:  # secrets that cannot be decrypted or read
        return Outcome(False, str(exc), permanent=True)
    try:
        sending = outgoing(delivery.message)
    except FileNotFoundError:
        return Outcome(False, _("The attachment file is missing."), permanent=True)
    try:
        return Outcome(True, response=transport.send(sending))
    except TransportError as exc:
        return Outcome(False, str(exc), exc.response, permanent=exc.permanent)
    except Exception as exc:
        # A bug or a library surprise must not lose the delivery; it is retried like any failure.
        logger.exception("delivery %s: unexpected error", delivery.pk)
        return Outcome(False, transport.redact(f"{type(exc).__name__}: {exc}"))


def claim(delivery: Delivery) -> bool:
    lease_end = timezone.now() + LEASE
    unclaimed = Delivery.objects.filter(pk=delivery.pk, attempts=delivery.attempts, status__in=OPEN_STATUSES)
    moved = unclaimed.update(attempts=F("attempts") + 1, next_attempt_at=lease_end)
    if moved:
        delivery.attempts += 1
        delivery.next_attempt_at = lease_end
    return bool(moved)


def deliver(delivery: Delivery, *, retry: bool = True) -> bool:
    """One attempt; on failure schedule the next (1, 5, 15, 60 min) or give up after MAX_ATTEMPTS."""
    if not claim(delivery):
        delivery.refresh_from_db()
        return delivery.status == DeliveryStatus.SENT
    outcome = attempt(delivery)
    now = timezone.now()
    DeliveryAttempt.objects.create(
        delivery=delivery, at=now, ok=outcome.ok, error=outcome.error, response=outcome.response[:500]
    )
    if outcome.ok:
        delivery.status, delivery.sent_at, delivery.next_attempt_at, delivery.last_error = (
            DeliveryStatus.SENT, now, None, ""
        )
    elif retry and not outcome.permanent and delivery.attempts < MAX_ATTEMPTS:
        delivery.status, delivery.last_error = DeliveryStatus.RETRYING, outcome.error
        delivery.next_attempt_at = now + BACKOFF[min(delivery.attempts, len(BACKOFF)) - 1]
    else:
        delivery.status, delivery.last_error = DeliveryStatus.FAILED, outcome.error
        delivery.next_attempt_at = None
    delivery.save(update_fields=["status", "sent_at", "next_attempt_at", "last_error"])
    record_outcome(delivery)
    return outcome.ok


def record_outcome(delivery: Delivery) -> None:
    message = delivery.message
    if message.kind == MessageKind.TEST:
        return  # send_test records the test with the person who asked for it
    common: dict[str, Any] = {
        "actor": ACTOR, "site": message.site, "organisation": message.organisation, "target": message,
        "channel": delivery.channel_name,
    }
    if delivery.status == DeliveryStatus.SENT:
        record(verbs.MESSAGE_SENT, severity=Severity.INFO, kind=message.kind, **common)
    elif delivery.status == DeliveryStatus.FAILED:
        record(
            verbs.DELIVERY_FAILED, severity=Severity.WARNING, attempts=delivery.attempts,
            error=delivery.last_error[:500], **common,
        )


def send_test(channel: Channel, actor: Any) -> Delivery:
    """Send a test message through one channel now, whatever its routing; one attempt, no retries."""
    with transaction.atomic():
        message = Message.objects.create(
            title=_("Test message from JagaWeb"),
            body=_("If you can read this, the channel “%(name)s” works.") % {"name": channel.name},
            kind=MessageKind.TEST,
        )
        delivery = Delivery.objects.create(message=message, channel=channel, channel_name=channel.name)
    ok = deliver(delivery, retry=False)
    record(
        verbs.TEST_SENT, actor=actor, target=channel, severity=Severity.INFO if ok else Severity.WARNING,
        channel=channel.name, ok=ok, result=_("sent") if ok else delivery.last_error[:500],
    )
    return delivery
