"""Pages for channels (global configuration), the delivery log and messages."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import messages
from django.contrib.auth.mixins import PermissionRequiredMixin
from django.db.models import QuerySet
from django.forms import ModelForm
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseBase, HttpResponseRedirect
from django.shortcuts import get_object_or_404, render
from django.urls import reverse, reverse_lazy
from django.utils.translation import gettext as _
from django.views import View
from django.views.generic import CreateView, DeleteView, DetailView, ListView, UpdateView

from jagaweb.activity.log import record
from jagaweb.notify import verbs
from jagaweb.notify.choices import ChannelKind
from jagaweb.notify.dispatch import send_test
from jagaweb.notify.filters import DeliveryFilter, without_page
from jagaweb.notify.forms import ChannelForm
from jagaweb.notify.models import Channel, Delivery, Message
from jagaweb.notify.transports import TRANSPORTS

PAGE_SIZE = 50
RECENT_DELIVERIES = 10


def visible_deliveries(request: HttpRequest) -> QuerySet[Delivery]:
    messages_seen = Message.objects.visible_to(request.user)
    return Delivery.objects.filter(message__in=messages_seen).select_related("message__site", "channel")


def channel_settings(channel: Channel) -> list[tuple[str, Any]]:
    """(label, value) of the plain settings, in the order the transport declares them."""
    rows = []
    for name, field in TRANSPORTS[channel.kind].config_fields.items():
        value = channel.config.get(name)
        if isinstance(value, list):
            value = ", ".join(str(item) for item in value)
        elif isinstance(field, forms.ChoiceField):
            value = dict(field.choices).get(value, value)  # type: ignore[arg-type]
        rows.append((str(field.label or name), value))
    return rows


def channel_secrets(channel: Channel) -> list[tuple[str, bool]]:
    """(label, is stored) of the secret settings; the values never reach a page."""
    stored = set(channel.stored_secrets)
    return [
        (str(field.label or name), name in stored)
        for name, field in TRANSPORTS[channel.kind].secret_fields.items()
    ]


class VisibleChannels:
    request: HttpRequest

    def get_queryset(self) -> QuerySet[Channel]:
        return Channel.objects.visible_to(self.request.user).prefetch_related("roles", "organisations")


class ChannelListView(PermissionRequiredMixin, VisibleChannels, ListView):
    permission_required = "notify.view_channel"
    template_name = "notify/channel_list.html"
    context_object_name = "channels"


class ChannelDetailView(PermissionRequiredMixin, VisibleChannels, DetailView):
    permission_required = "notify.view_channel"
    template_name = "notify/channel_detail.html"
    context_object_name = "channel"
    object: Channel

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        channel = self.object
        context.update(
            settings_rows=channel_settings(channel),
            secret_rows=channel_secrets(channel),
            deliveries=visible_deliveries(self.request).filter(channel=channel)[:RECENT_DELIVERIES],
        )
        return context


class ChannelFormMixin:
    """Builds ChannelForm for the channel's kind and the current user."""

    request: HttpRequest

    def channel_kind(self) -> str:
        raise NotImplementedError

    def get_form_kwargs(self) -> dict[str, Any]:
        kwargs: dict[str, Any] = super().get_form_kwargs()  # type: ignore[misc]
        kwargs.update(kind=self.channel_kind(), user=self.request.user)
        return kwargs

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context: dict[str, Any] = super().get_context_data(**kwargs)  # type: ignore[misc]
        context["kind_label"] = ChannelKind(self.channel_kind()).label
        return context


class ChannelCreateView(PermissionRequiredMixin, ChannelFormMixin, CreateView):
    """Without ?kind= the page offers the kinds; with it, the form for that kind."""

    permission_required = "notify.add_channel"
    template_name = "notify/channel_form.html"
    form_class = ChannelForm
    object: Channel | None

    def channel_kind(self) -> str:
        kind = self.request.GET.get("kind", "")
        if kind not in ChannelKind.values:
            raise Http404(_("Unknown channel kind."))
        return kind

    def get(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        if "kind" not in request.GET:
            return render(request, "notify/channel_kind.html", {"kinds": ChannelKind.choices})
        return super().get(request, *args, **kwargs)

    def form_valid(self, form: ModelForm[Any]) -> HttpResponse:
        response = super().form_valid(form)
        channel = form.instance
        record(verbs.CHANNEL_CREATED, actor=self.request.user, target=channel, kind=channel.kind)
        messages.success(self.request, _("The channel was created. Send a test message to check it."))
        return response


class ChannelUpdateView(PermissionRequiredMixin, VisibleChannels, ChannelFormMixin, UpdateView):
    permission_required = "notify.change_channel"
    template_name = "notify/channel_form.html"
    form_class = ChannelForm
    object: Channel

    def channel_kind(self) -> str:
        return self.object.kind  # UpdateView loads the object before it builds the form

    def form_valid(self, form: ModelForm[Any]) -> HttpResponse:
        response = super().form_valid(form)
        if form.changed_data:
            record(
                verbs.CHANNEL_CHANGED, actor=self.request.user, target=form.instance,
                fields=", ".join(form.changed_data),
            )
        messages.success(self.request, _("The channel was saved."))
        return response


class ChannelDeleteView(PermissionRequiredMixin, VisibleChannels, DeleteView):
    permission_required = "notify.delete_channel"
    model = Channel
    template_name = "notify/channel_confirm_delete.html"
    context_object_name = "channel"
    success_url = reverse_lazy("notify:channel_list")
    object: Channel

    def form_valid(self, form: Any) -> HttpResponse:
        # Recorded first, while the channel still has its id and name.
        record(verbs.CHANNEL_DELETED, actor=self.request.user, target=self.object, kind=self.object.kind)
        messages.success(self.request, _("The channel was deleted; its delivery log is kept."))
        return super().form_valid(form)


class ChannelTestView(PermissionRequiredMixin, View):
    """POST: send a test message now; htmx gets the result in place, others a message and a redirect."""

    permission_required = "notify.send_channel"
    http_method_names = ["post"]

    def post(self, request: HttpRequest, pk: int) -> HttpResponseBase:
        channel = get_object_or_404(Channel.objects.visible_to(request.user), pk=pk)
        delivery = send_test(channel, request.user)
        if getattr(request, "htmx", False):
            return render(request, "notify/_test_result.html", {"delivery": delivery})
        if delivery.sent_at:
            messages.success(request, _("The test message was sent."))
        else:
            messages.error(request, _("The test message failed: %(error)s") % {"error": delivery.last_error})
        return HttpResponseRedirect(reverse("notify:channel_detail", args=[channel.pk]))


class DeliveryListView(PermissionRequiredMixin, ListView):
    permission_required = "notify.view_delivery"
    template_name = "notify/delivery_list.html"
    paginate_by = PAGE_SIZE

    def get_queryset(self) -> QuerySet[Delivery]:
        deliveries = visible_deliveries(self.request)
        self.filterset = DeliveryFilter(self.request.GET, queryset=deliveries, request=self.request)
        return self.filterset.qs

    def get_template_names(self) -> list[str]:
        if getattr(self.request, "htmx", False):
            return ["notify/_delivery_table.html"]
        return [self.template_name]

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        context.update(filter=self.filterset, query=without_page(self.request.GET))
        return context


class MessageDetailView(PermissionRequiredMixin, DetailView):
    permission_required = "notify.view_message"
    template_name = "notify/message_detail.html"
    context_object_name = "message_obj"  # "message" would shadow the messages framework's loop variable

    def get_queryset(self) -> QuerySet[Message]:
        return Message.objects.visible_to(self.request.user).select_related("site", "organisation")

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        deliveries = self.object.deliveries.select_related("channel").prefetch_related("attempt_log")
        context["deliveries"] = deliveries
        return context
