"""Meetings' private fields (registered with `core.disclosure` in ready())."""

from core.disclosure import private


@private(
    "meetings.privatenote.ciphertext", who="only the partner who wrote the note; not her partner, not coordinators."
)
def private_note(viewer, note) -> bool:
    return note is not None and note.author_id == viewer.pk
