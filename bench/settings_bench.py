"""The portal's settings with the benchmark's URLconf: every portal URL plus the API floor."""

from icsportal.settings import *  # noqa: F403

ROOT_URLCONF = "bench.floor_urls"
