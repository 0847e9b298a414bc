from django.db import models


class Heartbeat(models.Model):
    """When a periodic process last proved it was running (e.g. "beat"), for the health checks.

    No personal data: a name and a time.
    """

    name = models.CharField(max_length=40, primary_key=True)
    at = models.DateTimeField()

    def __str__(self):
        return f"{self.name} {self.at.isoformat()}"
