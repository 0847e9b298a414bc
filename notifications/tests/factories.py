import factory

from accounts.tests.factories import MemberFactory
from notifications.models import OutboxMessage


class OutboxMessageFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = OutboxMessage

    kind = OutboxMessage.Kind.COORDINATOR_DIGEST
    recipient = factory.SubFactory(MemberFactory)
    period = factory.Sequence(lambda n: f"2027-W{n % 52 + 1:02d}-{n}")
