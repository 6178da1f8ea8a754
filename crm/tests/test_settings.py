import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
SETTINGS_PROBE = (
    "import django; django.setup(); from django.conf import settings as s; "
    "print(s.DATABASES['default']['ENGINE']); print(s.CHANNEL_LAYERS['default']['BACKEND']); "
    "print(s.CACHES['default']['BACKEND'])"
)


def run(code_or_args, **env):
    clean = {k: v for k, v in os.environ.items() if k not in ("DATABASE_URL", "REDIS_URL", "DEBUG", "SECRET_KEY")}
    clean.update(DJANGO_SETTINGS_MODULE="crm.settings", **env)
    args = [sys.executable, "-c", code_or_args] if isinstance(code_or_args, str) else [sys.executable, *code_or_args]
    return subprocess.run(args, cwd=ROOT, env=clean, capture_output=True, text=True, timeout=120)


def test_no_variables_means_sqlite_and_the_in_memory_layer():
    result = run(SETTINGS_PROBE)
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == [
        "django.db.backends.sqlite3",
        "channels.layers.InMemoryChannelLayer",
        "django.core.cache.backends.locmem.LocMemCache",
    ]


def test_urls_select_postgresql_and_redis():
    result = run(SETTINGS_PROBE, DATABASE_URL="postgres://u@127.0.0.1:5432/crm", REDIS_URL="redis://127.0.0.1:6379/0")
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == [
        "django.db.backends.postgresql",
        "crm.realtime.channel_layer.RedisChannelLayer",
        "django.core.cache.backends.redis.RedisCache",
    ]


CONNECTION_PROBE = (
    "import django; django.setup(); from django.conf import settings as s; from channels_redis.core import "
    "RedisChannelLayer as L; db = s.DATABASES['default']; host = s.CHANNEL_LAYERS['default']['CONFIG']['hosts'][0]; "
    "print(db['CONN_MAX_AGE'], db['CONN_HEALTH_CHECKS'], host['socket_timeout'] > L.brpop_timeout, "
    "s.CACHES['default']['OPTIONS']['socket_timeout'] > L.brpop_timeout)"
)


def test_production_keeps_database_connections_and_reads_redis_longer_than_the_layer_blocks():
    production = {"DEBUG": "0", "SECRET_KEY": "k" * 60, "ALLOWED_HOSTS": "crm.example.com"}
    services = {"DATABASE_URL": "postgres://u@127.0.0.1:5432/crm", "REDIS_URL": "redis://127.0.0.1:6379/0"}
    result = run(CONNECTION_PROBE, **production, **services)
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == ["60", "True", "True", "True"]
    result = run(CONNECTION_PROBE, **services)
    assert result.stdout.split()[:2] == ["0", "True"], "development opens a connection per request"


def test_production_settings_pass_the_deploy_check():
    result = run(
        ["manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        DEBUG="0",
        SECRET_KEY="k" * 20 + "-a-long-and-random-production-secret-key-for-the-check",
        ALLOWED_HOSTS="crm.example.com",
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout


def test_production_refuses_to_start_without_a_secret_key():
    result = run(["manage.py", "check"], DEBUG="0", ALLOWED_HOSTS="crm.example.com")
    assert result.returncode != 0
    assert "SECRET_KEY must be set" in result.stderr
