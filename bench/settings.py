"""Settings for the benchmark server: the site's own, plus the bare baseline view."""

from masterclass.settings import *  # noqa: F403
from masterclass.settings import ALLOWED_HOSTS

ROOT_URLCONF = "bench.urls"
ALLOWED_HOSTS = [*ALLOWED_HOSTS, "127.0.0.1", "localhost", "testserver"]
