"""The profile step's open paths are reversed once, and still follow the script prefix and the URLconf."""

from django.test import override_settings
from django.urls import clear_script_prefix, set_script_prefix

from accounts.middleware import ProfileStepMiddleware


def test_the_open_paths_follow_the_script_prefix():
    plain = ProfileStepMiddleware._open_paths()
    set_script_prefix("/mentor/")
    try:
        prefixed = ProfileStepMiddleware._open_paths()
        public = ProfileStepMiddleware._public_pages()
    finally:
        clear_script_prefix()
    assert all(path.startswith("/mentor/") for path in prefixed[1:4])
    assert all(path.startswith("/mentor/") for path in public)
    assert ProfileStepMiddleware._open_paths() == plain


@override_settings(STATIC_URL="/elders/")
def test_the_open_paths_follow_the_static_url():
    assert "/elders/" in ProfileStepMiddleware._open_paths()
