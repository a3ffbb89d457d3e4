"""What every resolver can see about the request: the store, the caller, and the services built on them.

Resolvers receive this as `info.context`. Claim checks live here too: CluedIn gates each feature by a RACI
claim (e.g. `integration.datasourcegroups`); reading needs at least Informed, changing at least Responsible.
The exact claim per GraphQL field is not published, so the mapping in `resolvers` is the emulator's guess.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from functools import wraps
from typing import TYPE_CHECKING, Any, TypeAlias, TypeVar, cast

from graphql import GraphQLResolveInfo

from emulators.cluedin.auth import AuthService, Principal
from emulators.cluedin.metrics import MetricsCalculator
from emulators.cluedin.store import CluedInStore
from emulators.cluedin.util import EmulatorError

if TYPE_CHECKING:
    Info: TypeAlias = GraphQLResolveInfo["RequestContext"]
else:
    Info = GraphQLResolveInfo

READ_LEVEL = 1  # Informed
WRITE_LEVEL = 3  # Responsible

F = TypeVar("F", bound=Callable[..., Any])


@dataclass
class RequestContext:
    """Per-request context handed to resolvers."""

    store: CluedInStore
    principal: Principal
    auth: AuthService
    metrics: MetricsCalculator
    issuer: str

    @property
    def user_id(self) -> str:
        """The caller's user id, recorded as author of what they create."""
        return self.principal.user_id


def ctx(info: Info) -> RequestContext:
    """The request context of a resolver call."""
    return info.context


def requires(claim: str, *, write: bool = False) -> Callable[[F], F]:
    """Refuse the field (GraphQL error, code FORBIDDEN) unless the caller holds `claim` at the needed level."""
    needed = WRITE_LEVEL if write else READ_LEVEL

    def decorate(resolver: F) -> F:
        @wraps(resolver)
        def guarded(obj: Any, info: Info, **kwargs: Any) -> Any:
            if ctx(info).principal.level(claim) < needed:
                level = "Responsible" if write else "Informed"
                raise EmulatorError(f"Access denied: requires claim '{claim}' at level {level} or higher", "FORBIDDEN")
            return resolver(obj, info, **kwargs)

        return cast(F, guarded)

    return decorate
