import factory

from chat.models import Chat, ChatMember, Message
from users.tests.factories import UserFactory


class ChatFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Chat
        skip_postgeneration_save = True

    name = factory.Sequence(lambda n: f"chat-{n}")
    display_name = factory.Sequence(lambda n: f"Chat {n}")
    owner = factory.SubFactory(UserFactory)

    @factory.post_generation
    def with_owner(chat, create, extracted, **kwargs):
        if create and chat.owner_id:
            ChatMember.objects.get_or_create(chat=chat, user=chat.owner, defaults={"is_admin": True})


class ChatMemberFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ChatMember

    chat = factory.SubFactory(ChatFactory)
    user = factory.SubFactory(UserFactory)


class MessageFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Message

    chat = factory.SubFactory(ChatFactory)
    author = factory.SubFactory(UserFactory)
    text = factory.Faker("sentence")


def chat_with(*members, owner=None, **fields) -> Chat:
    chat = ChatFactory(owner=owner or UserFactory(), **fields)
    for member in members:
        ChatMember.objects.get_or_create(chat=chat, user=member)
    return chat
