"""Django's Redis cache backend, with one redis.Redis client per connection pool instead of one per call."""

# django.core.cache.backends.redis builds a redis.Redis for every cache call, and building one registers some
# 170 response callbacks: about a tenth of the time a cached page takes to serve. A client is thread-safe and
# holds nothing but its pool (https://redis.readthedocs.io/en/stable/connections.html), so one is kept per pool.

from django.core.cache.backends import redis as django_redis


class RedisCacheClient(django_redis.RedisCacheClient):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self._clients = {}

    def get_client(self, key=None, *, write=False):
        """The client of the pool Django's own would use (as its get_client), made once per pool."""
        pool = self._get_connection_pool(write)
        client = self._clients.get(id(pool))
        if client is None:
            client = self._clients[id(pool)] = self._client(connection_pool=pool)
        return client


class RedisCache(django_redis.RedisCache):
    """django.core.cache.backends.redis.RedisCache with RedisCacheClient."""

    def __init__(self, server, params):
        super().__init__(server, params)
        self._class = RedisCacheClient
