"""Several workers share one Redis: a rate limit counts across all of them, as in production."""
import pytest

from academy import create_app
from tests.conftest import csrf_token
from tests.databases import clone_database


@pytest.mark.redis
def test_login_limit_is_shared_between_workers(migrated_template, tmp_path, redis_url):
    import redis

    redis.Redis.from_url(redis_url).flushdb()
    settings = {"TESTING": True, "DATABASE_URL": clone_database(migrated_template, tmp_path),
                "SECRET_KEY": "s",
                "REDIS_URL": redis_url, "RATELIMIT_ENABLED": True}
    workers = [create_app(settings).test_client() for _ in range(2)]
    statuses = []
    for attempt in range(12):
        client = workers[attempt % 2]  # alternate, as a load balancer would
        page = client.get("/auth/login").get_data(as_text=True)
        response = client.post("/auth/login", data={
            "csrf_token": csrf_token(page), "email": "someone@example.org", "password": "wrong"})
        statuses.append(response.status_code)
    # 10 per minute per e-mail: the 11th attempt is refused whichever worker receives it.
    assert statuses[:10] == [200] * 10
    assert statuses[10:] == [429, 429]
    assert redis.Redis.from_url(redis_url).dbsize() > 0
