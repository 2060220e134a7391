"""Emergency overrides: their life, which boards they cover, receipts, the report section,
and their sources.

- ``overrides``: the one lifecycle every override goes through (issue, activate, amend, retarget,
  revoke, expire; audited, refusals as ``DomainError`` codes such as ``override.not_pending``) and
  the operators' service built on it (``create``, ``confirm``, ``update``, ``cancel``, the reads),
  which the JSON API and the panel both call.
- ``delivery``: after the commit, the push over the bus and the change notice for the manifests
  (``Delivery``, injected into routes as ``OverrideDeliveryDep``).
- ``targets`` (which boards an override covers, pure), ``receipts`` (the boards' acks, per-board
  status), ``report`` (the summary report's section), ``schemas`` (the API's shapes), ``history``
  (past overrides a page at a time: who, when, boards reached, first display), ``images`` (an
  operator's image, checked and stored like media, in the override's transaction).
- ``sources``: where overrides come from besides an operator. ``sources/cap`` takes CAP 1.2 alerts
  from trusted senders (``intake.accept``).

Adding a source (a sirens network, a national feed...): one package ``sources/<name>/`` that parses
and maps its messages, then changes overrides only through ``overrides`` (``issue`` + ``activate``
for a trusted sender, ``retarget`` / ``revoke`` for its follow-ups) with an ``Actor`` naming the
source, collects the sends in a ``delivery.Outbound`` and has them sent (``Delivery.send``) after
its commit, as ``sources/cap/intake.py`` does; a thin route in ``web/api/`` checks the sender and
calls it. Nothing else changes: manifests, receipts, the report and the panel see the overrides it
makes like any other.
"""
