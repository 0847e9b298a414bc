"""Heartbeats: when a periodic process last proved it runs (beat, through `core.beat_heartbeat`)."""

import datetime

from django.utils import timezone

from .models import Heartbeat


def heartbeat_record(name: str, at: datetime.datetime | None = None) -> None:
    Heartbeat.objects.update_or_create(name=name, defaults={"at": at or timezone.now()})


def heartbeat_last(name: str) -> datetime.datetime | None:
    return Heartbeat.objects.filter(name=name).values_list("at", flat=True).first()
