"""Delivery channels as plug-ins: e-mail, a secure link to a document in the platform,
Suomi.fi Messages and print batches, each recorded as a Delivery with its audit trail."""
