import factory
from django.utils import timezone

from calls.models import Call, CallType


class CallFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Call

    binotel_id = factory.Sequence(lambda n: f"{9000000 + n}")
    type = CallType.INCOMING
    internal_number = "901"
    external_number = factory.Sequence(lambda n: f"+38067{n:07d}")
    started_at = factory.LazyFunction(timezone.now)
    wait_seconds = 5
    talk_seconds = 60
    disposition = "ANSWER"
