"""What the intake's tests share: the corpus, the fictional articles, and the fictional
countries (and a person) the candidates look for."""

from pathlib import Path

from actors.models import ActorKind
from intake.candidates import ActorIndex, KnownActor

HERE = Path(__file__).resolve().parent
FICTIONAL = HERE / "fictional"
CORPUS = HERE.parent / "corpus" / "caci-analyst-2025.txt"
FIXTURES = HERE.parents[1] / "fixtures"


def fictional(name: str) -> str:
    return next(FICTIONAL.glob(f"{name}*.txt")).read_text(encoding="utf-8")


FICTIONAL_ACTORS = [
    ("veloria", "Veloria", ActorKind.COUNTRY),
    ("ostrand", "Ostrand", ActorKind.COUNTRY),
    ("karvania", "Karvania", ActorKind.COUNTRY),
    ("doremia", "Doremia", ActorKind.COUNTRY),
    ("pallastan", "Pallastan", ActorKind.COUNTRY),
    ("pallastan-gas", "Pallastan Gas Company", ActorKind.COMPANY),
    ("ivo-brenner", "Ivo Brenner", ActorKind.PERSON),
    ("tomas-brenner-senior", "Karl Brenner", ActorKind.PERSON),
]


def fictional_index() -> ActorIndex:
    actors = [
        KnownActor(id=number, slug=slug, name=name, kind=kind)
        for number, (slug, name, kind) in enumerate(FICTIONAL_ACTORS)
    ]
    return ActorIndex(actors, aliases=[(0, "Velor"), (2, "the Karvanian capital")])
