from celery import shared_task


@shared_task(name="accounts.purge_expired_data")
def purge_expired_data() -> int:
    """The daily retention run (accounts/retention.py); returns how many things it removed or warned about."""
    from .retention import purge_expired_data as run

    return len(run().lines)
