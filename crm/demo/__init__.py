"""Demo data: the CRM of a small Ukrainian online shop, for seeing the product without typing it in.

`seed_demo()` fills a fresh install: one that holds nothing but owner accounts and the rows the
migrations wrote. On a database that it has seeded already it writes nothing; on any other it
refuses (`DemoRefused`) and writes nothing either. What it makes is the same on every install
(a seeded random generator; dates are counted back from the day it runs), in one transaction.

Plain rows without side effects (contacts, companies, deals, orders, products, promotions) go in
with `bulk_create`; what keeps invariants in a service goes through it: the department tree,
tasks and their shares, chats, memberships and messages, calls (matched to contacts, employees
and leads by `call_upsert`, which also writes the contacts' call events).

Demo accounts are recognised by their email domain (`DEMO_EMAIL_DOMAIN`, reserved by RFC 2606 so
that no mail reaches anyone); customers' emails are on reserved domains too. Calls' Binotel ids
start with `CALL_ID_PREFIX` and shop records come from the `DEMO_SOURCE` backend, so neither can
ever meet a real one.

A feature above every app, which it imports; only the `seed_demo` command uses it.
"""

import datetime
import random
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path

from django.apps import apps
from django.conf import settings
from django.contrib.auth.hashers import make_password
from django.db import models, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from calls.models import Call, CallType
from calls.services import Batch, CallPiece, call_upsert
from chat.models import Chat, ChatMember, Message
from chat.services import chat_create, chat_direct, chat_mark_read, message_create
from companies.models import Company
from companies.validators import edrpou_check_digit, validate_edrpou
from contacts.models import Contact, Phone
from crm.api.phones import normalize_phone
from dashboard.metrics import derived
from dashboard.models import MonthlyAnalytics
from deals.models import (
    Deal,
    DealKind,
    DealStatus,
    Order,
    OrderCoupon,
    OrderItem,
    PaymentStatus,
    Pipeline,
    Product,
    SendStatus,
    ShopStatusMapping,
    Stage,
)
from leads.models import Lead, LeadSource, LeadStatus
from notifications.kinds import KINDS
from notifications.models import NotificationPreference
from promotions.models import Discount, PromoCode, Promotion
from tasks.models import Priority, Task
from tasks.services import project_create, tag_create, task_create, task_finish, task_share_respond
from timetracker.models import Segment, WorkPeriod
from users.models import Department, Role, User
from users.services import department_create

DEMO_EMAIL_DOMAIN = "demo.example.com"
CALL_ID_PREFIX = "demo-"
DEMO_SOURCE = "demo"
SEED = 2026

# Configuration the migrations write, which a fresh install holds and the demo builds on.
MIGRATION_MODELS = ("deals.Pipeline", "deals.Stage", "deals.ShopStatusMapping")
# Rows that say nothing about use: a socket ticket lives 30 seconds.
TRANSIENT_MODELS = ("users.WebSocketTicket",)


class DemoRefused(Exception):
    """The database is not one to seed; the message tells the operator why."""


# --- what the shop and its people are called

COMPANY_NAME = "Зелена Полиця"

# key, first name, last name, patronymic, role, department key, internal number, birth date
STAFF = [
    ("admin", "Андрій", "Мельник", "Петрович", Role.ADMIN, "company", "101", datetime.date(1984, 3, 12)),
    ("sales_head", "Олена", "Коваленко", "Іванівна", Role.MANAGER, "sales", "102", datetime.date(1988, 7, 5)),
    ("retail_head", "Тарас", "Бондаренко", "Олегович", Role.MANAGER, "retail", "103", datetime.date(1990, 11, 23)),
    ("support_head", "Віктор", "Шевчук", "Миколайович", Role.MANAGER, "support", "104", datetime.date(1986, 1, 30)),
    ("retail_1", "Ірина", "Ткаченко", "Василівна", Role.EMPLOYEE, "retail", "105", datetime.date(1995, 5, 17)),
    ("retail_2", "Максим", "Кравченко", "Юрійович", Role.EMPLOYEE, "retail", "106", datetime.date(1997, 9, 2)),
    ("corporate_1", "Наталія", "Олійник", "Сергіївна", Role.EMPLOYEE, "corporate", "107", datetime.date(1993, 2, 14)),
    ("support_1", "Софія", "Лисенко", "Андріївна", Role.EMPLOYEE, "support", "108", datetime.date(1999, 12, 8)),
]
# key, name, parent key, head key: a tree of three levels under the company.
DEPARTMENTS = [
    ("company", COMPANY_NAME, None, "admin"),
    ("sales", "Відділ продажів", "company", "sales_head"),
    ("retail", "Роздрібні продажі", "sales", "retail_head"),
    ("corporate", "Корпоративні продажі", "sales", None),
    ("support", "Служба підтримки", "company", "support_head"),
]
SALES_STAFF = ("sales_head", "retail_head", "retail_1", "retail_2", "corporate_1")

MALE_NAMES = [
    "Олександр", "Андрій", "Дмитро", "Сергій", "Володимир", "Іван", "Максим", "Тарас", "Богдан", "Юрій",
    "Олег", "Василь", "Микола", "Петро", "Роман", "Віталій", "Ярослав", "Назар", "Остап", "Степан",
]  # fmt: skip
FEMALE_NAMES = [
    "Олена", "Ірина", "Наталія", "Оксана", "Тетяна", "Марія", "Юлія", "Анна", "Світлана", "Людмила",
    "Катерина", "Софія", "Дарина", "Вікторія", "Галина", "Ольга", "Христина", "Соломія", "Леся", "Мирослава",
]  # fmt: skip
# The father's name, as a son's and a daughter's patronymic.
PATRONYMICS = [
    ("Олександрович", "Олександрівна"), ("Андрійович", "Андріївна"), ("Дмитрович", "Дмитрівна"),
    ("Сергійович", "Сергіївна"), ("Володимирович", "Володимирівна"), ("Іванович", "Іванівна"),
    ("Петрович", "Петрівна"), ("Васильович", "Василівна"), ("Миколайович", "Миколаївна"),
    ("Юрійович", "Юріївна"), ("Михайлович", "Михайлівна"), ("Степанович", "Степанівна"),
    ("Богданович", "Богданівна"), ("Олегович", "Олегівна"), ("Вікторович", "Вікторівна"),
]  # fmt: skip
# Surnames that a man and a woman share, and pairs that differ.
SURNAMES = [
    "Коваленко", "Бондаренко", "Ткаченко", "Кравченко", "Шевченко", "Олійник", "Шевчук", "Поліщук", "Бойко",
    "Ткачук", "Мельник", "Марченко", "Руденко", "Савченко", "Петренко", "Кузьменко", "Павленко", "Левченко",
    "Гончаренко", "Литвиненко", "Мороз", "Лисенко", "Карпенко", "Семенюк", "Гаврилюк", "Кравчук", "Романюк",
    "Зінченко", "Дорошенко", "Іваненко", "Федоренко", "Присяжнюк", "Остапчук", "Давиденко", "Костенко",
    "Мартинюк", "Сидоренко", "Панченко", "Пономаренко", "Яковенко",
]  # fmt: skip
GENDERED_SURNAMES = [("Ковальський", "Ковальська"), ("Вишневський", "Вишневська"), ("Соболевський", "Соболевська")]
# Mobile operators' codes (Kyivstar, Vodafone, lifecell).
MOBILE_CODES = ["50", "66", "95", "99", "67", "68", "96", "97", "98", "63", "73", "93"]
CUSTOMER_EMAIL_DOMAINS = ["example.com", "example.net", "example.org"]
PAYMENT_METHODS = ["Оплата карткою онлайн", "Накладений платіж", "Безготівковий розрахунок", "Google Pay"]
DELIVERY_METHODS = ["Відділення", "Поштомат", "Кур'єр"]
DELIVERY_COMPANIES = ["Нова пошта", "Укрпошта", "Meest"]

COMPANIES = [
    "ТОВ «Агроцентр Поділля»", "ТОВ «Дніпро Трейд»", "ПП «Зелений світ»", "ТОВ «Карпатські ласощі»",
    "ТОВ «Львівська майстерня»", "ТОВ «Садовий двір»", "ПП «Полтавські пасіки»", "ТОВ «Київ Флора»",
    "ТОВ «Буковина Еко»", "ТОВ «Чорноморська оранжерея»", "ТОВ «Слобожанська нива»", "ТОВ «Волинь Агро»",
]  # fmt: skip

# name, package, price
PRODUCTS = [
    ("Насіння томатів «Бичаче серце»", "пакет 0,5 г", "18.00"),
    ("Насіння огірків «Ніжинський»", "пакет 1 г", "15.00"),
    ("Насіння базиліку фіолетового", "пакет 0,3 г", "12.00"),
    ("Цибуля-сіянка «Штутгартер»", "1 кг", "85.00"),
    ("Добриво універсальне", "2 кг", "145.00"),
    ("Біогумус", "5 л", "120.00"),
    ("Субстрат для розсади", "10 л", "95.00"),
    ("Горщик керамічний", "2 л", "260.00"),
    ("Горщик пластиковий", "0,5 л", "35.00"),
    ("Касети для розсади", "10 шт.", "60.00"),
    ("Лійка садова", "5 л", "180.00"),
    ("Секатор", "шт.", "420.00"),
    ("Рукавички садові", "пара", "75.00"),
    ("Шланг поливальний 20 м", "шт.", "690.00"),
    ("Розпилювач ручний", "1,5 л", "230.00"),
    ("Кілочки бамбукові 90 см", "25 шт.", "110.00"),
    ("Агроволокно біле 3,2 × 10 м", "рулон", "310.00"),
    ("Фітолампа LED", "шт.", "540.00"),
    ("Набір для крапельного поливу", "набір", "980.00"),
    ("Садова тачка", "шт.", "2450.00"),
    ("Граблі віялові", "шт.", "265.00"),
    ("Лопата штикова", "шт.", "390.00"),
    ("Компостер 300 л", "шт.", "1850.00"),
    ("Насіння газонної трави", "1 кг", "240.00"),
]
DEAL_FAILURE_REASONS = [
    "Клієнт передумав",
    "Немає товару в наявності",
    "Не вдалося зв'язатися з клієнтом",
    "Знайшов дешевше",
    "Не влаштувала вартість доставки",
]
CUSTOM_DEAL_DESCRIPTIONS = [
    "Оптове замовлення для садового центру з відстрочкою платежу",
    "Комплектація теплиці під ключ з доставкою та монтажем",
    "Щомісячне постачання субстрату для розсадника",
]
LEAD_NOTES = [
    "Цікавиться оптовими цінами",
    "Просить передзвонити після 18:00",
    "Хоче консультацію щодо крапельного поливу",
    "Запитує про доставку до Ужгорода",
    "Залишив заявку на сайті, чекає на дзвінок",
    "",
]
LEAD_FAILURE_REASONS = ["Не відповідає на дзвінки", "Купив у конкурента", "Помилкова заявка"]

PROJECTS = [
    ("Весняний сезон", "Підготовка асортименту та складу до весняного сезону."),
    ("Програма лояльності", "Запуск бонусів для постійних клієнтів."),
]
TAGS = ["дзвінок", "доставка", "оплата", "VIP", "склад"]
TASK_NAMES = [
    "Передзвонити клієнту щодо замовлення",
    "Підготувати комерційну пропозицію",
    "Перевірити оплату замовлення",
    "Узгодити доставку з клієнтом",
    "Оновити прайс-лист",
    "Провести інвентаризацію складу",
    "Відповісти на відгук у магазині",
    "Підготувати звіт за тиждень",
    "Зустріч із постачальником насіння",
    "Налаштувати email-розсилку",
    "Перевірити залишки добрив",
    "Скласти план закупівель",
]
REMIND_TEXTS = ["Не забути передзвонити", "Перевірити до обіду", "Звіт до 17:00"]

# (author key, text) in order; "@nickname" mentions a colleague.
GENERAL_CHAT = [
    ("admin", "Доброго ранку, колеги! Нагадую: у п'ятницю інвентаризація складу."),
    ("sales_head", "Дякую, Андрію. Відділ продажів буде на місці з 9:00."),
    ("support_1", "У нас сьогодні багато питань про доставку насіння поштоматами."),
    ("support_head", "@sofiia, зберімо відповіді у базі знань, щоб не писати щоразу."),
    ("retail_1", "Нова пошта затримує відправлення на Львів на день."),
    ("retail_head", "Попередимо клієнтів у листі з трекінгом."),
    ("corporate_1", "Садовий двір хоче оптову знижку на компостери, @olena, глянеш?"),
    ("sales_head", "Так, після обіду зателефоную їм."),
    ("retail_2", "Фітолампи закінчуються, лишилося 6 штук."),
    ("admin", "Замовлення постачальнику вже відправлене, прийде в четвер."),
]
SALES_CHAT = [
    ("sales_head", "План на тиждень: закрити всі замовлення в статусі «Shipped»."),
    ("retail_head", "У роздробі 12 відкритих угод, більшість чекають оплату."),
    ("retail_1", "Беру на себе дзвінки по неоплачених."),
    ("corporate_1", "Агроцентр Поділля просить рахунок на передоплату."),
    ("sales_head", "@nataliia, виставляй, умови стандартні."),
]
NEWS_CHANNEL = [
    ("admin", "Стартував весняний розпродаж насіння: знижка 15% до кінця місяця."),
    ("admin", "Новий промокод для постійних клієнтів: VESNA15."),
]
DIRECT_CHAT = [
    ("sales_head", "Ірино, встигнеш сьогодні передзвонити клієнтам зі списку?"),
    ("retail_1", "Так, половину вже обдзвонила."),
    ("sales_head", "Чудово. Якщо хтось просить знижку, пиши мені."),
    ("retail_1", "Добре, дякую!"),
]
CHAT_NICKNAMES = {"sales_head": "olena", "support_1": "sofiia", "corporate_1": "nataliia"}

# name, description, discount %, starts (days from today), lasts (days)
PROMOTIONS = [
    ("Весняний розпродаж насіння", "Знижка на все насіння овочів і зелені.", "15", -10, 30),
    ("Тиждень садового інструменту", "Секатори, граблі й лопати дешевше.", "10", -40, 7),
    ("Розсада без клопоту", "Субстрат і касети для розсади зі знижкою.", "20", -75, 21),
    ("Чорна п'ятниця", "Найбільші знижки року.", "25", -150, 4),
    ("Літній полив", "Шланги та системи поливу.", "12", 12, 30),
    ("День народження магазину", "Подарунки до кожного замовлення.", "5", 40, 3),
]
# code, description, type, amount, starts, lasts, limit
PROMO_CODES = [
    ("VESNA15", "Весняна знижка 15%", "percent", "15", -10, 30, 500),
    ("SAD10", "Знижка 10% на інструмент", "percent", "10", -40, 14, 200),
    ("WELCOME5", "Перше замовлення", "percent", "5", -120, 365, None),
    ("ROZSADA20", "Знижка на розсаду", "percent", "20", -75, 21, 100),
    ("MINUS100", "100 грн від 1000 грн", "fixed_cart", "100", -60, 60, 300),
    ("BLACKFRIDAY", "Чорна п'ятниця", "percent", "25", -150, 4, None),
    ("POLYV12", "Літній полив", "percent", "12", 12, 30, 150),
    ("VIP300", "Для VIP-клієнтів", "fixed_cart", "300", -30, 90, 50),
]

TRANSLITERATION = {
    "а": "a", "б": "b", "в": "v", "г": "h", "ґ": "g", "д": "d", "е": "e", "є": "ie", "ж": "zh", "з": "z",
    "и": "y", "і": "i", "ї": "i", "й": "i", "к": "k", "л": "l", "м": "m", "н": "n", "о": "o", "п": "p",
    "р": "r", "с": "s", "т": "t", "у": "u", "ф": "f", "х": "kh", "ц": "ts", "ч": "ch", "ш": "sh", "щ": "shch",
    "ь": "", "ю": "iu", "я": "ia", "'": "", "’": "",
}  # fmt: skip
# At the start of a word (the official Ukrainian romanisation of 2010).
TRANSLITERATION_INITIAL = {"є": "ye", "ї": "yi", "й": "y", "ю": "yu", "я": "ya"}


def transliterate(text: str) -> str:
    letters = []
    for position, letter in enumerate(text.lower()):
        table = TRANSLITERATION_INITIAL if position == 0 and letter in TRANSLITERATION_INITIAL else TRANSLITERATION
        letters.append(table.get(letter, letter))
    return "".join(letters)


# --- the run


@dataclass
class Demo:
    """What the steps share: the random generator, the moment of the run and what earlier steps made."""

    rng: random.Random
    now: datetime.datetime
    staff: dict[str, User] = field(default_factory=dict)
    departments: dict[str, Department] = field(default_factory=dict)
    contacts: list[Contact] = field(default_factory=list)
    companies: list[Company] = field(default_factory=list)
    products: list[Product] = field(default_factory=list)
    deals: list[Deal] = field(default_factory=list)
    leads: list[Lead] = field(default_factory=list)
    promo_codes: list[PromoCode] = field(default_factory=list)
    prices: dict[int, Decimal] = field(default_factory=dict)
    phones_taken: set[str] = field(default_factory=set)
    first_stage: Stage | None = None
    counts: dict[type[models.Model], int] = field(default_factory=dict)

    @property
    def admin(self) -> User:
        return self.staff["admin"]

    @property
    def today(self) -> datetime.date:
        return timezone.localdate(self.now)

    def count(self, model: type[models.Model], rows: int) -> None:
        self.counts[model] = self.counts.get(model, 0) + rows

    def moment(self, *, days_back: int, hours: tuple[int, int] = (9, 19)) -> datetime.datetime:
        """A working-hours moment in the last `days_back` days, the recent ones likelier; never in the future."""
        days = int(self.rng.triangular(0, days_back, 0))
        return min(self.at(self.today - datetime.timedelta(days=days), hours=hours), self.now)

    def at(self, day: datetime.date, *, hours: tuple[int, int] = (9, 19)) -> datetime.datetime:
        minute = self.rng.randrange(hours[0] * 60, hours[1] * 60)
        moment = datetime.datetime.combine(day, datetime.time(minute // 60, minute % 60))
        return timezone.make_aware(moment)


def demo_accounts() -> models.QuerySet[User]:
    return User.objects.filter(email__iendswith=f"@{DEMO_EMAIL_DOMAIN}").select_related("department").order_by("pk")


def is_seeded() -> bool:
    """Whether demo accounts are in the database: `seed_demo` has seeded it."""
    return demo_accounts().exists()


def rows_in_use() -> dict[str, int]:
    """The rows that show the database is in use, by the verbose name of their table: empty on a fresh install.

    Every table of the project's apps counts, with three exceptions: the owners' accounts, the
    configuration the migrations write (the sales pipeline, its stages, the shop's statuses) and
    WebSocket tickets. Deleted rows in the trash count too.
    """
    found = {}
    allowed = {*MIGRATION_MODELS, *TRANSIENT_MODELS}
    for app in apps.get_app_configs():
        if Path(app.path).parent != Path(settings.BASE_DIR):  # a package installed in a virtualenv inside it
            continue
        for model in app.get_models():
            if model._meta.label in allowed or not model._meta.managed:
                continue
            rows = model._base_manager.all()
            if model is User:
                rows = rows.exclude(role=Role.OWNER)
            count = rows.count()
            if count:
                found[str(model._meta.verbose_name_plural)] = count
    return found


def demo_pipeline() -> Pipeline | None:
    """The pipeline the demo's deals go on: the first one with stages (on a fresh install, the migrations')."""
    return Pipeline.objects.filter(stages__isnull=False).distinct().order_by("position", "id").first()


def _check_fresh() -> None:
    found = rows_in_use()
    if found:
        listed = ", ".join(f"{name}: {count}" for name, count in found.items())
        message = _(
            "The database is in use (%(found)s). Demo data goes only into a fresh database "
            "that holds nothing but the owner's account; nothing was written."
        )
        raise DemoRefused(message % {"found": listed})
    if demo_pipeline() is None:
        raise DemoRefused(_("The demo's deals need a pipeline with stages, and the database has none."))


def seed_demo(
    *, password: str, progress: Callable[[str, int], None] | None = None
) -> dict[type[models.Model], int] | None:
    """Seed the demo company; return the rows made per model, or None when the demo is there already.

    Raises DemoRefused, writing nothing, when the database holds anything else than a fresh
    install does. `password` becomes every demo account's password; `progress` is told, after
    each step, what it made: the verbose name of its main model and the rows.
    """
    with transaction.atomic():
        if is_seeded():
            return None
        _check_fresh()
        demo = Demo(rng=random.Random(SEED), now=timezone.now())  # noqa: S311 - demo data, not secrets
        seed_staff(demo=demo, password=password)
        for model, step in STEPS:
            step(demo=demo)
            if progress is not None:
                progress(str(model._meta.verbose_name_plural), demo.counts.get(model, 0))
    return demo.counts


def seed_staff(*, demo: Demo, password: str) -> None:
    """Eight people with their roles; one password hash for all (hashing is slow on purpose)."""
    hashed = make_password(password)
    users = [
        User(
            email=f"{transliterate(first)}.{transliterate(last)}@{DEMO_EMAIL_DOMAIN}",
            first_name=first,
            last_name=last,
            patronymic=patronymic,
            role=role,
            is_staff=role == Role.ADMIN,
            is_superuser=role == Role.ADMIN,
            internal_number=internal,
            work_phone=normalize_phone(f"+380442400{internal}"),
            birth_date=birth_date,
            chat_nickname=CHAT_NICKNAMES.get(key) or transliterate(first),
            password=hashed,
        )
        for key, first, last, patronymic, role, _department, internal, birth_date in STAFF
    ]
    User.objects.bulk_create(users)
    demo.staff = {spec[0]: user for spec, user in zip(STAFF, users, strict=True)}
    demo.count(User, len(users))
    # The addresses are reserved ones that no mail reaches: nothing is emailed to demo accounts.
    NotificationPreference.objects.bulk_create(
        NotificationPreference(user=user, kind=kind, email=False) for user in users for kind in KINDS
    )


def seed_departments(*, demo: Demo) -> None:
    """The company, sales (retail and corporate below it) and support, through the service that keeps the tree."""
    for key, name, parent, head in DEPARTMENTS:
        demo.departments[key] = department_create(
            actor=demo.admin,
            name=name,
            parent=demo.departments[parent] if parent else None,
            head=demo.staff[head] if head else None,
        )
    for key, *_names, department, _internal, _birth_date in STAFF:
        demo.staff[key].department = demo.departments[department]
    User.objects.bulk_update(demo.staff.values(), ["department"])
    demo.count(Department, len(DEPARTMENTS))


def _phone_numbers(demo: Demo, count: int, taken: set[str]) -> list[str]:
    numbers: list[str] = []
    while len(numbers) < count:
        raw = f"+380{demo.rng.choice(MOBILE_CODES)}{demo.rng.randrange(10**7):07d}"
        number = normalize_phone(raw)
        if number not in taken:
            taken.add(number)
            numbers.append(number)
    return numbers


def _person(demo: Demo) -> tuple[str, str, str]:
    """First name, last name, patronymic of one man or woman."""
    female = demo.rng.random() < 0.55
    patronymic = demo.rng.choice(PATRONYMICS)[female]
    gendered = demo.rng.random() < 0.1
    last = demo.rng.choice(GENDERED_SURNAMES)[female] if gendered else demo.rng.choice(SURNAMES)
    first = demo.rng.choice(FEMALE_NAMES if female else MALE_NAMES)
    return first, last, patronymic


def _backdate(model: type[models.Model], rows: list[models.Model], moments: list[datetime.datetime]) -> None:
    """Give bulk-created rows their created (and updated) moments: `auto_now_add` wrote the present."""
    fields = ["created_at", "updated_at"] if any(f.name == "updated_at" for f in model._meta.fields) else ["created_at"]
    for row, moment in zip(rows, moments, strict=True):
        for name in fields:
            setattr(row, name, moment)
    model.objects.bulk_update(rows, fields, batch_size=200)


def seed_contacts(*, demo: Demo, count: int = 300) -> None:
    """Customers with Ukrainian names, E.164 phones (some have two) and emails on reserved domains."""
    sellers = [demo.staff[key] for key in (*SALES_STAFF, "support_head", "support_1")]
    taken = demo.phones_taken
    emails: set[str] = set()
    contacts, moments, phones = [], [], []
    for _index in range(count):
        first, last, patronymic = _person(demo)
        email = ""
        if demo.rng.random() < 0.85:
            local = f"{transliterate(first)}.{transliterate(last)}"
            email = f"{local}@{demo.rng.choice(CUSTOMER_EMAIL_DOMAINS)}"
            suffix = 1
            while email in emails:
                suffix += 1
                email = f"{local}{suffix}@{email.split('@')[1]}"
            emails.add(email)
        birth_date = None
        if demo.rng.random() < 0.7:
            birth_date = demo.today - datetime.timedelta(days=demo.rng.randrange(18 * 365, 70 * 365))
        contacts.append(
            Contact(
                first_name=first,
                last_name=last,
                patronymic=patronymic if demo.rng.random() < 0.8 else "",
                birth_date=birth_date,
                email=email,
                payment_method=demo.rng.choice(PAYMENT_METHODS),
                delivery_method=demo.rng.choice(DELIVERY_METHODS),
                delivery_company=demo.rng.choice(DELIVERY_COMPANIES),
                newsletter=demo.rng.random() < 0.4,
                responsible=demo.rng.choice(sellers),
            )
        )
        moments.append(demo.moment(days_back=365))
        phones.append(_phone_numbers(demo, 2 if demo.rng.random() < 0.1 else 1, taken))
    Contact.objects.bulk_create(contacts)
    _backdate(Contact, contacts, moments)
    labels = ["мобільний", "робочий"]
    Phone.objects.bulk_create(
        Phone(contact=contact, number=number, label=labels[position] if len(numbers) > 1 else "")
        for contact, numbers in zip(contacts, phones, strict=True)
        for position, number in enumerate(numbers)
    )
    demo.contacts = contacts
    demo.count(Contact, len(contacts))
    demo.count(Phone, sum(len(numbers) for numbers in phones))


def edrpou_codes(*, rng: random.Random, count: int) -> list[str]:
    """Distinct EDRPOU codes of legal entities, each with the control digit the validator expects."""
    codes: list[str] = []
    while len(codes) < count:
        stem = str(rng.randrange(3_000_000, 4_500_000))
        code = stem + str(edrpou_check_digit(stem + "0"))
        validate_edrpou(code)
        if code not in codes:
            codes.append(code)
    return codes


def seed_companies(*, demo: Demo) -> None:
    """Business customers with valid EDRPOU codes; a few contacts work at each, one is the contact person."""
    codes = edrpou_codes(rng=demo.rng, count=len(COMPANIES))
    companies = [
        Company(name=name, edrpou=code, responsible=demo.staff[demo.rng.choice(["corporate_1", "sales_head"])])
        for name, code in zip(COMPANIES, codes, strict=True)
    ]
    Company.objects.bulk_create(companies)
    _backdate(Company, companies, [demo.moment(days_back=365) for _company in companies])
    employees = demo.rng.sample(demo.contacts, 3 * len(companies))
    for position, contact in enumerate(employees):
        company = companies[position % len(companies)]
        contact.company, contact.edrpou = company, company.edrpou
        if position < len(companies):
            company.contact_person = contact
    Contact.objects.bulk_update(employees, ["company", "edrpou"])
    Company.objects.bulk_update(companies, ["contact_person"])
    demo.companies = companies
    demo.count(Company, len(companies))


def seed_products(*, demo: Demo) -> None:
    products = [
        Product(sku=f"ZP-{number:04d}", name=name, package=package, quantity_in_stock=demo.rng.randrange(0, 250))
        for number, (name, package, _price) in enumerate(PRODUCTS, start=1)
    ]
    Product.objects.bulk_create(products)
    demo.products = products
    demo.prices = {
        product.pk: Decimal(price) for product, (_name, _package, price) in zip(products, PRODUCTS, strict=True)
    }
    demo.count(Product, len(products))


def seed_promotions(*, demo: Demo) -> None:
    """Promotions, promo codes and product discounts: some over, some running, some to come."""

    def period(starts: int, lasts: int) -> dict:
        start = timezone.make_aware(
            datetime.datetime.combine(demo.today + datetime.timedelta(days=starts), datetime.time())
        )
        return {"starts_at": start, "ends_at": start + datetime.timedelta(days=lasts)}

    promotions = [
        Promotion(
            source=DEMO_SOURCE,
            external_id=f"promotion-{number}",
            name=name,
            description=description,
            discount_percent=Decimal(percent),
            **period(starts, lasts),
        )
        for number, (name, description, percent, starts, lasts) in enumerate(PROMOTIONS, start=1)
    ]
    Promotion.objects.bulk_create(promotions)
    codes = [
        PromoCode(
            source=DEMO_SOURCE,
            external_id=f"coupon-{number}",
            code=code,
            description=description,
            discount_type=kind,
            amount=Decimal(amount),
            usage_limit=limit,
            **period(starts, lasts),
        )
        for number, (code, description, kind, amount, starts, lasts, limit) in enumerate(PROMO_CODES, start=1)
    ]
    PromoCode.objects.bulk_create(codes)
    discounts = []
    for number, product in enumerate(demo.rng.sample(demo.products, 10), start=1):
        regular = demo.prices[product.pk]
        starts = demo.rng.randrange(-90, 20)
        discounts.append(
            Discount(
                source=DEMO_SOURCE,
                external_id=f"sale-{number}",
                name=product.name,
                sku=product.sku,
                product=product,
                regular_price=regular,
                sale_price=(regular * Decimal("0.85")).quantize(Decimal("1")),
                **period(starts, demo.rng.choice([7, 14, 30])),
            )
        )
    Discount.objects.bulk_create(discounts)
    demo.promo_codes = codes
    demo.count(Promotion, len(promotions))
    demo.count(PromoCode, len(codes))
    demo.count(Discount, len(discounts))


def _stages(pipeline: Pipeline) -> tuple[list[Stage], list[Stage], list[Stage]]:
    """The pipeline's open stages in order, and the stages its shop statuses map to won and to failed deals."""
    stages = list(pipeline.stages.order_by("position"))
    closing = dict(
        ShopStatusMapping.objects.filter(stage__pipeline=pipeline)
        .exclude(deal_status=DealStatus.OPEN)
        .values_list("stage_id", "deal_status")
    )
    won = [stage for stage in stages if closing.get(stage.pk) == DealStatus.WON]
    failed = [stage for stage in stages if closing.get(stage.pk) == DealStatus.FAILED]
    open_stages = [stage for stage in stages if stage.pk not in closing] or stages
    return open_stages, won or open_stages[-1:], failed or open_stages[-1:]


def seed_deals(*, demo: Demo, count: int = 160) -> None:
    """Deals on the stages of the pipeline the migrations made: the older ones mostly closed, the recent open."""
    pipeline = demo_pipeline()
    open_stages, won_stages, failed_stages = _stages(pipeline)
    sellers = [demo.staff[key] for key in SALES_STAFF]
    deals, moments = [], []
    for number in range(1, count + 1):
        created = demo.moment(days_back=180)
        age = (demo.now - created).days
        closed_share = 0.85 if age > 30 else 0.4 if age > 7 else 0.05
        status, closed_at, reason = DealStatus.OPEN, None, ""
        if demo.rng.random() < closed_share:
            status = DealStatus.WON if demo.rng.random() < 0.8 else DealStatus.FAILED
            closed_at = min(created + datetime.timedelta(days=demo.rng.randrange(1, 15)), demo.now)
        if status == DealStatus.WON:
            stage, payment = demo.rng.choice(won_stages), PaymentStatus.PAID
        elif status == DealStatus.FAILED:
            stage, reason = demo.rng.choice(failed_stages), demo.rng.choice(DEAL_FAILURE_REASONS)
            payment = PaymentStatus.REFUNDED if demo.rng.random() < 0.2 else PaymentStatus.UNPAID
        else:
            reached = min(len(open_stages) - 1, int(demo.rng.triangular(0, len(open_stages), 0 if age < 3 else 2)))
            stage = open_stages[reached]
            payment = demo.rng.choice([PaymentStatus.UNPAID, PaymentStatus.PAID, PaymentStatus.PARTIALLY_PAID])
        contact = demo.rng.choice(demo.contacts)
        seller = demo.rng.choice(sellers)
        custom = demo.rng.random() < 0.08
        deals.append(
            Deal(
                title=f"Замовлення {contact.last_name} №{1000 + number}",
                contact=contact,
                pipeline=pipeline,
                stage=stage,
                payment_status=payment,
                payment_type=contact.payment_method,
                status=status,
                company_name=contact.company.name if contact.company_id else "",
                amount=Decimal(demo.rng.randrange(150, 4000)),
                kind=DealKind.CUSTOM if custom else DealKind.STANDARD,
                description=demo.rng.choice(CUSTOM_DEAL_DESCRIPTIONS) if custom else "",
                failure_reason=reason,
                closed_at=closed_at,
                responsible=seller,
                created_by=seller,
            )
        )
        moments.append(created)
    Deal.objects.bulk_create(deals)
    _backdate(Deal, deals, moments)
    demo.deals = deals
    demo.first_stage = open_stages[0]
    demo.count(Deal, len(deals))


def seed_orders(*, demo: Demo) -> None:
    """An order with its items for every deal past the first stage; the deal's amount is the order's."""
    orders, items_of = [], []
    for deal in demo.deals:
        if deal.stage_id == demo.first_stage.pk and deal.status == DealStatus.OPEN:
            continue
        items = [
            OrderItem(
                product=product, name=product.name, quantity=demo.rng.randint(1, 5), price=demo.prices[product.pk]
            )
            for product in demo.rng.sample(demo.products, demo.rng.randint(1, 4))
        ]
        amount = sum((item.quantity * item.price for item in items), start=Decimal("0"))
        deal.amount = amount
        status = {DealStatus.WON: "completed", DealStatus.FAILED: "cancelled"}.get(deal.status, "processing")
        orders.append(
            Order(
                contact=deal.contact,
                deal=deal,
                ordered_at=deal.created_at,
                status=status,
                payment_method=deal.contact.payment_method,
                delivery_method=f"{deal.contact.delivery_company}, {deal.contact.delivery_method.lower()}",
                amount=amount,
                send_status=SendStatus.LOCAL,
                created_by=deal.responsible,
            )
        )
        items_of.append(items)
    Order.objects.bulk_create(orders)
    _backdate(Order, orders, [order.ordered_at for order in orders])
    for order, items in zip(orders, items_of, strict=True):
        for item in items:
            item.order = order
    OrderItem.objects.bulk_create(item for items in items_of for item in items)
    Deal.objects.bulk_update(demo.deals, ["amount"], batch_size=200)
    coupons = []
    for order in demo.rng.sample(orders, len(orders) // 5):
        promo = demo.rng.choice(demo.promo_codes)
        if promo.discount_type == "percent":
            discount = (order.amount * promo.amount / 100).quantize(Decimal("0.01"))
        else:
            discount = min(promo.amount, order.amount)
        coupons.append(OrderCoupon(order=order, code=promo.code, discount=discount))
    OrderCoupon.objects.bulk_create(coupons)
    used = {}
    for coupon in coupons:
        used[coupon.code] = used.get(coupon.code, 0) + 1
    for promo in demo.promo_codes:
        promo.usage_count = used.get(promo.code, 0)
    PromoCode.objects.bulk_update(demo.promo_codes, ["usage_count"])
    demo.count(Order, len(orders))
    demo.count(OrderItem, sum(len(items) for items in items_of))


def seed_leads(*, demo: Demo, count: int = 80) -> None:
    """Leads from every source at every status; the converted ones led to a deal of a contact."""
    statuses = (
        [LeadStatus.NEW] * 20
        + [LeadStatus.CONTACTED] * 15
        + [LeadStatus.QUALIFIED] * 12
        + [LeadStatus.CONVERTED] * 20
        + [LeadStatus.FAILED] * (count - 67)
    )
    converted_deals = iter(demo.rng.sample(demo.deals, statuses.count(LeadStatus.CONVERTED)))
    sellers = [demo.staff[key] for key in SALES_STAFF]
    numbers = iter(_phone_numbers(demo, count, demo.phones_taken))
    leads, moments = [], []
    for status in statuses:
        source = demo.rng.choice(LeadSource.values)
        lead = Lead(status=status, source=source, notes=demo.rng.choice(LEAD_NOTES))
        if status == LeadStatus.CONVERTED:
            deal = next(converted_deals)
            phone = deal.contact.phones.values_list("number", flat=True).first() or ""
            lead.name, lead.phone, lead.email = deal.contact.full_name, phone, deal.contact.email
            lead.contact, lead.deal, lead.converted_at = deal.contact, deal, deal.created_at
            lead.responsible = lead.created_by = deal.responsible
            created = deal.created_at - datetime.timedelta(hours=demo.rng.randrange(2, 72))
        else:
            first, last, _patronymic = _person(demo)
            lead.name, lead.phone = f"{first} {last}", next(numbers)
            if demo.rng.random() < 0.6:
                lead.email = (
                    f"{transliterate(first)}.{transliterate(last)}.lead@{demo.rng.choice(CUSTOMER_EMAIL_DOMAINS)}"
                )
            lead.responsible = lead.created_by = demo.rng.choice(sellers)
            if status == LeadStatus.FAILED:
                lead.failure_reason = demo.rng.choice(LEAD_FAILURE_REASONS)
            created = demo.moment(days_back=20 if status == LeadStatus.NEW else 120)
        leads.append(lead)
        moments.append(created)
    Lead.objects.bulk_create(leads)
    _backdate(Lead, leads, moments)
    demo.leads = leads
    demo.count(Lead, len(leads))


def seed_tasks(*, demo: Demo, count: int = 40) -> None:
    """Tasks around today through the tasks' services: some shared (accepted, declined, pending), some with
    reminders, some repeated, the past ones mostly finished."""
    admin = demo.admin
    projects = [project_create(actor=admin, data={"name": name, "description": text}) for name, text in PROJECTS]
    tags = [tag_create(actor=admin, data={"name": name}) for name in TAGS]
    people = list(demo.staff.values())
    tasks = []
    for index in range(count):
        creator = demo.rng.choice(people)
        date = demo.today + datetime.timedelta(days=demo.rng.randrange(-21, 22))
        data = {
            "name": demo.rng.choice(TASK_NAMES),
            "description": "",
            "date": date,
            "priority": demo.rng.choice(Priority.values),
            "responsible": [creator],
            "tags": demo.rng.sample(tags, demo.rng.randint(0, 2)),
        }
        if demo.rng.random() < 0.4:
            data["project"] = demo.rng.choice(projects)
        if demo.rng.random() < 0.4:
            data["contact"] = demo.rng.choice(demo.contacts)
        elif demo.rng.random() < 0.2:
            data["company"] = demo.rng.choice(demo.companies)
        if index % 4 == 0:
            remind_at = demo.at(date, hours=(8, 10))
            data.update(remind=True, remind_text=demo.rng.choice(REMIND_TEXTS), remind_at=remind_at)
            if remind_at <= demo.now:  # gone out already: `send_reminders` does not send it again
                data["reminded_at"] = remind_at
        if index % 10 == 5:
            data.update(repeated=True, repeat_every_days=7)
        if index % 3 == 1:
            others = [person for person in people if person.pk != creator.pk]
            data["related_people"] = demo.rng.sample(others, demo.rng.randint(1, 2))
        task = task_create(actor=creator, data=data)
        for person in data.get("related_people", ()):
            answer = demo.rng.random()
            if answer < 0.7:
                task_share_respond(task=task, user=person, accept=answer < 0.6)
        if date < demo.today and not task.repeated and demo.rng.random() < 0.7:
            task_finish(task=task, actor=creator)
        tasks.append(task)
    demo.count(Task, len(tasks))


def _post(demo: Demo, chat: Chat, script: Iterable[tuple[str, str]]) -> list[Message]:
    return [message_create(chat=chat, author=demo.staff[author], text=text) for author, text in script]


def seed_chats(*, demo: Demo) -> None:
    """A general chat (with the owners in it), the sales team's, a news channel and a direct chat.

    Through the chat services: memberships, direct pairs and read marks are theirs to keep.
    """
    admin, staff = demo.admin, list(demo.staff.values())
    owners = list(User.objects.filter(role=Role.OWNER, is_active=True).order_by("pk"))
    general = chat_create(owner=admin, name="zahalnyi", display_name="Загальний чат", members=[*staff, *owners])
    sales_team = [demo.staff[key] for key in SALES_STAFF]
    sales = chat_create(
        owner=demo.staff["sales_head"], name="prodazhi", display_name="Відділ продажів", members=sales_team
    )
    news = chat_create(
        owner=admin, name="novyny", display_name="Новини компанії", is_channel=True, members=[*staff, *owners]
    )
    direct, _created = chat_direct(user=demo.staff["sales_head"], other=demo.staff["retail_1"])
    chats = ((general, GENERAL_CHAT), (sales, SALES_CHAT), (news, NEWS_CHANNEL), (direct, DIRECT_CHAT))
    messages: list[Message] = []
    for chat, script in chats:
        posted = _post(demo, chat, script)
        start = demo.now - datetime.timedelta(hours=demo.rng.randrange(20, 60))
        for position, message in enumerate(posted):
            message.created_at = start + datetime.timedelta(minutes=17 * position + demo.rng.randrange(0, 15))
        messages += posted
        # Everyone but one member has read the chat to its end: a little unread shows somewhere.
        members = list(ChatMember.objects.filter(chat=chat).select_related("user").order_by("pk"))
        for membership in members[:-1]:
            chat_mark_read(chat=chat, user=membership.user, up_to=posted[-1].pk)
    Message.objects.bulk_update(messages, ["created_at"])
    demo.count(Chat, len(chats))
    demo.count(Message, len(messages))


def seed_calls(*, demo: Demo, count: int = 120) -> None:
    """Calls through `call_upsert`, which links them to contacts, employees and leads as Binotel's would be.

    The numbers are contacts' and open leads', so no call makes a lead of its own.
    """
    callers = [demo.staff[key] for key in (*SALES_STAFF, "support_head", "support_1")]
    phones = list(Phone.objects.filter(contact__in=demo.contacts).order_by("pk").values_list("number", flat=True))
    lead_phones = [lead.phone for lead in demo.leads if lead.status != LeadStatus.CONVERTED and lead.phone]
    pieces = []
    for number in range(1, count + 1):
        incoming = demo.rng.random() < 0.6
        disposition = demo.rng.choices(["ANSWER", "NOANSWER", "BUSY"], weights=[75, 15, 10])[0]
        talk = demo.rng.randrange(20, 600) if disposition == "ANSWER" else 0
        external = demo.rng.choice(lead_phones) if demo.rng.random() < 0.15 else demo.rng.choice(phones)
        pieces.append(
            CallPiece(
                binotel_id=f"{CALL_ID_PREFIX}{number:08d}",
                fields={
                    "type": CallType.INCOMING if incoming else CallType.OUTGOING,
                    "internal_number": demo.rng.choice(callers).internal_number,
                    "external_number": external,
                    "started_at": demo.moment(days_back=60, hours=(9, 18)),
                    "wait_seconds": demo.rng.randrange(3, 40),
                    "talk_seconds": talk,
                    "disposition": disposition,
                },
            )
        )
    batch = Batch(pieces)
    for piece in pieces:
        call_upsert(piece=piece, push=False, batch=batch)
    batch.finish()
    demo.count(Call, len(pieces))


def seed_work(*, demo: Demo, days: int = 15) -> None:
    """Finished working days of every demo employee over the last three weeks: a morning and an afternoon."""
    workdays = []
    day = demo.today - datetime.timedelta(days=1)
    while len(workdays) < days:
        if day.weekday() < 5:
            workdays.append(day)
        day -= datetime.timedelta(days=1)
    periods, segments = [], []
    for user in demo.staff.values():
        for workday in workdays:
            morning = (demo.at(workday, hours=(8, 10)), demo.at(workday, hours=(12, 13)))
            afternoon = (demo.at(workday, hours=(14, 15)), demo.at(workday, hours=(17, 19)))
            total = sum(int((end - start).total_seconds()) for start, end in (morning, afternoon))
            period = WorkPeriod(user=user, day=workday, finished=True, total_seconds=total)
            periods.append(period)
            segments += [Segment(period=period, user=user, start=start, end=end) for start, end in (morning, afternoon)]
    WorkPeriod.objects.bulk_create(periods)
    Segment.objects.bulk_create(segments)
    demo.count(WorkPeriod, len(periods))


def seed_analytics(*, demo: Demo, months: int = 6) -> None:
    """The shop's monthly Google Analytics figures for the dashboard, up to this month."""
    first = demo.today.replace(day=1)
    rows = []
    for back in range(months - 1, -1, -1):
        year, month = divmod(first.year * 12 + first.month - 1 - back, 12)
        users = demo.rng.randrange(8000, 15000)
        transactions = int(users * demo.rng.uniform(0.015, 0.03))
        revenue = Decimal(transactions * demo.rng.randrange(700, 1100))
        figures = {
            "users": users,
            "sessions": int(users * demo.rng.uniform(1.2, 1.6)),
            "transactions": transactions,
            "ecommerce_purchases": transactions,
            "add_to_carts": int(transactions * demo.rng.uniform(2.5, 4)),
            "purchase_revenue": revenue,
            "item_revenue": revenue,
            "total_revenue": revenue,
            "ad_cost": (revenue * Decimal(demo.rng.uniform(0.1, 0.2))).quantize(Decimal("0.01")),
        }
        rows.append(
            MonthlyAnalytics(month=datetime.date(year, month + 1, 1), currency="UAH", **figures, **derived(figures))
        )
    MonthlyAnalytics.objects.bulk_create(rows)
    demo.count(MonthlyAnalytics, len(rows))


# After the staff, in this order: each step builds on what the ones before it made.
STEPS: list[tuple[type[models.Model], Callable[..., None]]] = [
    (Department, seed_departments),
    (Contact, seed_contacts),
    (Company, seed_companies),
    (Product, seed_products),
    (Promotion, seed_promotions),
    (Deal, seed_deals),
    (Order, seed_orders),
    (Lead, seed_leads),
    (Task, seed_tasks),
    (Chat, seed_chats),
    (Call, seed_calls),
    (WorkPeriod, seed_work),
    (MonthlyAnalytics, seed_analytics),
]
