"""Turning an outbox row into an e-mail, in the recipient's language, at sending time.

Every message is built from the row's subject (a match, an invitation) and the
recipient, so the outbox and the Celery payloads hold ids only. What goes in a
body is chosen here and nowhere else: contact details and links, never meeting
notes, evaluation answers or the mentorvraag (R11, R14).

- ``base``: the parts every e-mail shares (``Content``, links, dates);
- ``pairs``, ``meetings``, ``evaluations``, ``accounts``, ``coordinators``: what each e-mail says, by domain,
  each with its ``BUILDERS`` (outbox kind -> builder);
- ``build``: the outbox row's subject read, the builder chosen, the e-mail rendered.
"""
