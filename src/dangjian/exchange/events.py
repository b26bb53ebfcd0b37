"""Domain events of data exchange: none of its own — an import publishes the events of the services
it uses (``members.changed`` once for the new members, ``orgs.changed`` per org …)."""

__all__: list[str] = []
