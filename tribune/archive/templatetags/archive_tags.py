"""``{% referenced_by "thread" thread.pk as documents %}``: archive documents that cite an item."""

from django import template

from tribune.archive import services

register = template.Library()


@register.simple_tag(takes_context=True)
def referenced_by(context, target: str, ref) -> list:
    organisation = context.get("organisation")
    if organisation is None:
        return []
    documents = services.referenced_by(context.get("viewer"), organisation, target, ref)
    for document in documents:
        document.shown_title = services.title_of(context.get("viewer"), document)
    return documents
