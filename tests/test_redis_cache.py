"""newsroom.redis_cache: Django's Redis cache with one client per connection pool, against a real redis-server."""

from django.core.cache.backends.redis import RedisCache as DjangoRedisCache

from newsroom.redis_cache import RedisCache
from tests.test_settings import _load_base


def test_one_client_serves_every_call_and_the_cache_works(redis_url):
    cache = RedisCache(redis_url, {})
    client = cache._cache.get_client(write=True)
    assert cache._cache.get_client("page:x") is client and cache._cache.get_client(write=False) is client
    cache.set("page:x", {"html": "<p>劳模</p>"}, 30)
    assert cache.get("page:x") == {"html": "<p>劳模</p>"}
    assert cache.add("page:x", "other", 30) is False
    assert cache.get_many(["page:x", "page:none"]) == {"page:x": {"html": "<p>劳模</p>"}}
    # Django's own backend reads what this one wrote: the same keys and the same serializer.
    assert DjangoRedisCache(redis_url, {}).get("page:x") == {"html": "<p>劳模</p>"}
    cache.delete("page:x")
    assert cache.get("page:x") is None


def test_with_replicas_writes_and_reads_keep_a_client_each(redis_url):
    cache = RedisCache(f"{redis_url},{redis_url}", {})  # the first server takes writes, the others reads
    writer, reader = cache._cache.get_client(write=True), cache._cache.get_client(write=False)
    assert writer is not reader
    assert writer is cache._cache.get_client(write=True) and reader is cache._cache.get_client(write=False)
    cache.set("k", 1, 30)
    assert cache.get("k") == 1


def test_cache_url_picks_this_backend(monkeypatch):
    base = _load_base(monkeypatch, DJANGO_SECRET_KEY="s", CACHE_URL="redis://127.0.0.1:6379/5")
    assert base.CACHES["default"] == {
        "BACKEND": "newsroom.redis_cache.RedisCache",
        "LOCATION": "redis://127.0.0.1:6379/5",
    }
