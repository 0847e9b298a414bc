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

Every ballot of a round has the same length: Fernet hides the content, not the length, and a
ballot's length would otherwise match the published response it became. The payload is padded
to the round's ``ballot_size``: the longest payload its questions allow (every open answer at
MAX_OPEN_ANSWER_LENGTH characters of four UTF-8 bytes, every option ticked).

After publication, a key that sealed a published round and seals no waiting ballot should be
retired (step 1–4 above): WAL archives from that round plus that key would open its ballots.
``keys_to_retire`` names them; publish_closed_rounds and ``manage.py check`` say so.
"""

import json

from cryptography.fernet import Fernet, InvalidToken, MultiFernet

from core import fernet_keys

from .models import MAX_OPEN_ANSWER_LENGTH, Question, Role

__all__ = ["InvalidToken", "ballot_size", "fernet", "open_ballot", "reseal", "seal"]

SETTING = "EVALUATION_SEAL_KEYS"
_KEYS = {"purpose": "evaluation-seal", "needed_for": "evaluation answers"}


def fernet() -> MultiFernet:
    return fernet_keys.multi_fernet(SETTING, **_KEYS)


def keys() -> list[tuple[str, Fernet]]:
    """(fingerprint, Fernet) of every configured key, newest first."""
    configured = fernet_keys.keys(SETTING, **_KEYS)
    fingerprints = [fernet_keys.fingerprint(key) for key in configured]
    return list(zip(fingerprints, fernet_keys.fernets(SETTING, **_KEYS), strict=True))


def _payload(role: str, answers: dict) -> bytes:
    return json.dumps({"role": role, "answers": answers}, ensure_ascii=False, sort_keys=True).encode()


def _widest_answer(question: Question):
    if question.kind == Question.Kind.SCALE:
        return 5
    if question.kind == Question.Kind.SINGLE_CHOICE:
        return max(1, len(question.option_list("nl")))
    if question.kind == Question.Kind.MULTIPLE_CHOICE:
        return list(range(1, len(question.option_list("nl")) + 1))
    # Four UTF-8 bytes is the most one character costs: the services refuse control characters
    # (six bytes as a JSON escape) in open answers; a line break costs two.
    return "\U0001f600" * MAX_OPEN_ANSWER_LENGTH


def ballot_size(questions) -> int:
    """The one payload length of every ballot of a round with these questions (its longest possible payload)."""
    questions = list(questions)
    return max(
        len(_payload(role, {str(q.pk): _widest_answer(q) for q in questions if q.is_asked_of(role)}))
        for role in Role.values
    )


def seal(*, role: str, answers: dict, size: int) -> str:
    """The role and answers, padded to `size` bytes, as one Fernet token.

    A Fernet token carries the time it was made in clear; sealing "at time 0" keeps the
    submission time out of the database, so the ciphertext cannot be lined up with a log.
    JSON allows trailing whitespace, so the padding is spaces.
    """
    payload = _payload(role, answers)
    if len(payload) > size:
        # Never seal a ballot longer than its round's others: its length would single it out.
        raise ValueError("These answers are longer than the round's ballot size.")
    return fernet().encrypt_at_time(payload.ljust(size), 0).decode("ascii")


def open_ballot(token: str) -> tuple[str, dict]:
    """(role, answers); raises InvalidToken when no configured key opens it."""
    data = json.loads(fernet().decrypt(token.encode("ascii")))
    return data["role"], data["answers"]


def open_naming_key(token: str, candidates: list[tuple[str, Fernet]]) -> tuple[str, str, dict]:
    """(fingerprint of the key that opened it, role, answers); InvalidToken when none of them does."""
    for name, key in candidates:
        try:
            data = json.loads(key.decrypt(token.encode("ascii")))
        except InvalidToken:
            continue
        return name, data["role"], data["answers"]
    raise InvalidToken


def opened_by(token: str, candidates: list[tuple[str, Fernet]]) -> str | None:
    """The fingerprint of the first key that opens this ballot, or None."""
    for name, key in candidates:
        try:
            key.decrypt(token.encode("ascii"))
        except InvalidToken:
            continue
        return name
    return None


def reseal(token: str) -> str:
    """The same ballot sealed with the newest key (its time stays 0)."""
    return fernet().rotate(token.encode("ascii")).decode("ascii")
