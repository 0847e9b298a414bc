"""Sealed ballots (R14): her answers are encrypted from the moment she submits until publication.

Keys come from settings.EVALUATION_SEAL_KEYS (environment variable of the same name,
comma-separated Fernet keys, newest first). MultiFernet seals with the first key and opens
with any of them. A ballot lives only while its round is open (publication after the close
opens and deletes it), so rotating is simple:

1. generate a key: ``python -c "from cryptography.fernet import Fernet; print(Fernet.generate_key().decode())"``;
2. put it in front: ``EVALUATION_SEAL_KEYS=<new>,<old>`` and restart;
3. run ``python manage.py rotate_evaluation_seal_keys`` to re-seal every waiting ballot with the new key
   (or wait until every round that was open under the old key has been published);
4. remove the old key from the list and restart.

Keep the keys out of the database's backups: a backup taken while a round is open then holds
only ciphertext. A ballot that no configured key opens is never dropped: publication of its
round stops with an error naming the round, until the key is configured again.
"""

import json

from cryptography.fernet import InvalidToken, MultiFernet

from core import fernet_keys

__all__ = ["InvalidToken", "fernet", "open_ballot", "reseal", "seal"]


def fernet() -> MultiFernet:
    return fernet_keys.multi_fernet("EVALUATION_SEAL_KEYS", purpose="evaluation-seal", needed_for="evaluation answers")


def seal(*, role: str, answers: dict) -> str:
    """The role and answers as one Fernet token.

    A Fernet token carries the time it was made in clear; sealing "at time 0" keeps the
    submission time out of the database, so the ciphertext cannot be lined up with a log.
    """
    payload = json.dumps({"role": role, "answers": answers}, ensure_ascii=False, sort_keys=True).encode()
    return fernet().encrypt_at_time(payload, 0).decode("ascii")


def open_ballot(token: str) -> tuple[str, dict]:
    """(role, answers); raises InvalidToken when no configured key opens it."""
    data = json.loads(fernet().decrypt(token.encode("ascii")))
    return data["role"], data["answers"]


def reseal(token: str) -> str:
    """The same ballot sealed with the newest key (its time stays 0)."""
    return fernet().rotate(token.encode("ascii")).decode("ascii")
