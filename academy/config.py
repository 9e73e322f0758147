"""Configuration layers: defaults, instance/academy.toml, ACADEMY_* environment, test mapping."""
import os
import secrets
import tomllib
from datetime import timedelta
from pathlib import Path

ENVIRONMENTS = ("production", "development", "demo")
QUEUE_MODES = ("", "immediate")
MIN_SECRET_KEY_BYTES = 32
SECRET_KEY_FILE = "secret_key"

DEFAULTS = {
    "ENV": "development",
    "SECRET_KEY": None,  # None: outside production, a random key kept in the instance folder
    "DATABASE_URL": None,  # None: SQLite file in the instance folder
    "BASE_URL": "http://127.0.0.1:5000",
    "REDIS_URL": None,
    "MAIL_SERVER": None,
    "MAIL_PORT": 25,
    "MAIL_USERNAME": None,
    "MAIL_PASSWORD": None,
    "MAIL_USE_TLS": False,
    "MAIL_SENDER": "Prague Process Training Academy <academy@localhost>",
    "COURSES_PATH": None,  # None: the courses/ folder next to the package
    "RATELIMIT_ENABLED": True,
    "TOKEN_MAX_AGE_HOURS": 24,
    "PROXIES": 0,  # how many trusted proxies set X-Forwarded-For/-Proto in front of the app
    # Roles that must sign in with a second factor (comma-separated; add "trainer" to require
    # it of the Trainer Network too).
    "MFA_REQUIRED_ROLES": "coordinator,admin",
    # Background work (academy.core.queue): "" runs it in `academy worker` (SQLite queue in
    # the instance folder, or Redis when REDIS_URL is set); "immediate" runs it at once.
    "QUEUE": "",
    "QUEUE_DATABASE": None,  # None: instance/queue.db
    "QUEUE_RETRIES": 5,
    "QUEUE_RETRY_DELAY": 30,  # seconds before the first retry, doubled for each next one
    "QUEUE_LEASE": 3600,  # seconds after which another host's unfinished task is run again
    # Learner and anonymous pages kept per reader (academy.core.pagecache), per worker: 0 is off.
    "PAGE_CACHE_MB": 32,
}

MAX_REQUEST_BYTES = 1024 * 1024

BOOL_KEYS = {"MAIL_USE_TLS", "RATELIMIT_ENABLED"}
INT_KEYS = {"MAIL_PORT", "TOKEN_MAX_AGE_HOURS", "PROXIES", "QUEUE_RETRIES", "QUEUE_RETRY_DELAY",
            "QUEUE_LEASE", "PAGE_CACHE_MB"}


class ConfigError(RuntimeError):
    """The configuration cannot be used."""


def _coerce(key, value):
    if key in BOOL_KEYS and isinstance(value, str):
        return value.strip().lower() in {"1", "true", "yes", "on"}
    if key in INT_KEYS and isinstance(value, str):
        try:
            return int(value)
        except ValueError as exc:
            raise ConfigError(f"ACADEMY_{key} must be an integer, got {value!r}") from exc
    return value


def load_config(instance_path, overrides=None):
    """Merge the configuration layers and return a dict of settings."""
    settings = dict(DEFAULTS)
    toml_file = Path(instance_path) / "academy.toml"
    if toml_file.exists():
        try:
            data = tomllib.loads(toml_file.read_text(encoding="utf-8"))
        except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
            raise ConfigError(f"{toml_file}: {exc}") from exc
        settings.update({k.upper(): v for k, v in data.items()})
    for name, value in os.environ.items():
        if name.startswith("ACADEMY_"):
            settings[name[len("ACADEMY_"):]] = value
    settings.update(overrides or {})
    settings = {k: _coerce(k, v) for k, v in settings.items()}
    _validate(settings)
    if not settings["SECRET_KEY"]:
        settings["SECRET_KEY"] = instance_secret_key(instance_path)
    return settings


def _validate(settings):
    if settings["ENV"] not in ENVIRONMENTS:
        raise ConfigError(f"ACADEMY_ENV must be one of {', '.join(ENVIRONMENTS)}, "
                          f"got {settings['ENV']!r}")
    if (settings.get("QUEUE") or "") not in QUEUE_MODES:
        raise ConfigError(f"ACADEMY_QUEUE must be empty (a worker runs the tasks) or "
                          f"'immediate', got {settings['QUEUE']!r}")
    if settings["ENV"] != "production":
        return
    key = settings["SECRET_KEY"] or ""
    if len(key.encode("utf-8")) < MIN_SECRET_KEY_BYTES:
        raise ConfigError(f"ACADEMY_SECRET_KEY must be set to a random value of at least "
                          f"{MIN_SECRET_KEY_BYTES} bytes in production "
                          f"(python3 -c 'import secrets; print(secrets.token_urlsafe(48))')")


def instance_secret_key(instance_path):
    """The instance's own random key for development and demo runs, created on first use.

    Never a constant in the code: a key anybody can read forges session cookies. Created in a
    temporary file and linked into place, so that processes starting together agree on one key.
    """
    path = Path(instance_path) / SECRET_KEY_FILE
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        temporary = path.with_name(f".{SECRET_KEY_FILE}.{os.getpid()}.{secrets.token_hex(4)}")
        descriptor = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(descriptor, "w") as handle:
            handle.write(secrets.token_urlsafe(48))
        try:
            os.link(temporary, path)
        except FileExistsError:
            pass  # another process was first; use its key
        finally:
            temporary.unlink()
    return path.read_text(encoding="utf-8").strip()


def flask_settings(settings, instance_path):
    """Translate Academy settings into the keys Flask and its extensions read."""
    url = settings["DATABASE_URL"] or f"sqlite:///{Path(instance_path) / 'academy.db'}"
    if url.startswith("postgresql://"):
        url = "postgresql+psycopg://" + url[len("postgresql://"):]
    production = settings["ENV"] == "production"
    return {
        **{f"ACADEMY_{k}": v for k, v in settings.items()},
        "SECRET_KEY": settings["SECRET_KEY"],
        "SQLALCHEMY_DATABASE_URI": url,
        # Werkzeug reads a url-encoded body whole, however long: no form of ours comes near this.
        "MAX_CONTENT_LENGTH": MAX_REQUEST_BYTES,
        "SESSION_COOKIE_HTTPONLY": True,
        "SESSION_COOKIE_SAMESITE": "Lax",
        "SESSION_COOKIE_SECURE": production,
        "REMEMBER_COOKIE_HTTPONLY": True,
        "REMEMBER_COOKIE_SAMESITE": "Lax",
        "REMEMBER_COOKIE_SECURE": production,
        "REMEMBER_COOKIE_DURATION": timedelta(days=30),
        "PERMANENT_SESSION_LIFETIME": timedelta(hours=12),
        "WTF_CSRF_TIME_LIMIT": None,
        "BABEL_DEFAULT_LOCALE": "en",
        "BABEL_TRANSLATION_DIRECTORIES": str(Path(__file__).resolve().parent.parent / "translations"),
        "RATELIMIT_ENABLED": settings["RATELIMIT_ENABLED"],
        "RATELIMIT_STORAGE_URI": settings["REDIS_URL"] or "memory://",
        # Retry-After (and X-RateLimit-*) on limited responses, the 429 page included.
        "RATELIMIT_HEADERS_ENABLED": True,
        "TESTING": bool(settings.get("TESTING", False)),
        # Compression is applied by academy.core.assets (same-origin requests only).
        "COMPRESS_REGISTER": False,
        "COMPRESS_ALGORITHM": ["br", "gzip"],
        "COMPRESS_STREAMS": False,
        # Pages are compressed on every request: brotli quality 2 costs a third of the default
        # 4 and gives a lesson page 7 % larger (11.1 vs 10.4 KB of 38 KB). Static files are
        # compressed once, at the highest quality (academy.core.static_files).
        "COMPRESS_BR_LEVEL": 2,
        "COMPRESS_BR_WINDOW": 18,
        "COMPRESS_MIMETYPES": ["text/html", "text/css", "text/plain", "application/json",
                               "image/svg+xml"],
    }
