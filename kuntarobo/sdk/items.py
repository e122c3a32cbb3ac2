"""Work items' state changes a robot's own code may call: resuming a waiting item when the
outside event it waits for arrives (a robot's webhook, a call answered), through the same
action the web, API and CLI use (audited; the item's transitions checked)."""

from kuntarobo.runtime.actions import ReviewResult, resume_item, resume_items

__all__ = ["ReviewResult", "resume_item", "resume_items"]
