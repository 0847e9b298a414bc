import html

from django import template
from django.utils.safestring import mark_safe

from evaluations import selectors

register = template.Library()


@register.simple_tag(takes_context=True)
def open_evaluations(context):
    """The logged-in member's evaluations she can answer today (for the dashboard panel)."""
    request = context.get("request")
    if request is None:
        return []
    return selectors.open_invitations_for_user(request.user)


@register.simple_tag
def open_answer_items(answers):
    """The open answers as <li> items, escaped, line breaks kept (as |linebreaksbr would).

    Plain string work rather than a template loop or format_html: a large round shows
    thousands of answers, and Django's lazy-string checks per call would dominate the page.
    """
    items = (
        "<li>" + html.escape(answer).replace("\r\n", "\n").replace("\r", "\n").replace("\n", "<br>") + "</li>"
        for answer in answers
    )
    return mark_safe("\n".join(items))  # noqa: S308 - every answer is escaped above
