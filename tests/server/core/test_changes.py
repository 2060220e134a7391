from signage_server.core.changes import Change, ChangeFeed


def test_empty_change_is_not_published() -> None:
    feed = ChangeFeed()
    seen: list[Change] = []
    feed.subscribe(seen.append)
    feed.publish(Change())
    feed.publish(Change(boards=frozenset({1})))
    assert seen == [Change(boards=frozenset({1}))]
