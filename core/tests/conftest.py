from accounts.tests.conftest import profile_data  # noqa: F401 - the fixture, shared
from core.tests.own_services import own_redis  # noqa: F401 - the fixture
